"""Staff grading with the real edx-submissions: a bulk accept and the dashboard's score
override land in edx-submissions as the block's points, through the one award path."""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from xblock.scorable import Score

from tests.lms_awards.lms_runtime import call, lms_block
from tests.lms_awards.test_grade_path import PR, REPO, completion_of, score_of
from upstream_xblock import compat
from upstream_xblock.models import ContributionAward
from upstream_xblock.staff.models import AuditEntry
from upstream_xblock.tracking import awards


def user(name):
    return get_user_model().objects.create(username=name)


def registered(lms_forges, name, number):
    learner = user(name)
    lms_forges.open("github", REPO, number, author=name)
    block = lms_block(learner, f"anon-{name}", weight=4)
    assert call(block, "register", {"url": PR.format(n=number), "forge_username": name})[0] == 200
    return learner, block


def test_bulk_accept_is_published_with_the_job_as_the_blocks_points(lms_forges):
    cache.clear()
    ada, _ = registered(lms_forges, "ada", 1)
    staff = user("sam")
    status, body = call(lms_block(staff, "anon-sam", is_staff=True, weight=4), "bulk",
                        {"action": "accept", "learner_ids": [str(ada.pk)], "reason": "Vouched"})
    assert status == 200 and body["count"] == 1, body
    # Published in the job's own chunk: nothing is left for a sweep's outbox.
    assert score_of("anon-ada") == (4, 4) and completion_of(ada) == 1.0
    assert awards.retry_unpublished(compat.publish_award_in_background, timezone.now()) == 0
    entry = AuditEntry.objects.get(action="accept")
    assert (entry.actor_id, entry.actor_username) == (str(staff.pk), str(staff.pk))


def test_score_override_from_the_dashboard(lms_forges):
    cache.clear()
    _ada, block = registered(lms_forges, "ada", 2)
    # The LMS's override task: a weighted score of at most max_score(), divided by weight.
    block.set_score(Score(raw_earned=0.5 / block.weight, raw_possible=1.0 / block.weight))
    block.publish_grade()
    assert ContributionAward.objects.get().score == 0.5
    assert score_of("anon-ada") == (2, 4)
