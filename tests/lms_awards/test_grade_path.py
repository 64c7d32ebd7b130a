"""The one grade path, with the real edx-submissions and edx-completion packages.

Whoever awards (a learner's request or a background sweep), the LMS reads the
same score: the block's points, in edx-submissions (read by the LMS as already
weighted). Revokes and "delete learner state" reset exactly what was
published; a failed publish is retried by the next sweep; a masqueraded view
publishes nothing.
"""

from datetime import timedelta

from completion.models import BlockCompletion
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import UsageKey
from submissions import api as submissions_api
from waffle.models import Switch

from forge_simulator.shapes import project_id as account_id_of
from upstream_xblock import compat
from upstream_xblock.forges import Forges
from upstream_xblock.identity import api as identity_api
from upstream_xblock.models import (
    AwardRevocation,
    BlockConfig,
    ContributionAward,
    TrackedContribution,
)
from upstream_xblock.tracking.schedule import Schedule
from upstream_xblock.tracking.sweep import Sweeper

from .lms_runtime import COURSE, USAGE, call, lms_block

REPO = "openedx/xblock"
PR = "https://github.com/openedx/xblock/pull/{n}"


def learner(name):
    return get_user_model().objects.create(username=name)


def score_of(anonymous_id, usage=USAGE):
    score = submissions_api.get_score({"student_id": anonymous_id, "course_id": COURSE,
                                       "item_id": usage, "item_type": "upstream_contribution"})
    return None if score is None else (score["points_earned"], score["points_possible"])


def completion_of(user, usage=USAGE):
    row = BlockCompletion.objects.filter(user=user,
                                         block_key=UsageKey.from_string(usage)).first()
    return None if row is None else row.completion


def submissions_of(anonymous_id, usage=USAGE):
    return len(submissions_api.get_submissions({
        "student_id": anonymous_id, "course_id": COURSE, "item_id": usage,
        "item_type": "upstream_contribution"}))


def register(block, number, username):
    """The learner (verified as ``username`` on GitHub) registers pull request ``number``."""
    identity_api.record(str(block.scope_ids.user_id), "github.com", str(account_id_of(username)),
                        username, "oauth", timezone.now())
    return call(block, "register", {"url": PR.format(n=number), "forge_username": username})


def test_same_score_in_a_request_and_in_a_sweep(lms_forges, simulator):
    cache.clear()
    world = lms_forges
    ada, bob = learner("ada"), learner("bob")
    world.open("github", REPO, 1, author="ada", state="merged")
    world.open("github", REPO, 2, author="bob")  # open: merged later, while bob is away
    status, body = register(lms_block(ada, "anon-ada", weight=5), 1, "ada")
    assert status == 200 and body["status"]["completed"] is True  # awarded in ada's request
    assert register(lms_block(bob, "anon-bob", weight=5), 2, "bob")[1]["status"][
        "completed"] is False
    assert BlockConfig.objects.get(usage_key=USAGE).points == 5

    world.merge("github", REPO, 2)
    TrackedContribution.objects.filter(learner_id=str(bob.pk)).update(
        next_check_at=timezone.now() - timedelta(seconds=1))
    stats = Sweeper(Forges.from_settings(simulator.settings()), Schedule(),
                    publisher=compat.publish_award_in_background).run_once()
    assert stats.awarded == 1

    assert score_of("anon-ada") == score_of("anon-bob") == (5, 5)
    assert completion_of(ada) == completion_of(bob) == 1.0
    assert ContributionAward.objects.filter(published=True).count() == 2
    # Publishing happened once each, whatever is asked again.
    call(lms_block(ada, "anon-ada", weight=5), "status")
    assert submissions_of("anon-ada") == submissions_of("anon-bob") == 1


def test_revoke_resets_the_score_and_the_completion(lms_forges):
    cache.clear()
    ada, staff = learner("ada"), learner("staff")
    lms_forges.open("github", REPO, 3, author="ada", state="merged")
    register(lms_block(ada, "anon-ada", weight=3), 3, "ada")
    assert score_of("anon-ada") == (3, 3) and completion_of(ada) == 1.0
    status, body = call(lms_block(staff, "anon-staff", is_staff=True), "revoke",
                        {"learner_id": str(ada.pk), "reason": "copied"})
    assert status == 200 and body["revoked"] is True
    assert score_of("anon-ada") is None  # edx-submissions' reset: the LMS shows no score
    assert completion_of(ada) == 0.0
    revocation = AwardRevocation.objects.get()
    assert (revocation.reset_score, revocation.reset_completion) == (True, True)
    assert revocation.reset_at is not None


