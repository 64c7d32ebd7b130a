"""No one grades themselves: a mentor or staff member who registered a contribution cannot
vouch, accept, confirm, withdraw, revoke, override or import for their own learner record
(403 ``self_grading``), in every handler, the bulk actions, the CSV import and the
instructor dashboard's override; nothing changes, nothing is awarded."""

import pytest
from django.utils import timezone
from xblock.scorable import Score

from tests.mentors.conftest import MENTOR, PR, STAFF, as_user
from upstream_xblock import compat
from upstream_xblock.models import ContributionAward, TrackedContribution
from upstream_xblock.staff import bulk
from upstream_xblock.staff.audit import Actor
from upstream_xblock.staff.models import AuditEntry
from upstream_xblock.tracking.service import TrackingError

XML = '<upstream_contribution mentors=\'["mia"]\'/>'
LIST_POST = "https://lists.example.org/archives/dev/2026-November/000123.html"


def registered(harness, world, student, number, block=None):
    """``student`` registered a pull request that is not theirs (pending): a learner here."""
    world.open("github", "openedx/xblock-sdk", number, author="someone-else")
    block = harness.block(XML, student=student) if block is None else as_user(harness, block,
                                                                                 student)
    assert harness.call(block, "register", {"url": PR.format(n=number)})[0] == 200
    return block


def state():
    return (list(TrackedContribution.objects.order_by("pk").values(
        "verdict", "vouched_by", "vouched_at", "revoked", "awarded_at")),
        ContributionAward.objects.count(), AuditEntry.objects.exclude(
            action__in=("annotate", "bulk")).count())


def refused(status, body):
    return (status, body["error"]["code"]) == (403, "self_grading") and body["error"]["message"]


def test_a_mentor_cannot_vouch_for_themselves(harness, world):
    """The drill: mia, a listed mentor, registered, then vouched for her own id: 200 and full
    points. Now 403, in both of the mentor's handlers, whatever the payload."""
    block = registered(harness, world, MENTOR, 1)
    mia = as_user(harness, block, MENTOR)
    before = state()
    for handler, payload in [
            ("vouch", {"learner_id": MENTOR, "reason": "mine", "url": LIST_POST}),
            ("vouch", {"learner_id": MENTOR, "reason": "mine", "description": "my patch"}),
            ("vouch_identity", {"learner_id": MENTOR, "reason": "me", "url": PR.format(n=1)})]:
        assert refused(*harness.call(mia, handler, payload)), handler
    assert state() == before and not ContributionAward.objects.exists()
    # Another learner's contribution, she may still vouch for.
    registered(harness, world, "ada", 2, block)
    assert harness.call(mia, "vouch", {"learner_id": "ada", "reason": "ok",
                                       "url": LIST_POST})[0] == 200


def test_course_staff_cannot_grade_themselves_in_any_handler(harness, world):
    block = registered(harness, world, STAFF, 1)
    registered(harness, world, "ada", 2, block)
    sam = as_user(harness, block, STAFF)
    ContributionAward.objects.create(usage_key=str(block.scope_ids.usage_id), learner_id=STAFF,
                                     awarded_at=timezone.now(), score=1.0)
    before = state()
    for handler, payload in [
            ("vouch", {"learner_id": STAFF, "reason": "mine", "url": LIST_POST}),
            ("confirm_vouch", {"learner_id": STAFF, "url": PR.format(n=1)}),
            ("revoke_vouch", {"learner_id": STAFF, "url": PR.format(n=1), "reason": "x"}),
            ("revoke", {"learner_id": STAFF, "reason": "mine"}),
            ("vouch_identity", {"learner_id": STAFF, "reason": "me", "host": "github.com",
                                "account_id": "7", "username": "sam"}),
            ("bulk", {"action": "accept", "learner_ids": [STAFF, "ada"], "reason": "all"}),
            ("bulk", {"action": "revoke", "learner_ids": [STAFF], "reason": "all"}),
            ("bulk", {"action": "accept", "filters": {}, "reason": "everyone here"}),
            ("import_csv", {"csv": f"username,action,reason\n{STAFF},accept,mine\n",
                            "dry_run": True}),
            ("import_csv", {"csv": f"username,action,reason\nada,accept,ok\n{STAFF},revoke,x\n",
                            "dry_run": False, "apply_valid": True})]:
        assert refused(*harness.call(sam, handler, payload)), (handler, payload)
    assert state() == before
    # Annotating their own record, or checking it now, grades nothing: allowed.
    assert harness.call(sam, "bulk", {"action": "check_now", "learner_ids": [STAFF]})[0] == 200


def test_a_bulk_job_never_grades_its_own_starter(harness, world):
    """Belt and braces: a job holding its starter (started before this rule) skips them."""
    block = registered(harness, world, STAFF, 1)
    registered(harness, world, "ada", 2, block)
    usage = str(block.scope_ids.usage_id)
    job = bulk.start(usage, "", "accept", [STAFF, "ada"], {"reason": "old job"},
                     Actor(STAFF, STAFF), timezone.now())
    bulk.run_all(job.pk, timezone.now)
    job.refresh_from_db()
    assert (job.changed, job.failed) == (1, 1)
    assert list(ContributionAward.objects.values_list("learner_id", flat=True)) == ["ada"]


def test_the_instructor_dashboards_override_of_ones_own_score_is_refused(harness, world,
                                                                          monkeypatch):
    """In the LMS the override runs in an instructor task bound to the learner; the task's
    requester (compat.dashboard_requester, read from the LMS's InstructorTask) is who acts.
    The LMS is not here: its answer is given."""
    block = registered(harness, world, "ada", 1)
    ada = as_user(harness, block, "ada")
    monkeypatch.setattr(compat, "dashboard_requester", lambda: ("ada", "ada"))
    with pytest.raises(TrackingError) as raised:
        ada.set_score(Score(raw_earned=1, raw_possible=1))
    assert raised.value.code == "self_grading" and not ContributionAward.objects.exists()
    monkeypatch.setattr(compat, "dashboard_requester", lambda: ("7", "sam"))
    ada.set_score(Score(raw_earned=1, raw_possible=1))
    entry = AuditEntry.objects.get(action="score_override")
    assert (entry.actor_id, entry.actor_username, entry.learner_id) == ("7", "sam", "ada")
