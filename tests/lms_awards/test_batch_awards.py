"""Awards made and published in batches, through the real edx-submissions and edx-completion.

- a sweep that awards many learners costs at most 12 SQL statements an award (the
  issue's target), counted on the LMS path with every statement Django runs;
- what the LMS reads afterwards is what ``submissions.api`` and ``submit_completion``
  would have written one by one (score, score summary, completion, one submission);
- publishing an award again (a worker killed after writing, before recording it)
  finds the submission it made by its stable key: submissions == learners.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from submissions import api as submissions_api
from submissions.models import ScoreSummary, Submission, score_set

from forge_simulator import ForgeSimulator
from forge_simulator.shapes import project_id as account_id_of
from upstream_xblock import compat
from upstream_xblock.compat.grades import submission_uuid
from upstream_xblock.forges import Forges
from upstream_xblock.identity import api as identity_api
from upstream_xblock.models import BlockConfig, ContributionAward, TrackedContribution
from upstream_xblock.policy import Rules
from upstream_xblock.tracking.schedule import Schedule
from upstream_xblock.tracking.sweep import Sweeper

from .lms_runtime import COURSE, USAGE
from .test_grade_path import completion_of, score_of

TARGET_PER_AWARD = 12


def seed(world, count, merged, start=1):
    """``count`` learners with one pull request each (merged or open), verified authors."""
    BlockConfig.objects.update_or_create(usage_key=USAGE, defaults={
        "course_key": COURSE, "rules": Rules().to_dict(), "required_count": 1, "points": 3})
    users = []
    for number in range(start, start + count):
        user = get_user_model().objects.create(username=f"learner{number}")
        login = f"dev{number}"
        identity_api.record(str(user.pk), "github.com", str(account_id_of(login)), login,
                            "oauth", timezone.now())
        world.open("github", "openedx/xblock", number, author=login,
                   state="merged" if merged else "open")
        TrackedContribution.objects.create(
            usage_key=USAGE, course_key=COURSE, learner_id=str(user.pk),
            anonymous_id=f"anon-{number}", url=f"https://github.com/openedx/xblock/pull/{number}",
            kind="github", host="github.com", project="openedx/xblock", number=number,
            forge_username=login, registered_at=timezone.now(), next_check_at=timezone.now())
        users.append(user)
    return users


def sweep_statements(simulator):
    """(sweep stats, SQL statements Django ran) of one sweep on the LMS's publishers."""
    sweeper = Sweeper(Forges.from_settings(simulator.settings(github_token="t")), Schedule(),
                      publisher=compat.publish_award_in_background,
                      publish_many=compat.publish_awards_in_background)
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        stats = sweeper.run_once()
    return stats, len(statements)


@pytest.mark.django_db(transaction=True)
def test_statements_per_award_on_the_lms_path(lms_services):  # noqa: ARG001
    cache.clear()
    with ForgeSimulator() as simulator:
        seed(simulator.world, 60, merged=False)
        checks, checking = sweep_statements(simulator)
        TrackedContribution.objects.all().delete()
        cache.clear()
        users = seed(simulator.world, 60, merged=True, start=1000)
        awarding, total = sweep_statements(simulator)
    assert (checks.checked, checks.awarded) == (60, 0)
    assert (awarding.checked, awarding.awarded) == (60, 60)
    per_award = (total - checking) / 60
    assert per_award <= TARGET_PER_AWARD, per_award
    assert all(score_of(f"anon-{1000 + i}") == (3, 3) for i in range(60))
    assert all(completion_of(user) == 1.0 for user in users)
    assert ContributionAward.objects.filter(published=False).count() == 0


@pytest.mark.django_db
def test_a_batch_writes_what_the_submissions_api_reads(lms_forges):
    cache.clear()
    users = seed(lms_forges, 3, merged=True)
    scores = []
    score_set.connect(lambda sender, **kwargs: scores.append(kwargs), weak=False,  # noqa: ARG005
                      dispatch_uid="batch-score-set")
    try:
        Sweeper(Forges.from_settings(lms_forges_settings(lms_forges)), Schedule(),
                publisher=compat.publish_award_in_background,
                publish_many=compat.publish_awards_in_background).run_once()
    finally:
        score_set.disconnect(dispatch_uid="batch-score-set")
    for number, user in enumerate(users, start=1):
        item = {"student_id": f"anon-{number}", "course_id": COURSE, "item_id": USAGE,
                "item_type": "upstream_contribution"}
        assert submissions_api.get_score(item)["points_earned"] == 3
        assert len(submissions_api.get_submissions(item)) == 1
        assert completion_of(user) == 1.0
    assert submissions_api.get_scores(COURSE, "anon-1")[USAGE]["points_possible"] == 3
    summary = ScoreSummary.objects.get(student_item__student_id="anon-2")
    assert summary.highest_id == summary.latest_id
    assert sorted(s["anonymous_user_id"] for s in scores) == ["anon-1", "anon-2", "anon-3"]
    assert {(s["points_earned"], s["points_possible"], s["item_id"]) for s in scores} == {
        (3, 3, USAGE)}


def lms_forges_settings(world):
    from django.conf import settings
    return settings.XBLOCK_SETTINGS["upstream_xblock"]


@pytest.mark.django_db
def test_publishing_again_finds_the_submission_it_made(lms_forges):
    """As if a worker died after edx-submissions took the award and before it was marked
    published: the retry submits nothing new."""
    cache.clear()
    users = seed(lms_forges, 4, merged=True)
    Sweeper(Forges.from_settings(lms_forges_settings(lms_forges)), Schedule(),
            publisher=compat.publish_award_in_background,
            publish_many=compat.publish_awards_in_background).run_once()
    ContributionAward.objects.update(published=False, score_published=False,
                                     completion_published=False)
    made = list(ContributionAward.objects.all())
    assert compat.publish_awards_in_background(made) == {award.pk: True for award in made}
    assert Submission.objects.count() == len(users) == 4
    assert all(Submission.objects.filter(uuid=submission_uuid(award)).count() == 1
               for award in made)
    assert all(len(submissions_api.get_submissions({
        "student_id": f"anon-{n}", "course_id": COURSE, "item_id": USAGE,
        "item_type": "upstream_contribution"})) == 1 for n in range(1, 5))