def test_a_failed_publish_is_retried_by_the_next_sweep_without_writing_twice(lms_forges,
                                                                          simulator):
    cache.clear()
    lms_forges.open("github", REPO, 4, author="ada", state="merged")
    missing_pk = get_user_model().objects.count() + 1000  # the account is not there yet
    now = timezone.now()
    identity_api.record(str(missing_pk), "github.com", str(account_id_of("ada")), "ada",
                        "oauth", now)
    TrackedContribution.objects.create(
        usage_key=USAGE, course_key=COURSE, learner_id=str(missing_pk), anonymous_id="anon-ada",
        url=PR.format(n=4), kind="github", host="github.com", project=REPO, number=4,
        forge_username="ada", registered_at=now, next_check_at=now)
    BlockConfig.objects.create(usage_key=USAGE, course_key=COURSE, rules={}, points=2)
    clock = [now]
    sweeps = Sweeper(Forges.from_settings(simulator.settings()), Schedule(),
                     publisher=compat.publish_award_in_background, clock=lambda: clock[0])
    assert sweeps.run_once().awarded == 1
    award = ContributionAward.objects.get()
    # The score went out; the completion failed (no such user): it stays in the outbox.
    assert (award.published, award.score_published, award.completion_published) == (
        False, True, False)
    assert award.publish_attempts == 1 and award.next_publish_at > now
    assert score_of("anon-ada") == (2, 2)

    assert sweeps.run_once().published == 0  # backing off
    ada = get_user_model().objects.create(pk=missing_pk, username="ada")
    clock[0] = award.next_publish_at + timedelta(seconds=1)
    assert sweeps.run_once().published == 1
    award.refresh_from_db()
    assert (award.published, award.completion_published) == (True, True)
    assert completion_of(ada) == 1.0
    assert submissions_of("anon-ada") == 1  # the score was not written twice


def test_a_masqueraded_view_publishes_nothing(lms_forges, simulator):
    cache.clear()
    ada, staff = learner("ada"), learner("staff")
    lms_forges.open("github", REPO, 5, author="ada", state="merged")
    identity_api.record(str(ada.pk), "github.com", str(account_id_of("ada")), "ada", "oauth",
                        timezone.now())
    TrackedContribution.objects.create(
        usage_key=USAGE, course_key=COURSE, learner_id=str(ada.pk), anonymous_id="anon-ada",
        url=PR.format(n=5), kind="github", host="github.com", project=REPO, number=5,
        forge_username="ada", registered_at=timezone.now(), next_check_at=timezone.now())
    # Staff view ada's unit as ada: her accepted contribution earns the award…
    status, body = call(lms_block(ada, "anon-ada", masquerading_staff=staff), "status")
    assert status == 200 and body["completed"] is True
    award = ContributionAward.objects.get()
    # …but nothing reaches the platform, and nothing is marked published.
    assert (award.published, award.score_published, award.completion_published) == (
        False, False, False)
    assert score_of("anon-ada") is None and completion_of(ada) is None
    # The next sweep publishes it, as the learner's own grade.
    stats = Sweeper(Forges.from_settings(simulator.settings()), Schedule(),
                    publisher=compat.publish_award_in_background).run_once()
    assert stats.published == 1
    assert score_of("anon-ada") == (1, 1) and completion_of(ada) == 1.0


def test_without_completion_tracking_the_score_alone_is_published(lms_forges):
    Switch.objects.filter(name="completion.enable_completion_tracking").update(active=False)
    cache.clear()  # waffle caches switches, and so does edx-toggles, per request:
    RequestCache.clear_all_namespaces()  # (the LMS's middleware clears it for each request)
    ada = learner("ada")
    lms_forges.open("github", REPO, 6, author="ada", state="merged")
    register(lms_block(ada, "anon-ada"), 6, "ada")
    award = ContributionAward.objects.get()
    assert (award.published, award.score_published, award.completion_published) == (
        True, True, False)
    assert score_of("anon-ada") == (1, 1)
    assert not BlockCompletion.objects.exists()


def test_a_block_worth_no_points_publishes_completion_only(lms_forges):
    cache.clear()
    ada = learner("ada")
    lms_forges.open("github", REPO, 7, author="ada", state="merged")
    register(lms_block(ada, "anon-ada", weight=0), 7, "ada")
    award = ContributionAward.objects.get()
    assert (award.published, award.score_published, award.completion_published) == (
        True, False, True)
    assert score_of("anon-ada") is None and submissions_of("anon-ada") == 0
    assert completion_of(ada) == 1.0


def test_delete_learner_state_removes_records_and_award(lms_forges):
    cache.clear()
    ada, staff = learner("ada"), learner("staff")
    lms_forges.open("github", REPO, 8, author="ada", state="merged")
    register(lms_block(ada, "anon-ada", weight=4), 8, "ada")
    assert score_of("anon-ada") == (4, 4)
    # As the instructor dashboard calls it: anonymous ids, course and usage as strings.
    lms_block(staff, "anon-staff", is_staff=True).clear_student_state(
        user_id="anon-ada", course_id=COURSE, item_id=USAGE, requesting_user_id="anon-staff")
    assert not TrackedContribution.objects.exists()
    assert not ContributionAward.objects.exists()
    assert score_of("anon-ada") is None and completion_of(ada) == 0.0
    assert AwardRevocation.objects.get().revoked_by == "anon-staff"
