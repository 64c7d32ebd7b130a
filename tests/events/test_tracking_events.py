"""Every state change is a tracking event named edx.upstream_contribution.<what>: through the
runtime's publish in the learner's own request, through the eventtracking tracker (with the
course and user context the LMS gives its tasks' events) from sweeps and for other learners.
No event carries a token, a note's text or a reason someone typed."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.mentors.conftest import MENTOR, MENTORED_XML, STAFF, as_user
from upstream_xblock import compat
from upstream_xblock.forges import forges_for
from upstream_xblock.models import TrackedContribution
from upstream_xblock.tracking import events as names
from upstream_xblock.tracking.schedule import schedule_for
from upstream_xblock.tracking.sweep import Sweeper

PR = "https://github.com/openedx/xblock-sdk/pull/{n}"
CONTRIBUTION_KEYS = {"url", "host", "kind", "repository", "number"}


def published(events, prefix="edx.upstream_contribution."):
    return [(name, data) for name, data, _usage in events if name.startswith(prefix)]


def assert_clean(payloads, forge_settings):
    """No token of the settings bucket, no note text, in any event."""
    text = json.dumps(payloads, default=str)
    for forge in forge_settings.get("forges", []):
        if forge.get("token"):
            assert forge["token"] not in text
    assert "secret note" not in text and "Office hours" not in text


@pytest.mark.usefixtures("verified_ada")
def test_a_learners_request_publishes_register_accept_complete_withdraw(
        harness, world, events, tracked, forge_settings):
    world.open("github", "openedx/xblock-sdk", 1, author="ada")
    world.open("github", "openedx/xblock-sdk", 2, author="ada")
    block = harness.block('<upstream_contribution required_count="1"/>')
    usage = str(block.scope_ids.usage_id)
    harness.call(block, "register", {"url": PR.format(n=2), "forge_username": "ada"})
    harness.call(block, "withdraw", {"url": PR.format(n=2)})
    harness.call(block, "register", {"url": PR.format(n=1), "forge_username": "ada"})
    world.merge("github", "openedx/xblock-sdk", 1)
    TrackedContribution.objects.update(last_checked_at=timezone.now() - timedelta(minutes=5))
    status, body = harness.call(block, "check_now")
    assert status == 200 and body["completed"] is True

    sent = published(events)
    assert [name for name, _ in sent] == [
        names.REGISTERED, names.WITHDRAWN, names.REGISTERED, names.STATE_CHANGED,
        names.ACCEPTED, names.COMPLETED]
    for name, data in sent:
        assert data["usage_key"] == usage and data["user_id"] == "student_1"
        assert data["course_id"] == str(compat.course_key(block))
        if name != names.COMPLETED:
            assert CONTRIBUTION_KEYS <= set(data)
    registered = sent[2][1]
    assert {k: registered[k] for k in CONTRIBUTION_KEYS} == {
        "url": PR.format(n=1), "host": "github.com", "kind": "github",
        "repository": "openedx/xblock-sdk", "number": 1}
    assert (sent[3][1]["from"], sent[3][1]["to"]) == ("open", "merged")
    assert sent[5][1]["score"] == 1.0 and sent[5][1]["max_score"] == 1.0
    assert sent[5][1]["contributions"] == [PR.format(n=1)]
    assert tracked.named() == []  # all of it was the learner's own request
    assert_clean(sent, forge_settings)


@pytest.mark.usefixtures("verified_ada")
def test_a_sweep_emits_through_the_tracker_with_the_course_and_user_context(
        harness, world, events, tracked, forge_settings):
    world.open("github", "openedx/xblock-sdk", 1, author="ada")
    block = harness.block('<upstream_contribution required_count="1"/>')
    harness.call(block, "register", {"url": PR.format(n=1), "forge_username": "ada"})
    world.merge("github", "openedx/xblock-sdk", 1)
    TrackedContribution.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
    Sweeper(forges_for(forge_settings), schedule_for(forge_settings),
            publisher=compat.publish_award_in_background).run_once()

    sent = tracked.named()
    assert [event["name"] for event in sent] == [names.STATE_CHANGED, names.ACCEPTED,
                                                 names.COMPLETED]
    course = str(compat.course_key(block))
    for event in sent:
        assert event["context"]["course_id"] == course
        assert event["context"]["user_id"] == "student_1"
        assert "org_id" in event["context"]
        assert event["data"]["usage_key"] == str(block.scope_ids.usage_id)
    assert sent[2]["data"]["score"] == 1.0
    assert [name for name, _ in published(events)] == [names.REGISTERED]  # the request's
    assert_clean([event["data"] for event in sent], forge_settings)


def test_mentors_and_staff_acts_name_the_actor_and_never_the_note(
        harness, world, events, tracked, forge_settings):
    world.open("github", "openedx/xblock-sdk", 1, author="someone-else")
    learner_block = harness.block(MENTORED_XML, student="ada")
    harness.call(learner_block, "register", {"url": PR.format(n=1), "forge_username": "ada"})
    mentor = as_user(harness, learner_block, MENTOR)
    harness.call(mentor, "annotate", {"learner_id": "ada", "text": "secret note",
                                      "visibility": "mentors", "tag": "needs-work"})
    status, body = harness.call(mentor, "vouch", {
        "learner_id": "ada", "reason": "patch applied", "url": PR.format(n=1)})
    assert status == 200 and body["completed"] is True
    staff = as_user(harness, learner_block, STAFF)
    assert harness.call(staff, "revoke", {"learner_id": "ada", "reason": "copied"})[0] == 200
    status, job = harness.call(staff, "bulk", {"action": "annotate", "learner_ids": ["ada"],
                                               "text": "Office hours", "visibility": "learner"})
    assert status == 200
    status, _ = harness.call(staff, "import_csv", {
        "csv": "username,action,reason\nada,accept,Reviewed\n", "dry_run": False})
    assert status == 200

    by_name = {}
    for event in tracked.named():  # about ada, caused by someone else: the tracker
        by_name.setdefault(event["name"], []).append(event["data"])
    for data in by_name.get(names.ANNOTATION_ADDED, []) + by_name[names.VOUCHED]:
        assert data["user_id"] == "ada"
    assert by_name[names.ANNOTATION_ADDED][0] == {
        **by_name[names.ANNOTATION_ADDED][0], "visibility": "mentors", "tag": "needs-work",
        "actor_id": MENTOR}
    assert by_name[names.VOUCHED][0]["actor_id"] == MENTOR
    assert by_name[names.VOUCHED][0]["url"] == PR.format(n=1)
    assert by_name[names.COMPLETED][0]["user_id"] == "ada"
    assert by_name[names.REVOKED][0]["actor_id"] == STAFF
    assert by_name[names.REVOKED][0]["contributions"] == [PR.format(n=1)]
    own = dict(published(events))  # staff's own acts: their request's publish
    assert own[names.BULK_ACTION_STARTED]["action"] == "annotate"
    assert own[names.BULK_ACTION_STARTED]["actor_id"] == STAFF
    assert own[names.BULK_ACTION_STARTED]["job"] == job["job"]
    assert own[names.CSV_IMPORTED] == {**own[names.CSV_IMPORTED], "applied": True,
                                       "actor_id": STAFF, "user_id": STAFF}
    assert_clean(tracked.named() + list(own.values()), forge_settings)


def test_a_staff_accept_says_accepted_and_completed_with_staff_as_actor(
        harness, world, tracked, forge_settings):
    """An award staff make (a bulk accept, a CSV line) is told as a sweep's award is: each
    contribution it accepted, then the completion, each naming the staff member."""
    world.open("github", "openedx/xblock-sdk", 2, author="ada")
    learner_block = harness.block(MENTORED_XML, student="ada")
    harness.call(learner_block, "register", {"url": PR.format(n=2), "forge_username": "ada"})
    staff = as_user(harness, learner_block, STAFF)
    status, _ = harness.call(staff, "import_csv", {
        "csv": "username,action,reason\nada,accept,Reviewed\n", "dry_run": False})
    assert status == 200
    sent = [event for event in tracked.named()
            if event["name"] in (names.ACCEPTED, names.COMPLETED)]
    assert [event["name"] for event in sent] == [names.ACCEPTED, names.COMPLETED]
    assert sent[0]["data"] == {**sent[0]["data"], "url": PR.format(n=2), "user_id": "ada",
                               "actor_id": STAFF, "number": 2}
    assert sent[1]["data"] == {**sent[1]["data"], "user_id": "ada", "actor_id": STAFF,
                               "contributions": [PR.format(n=2)]}
    assert_clean([event["data"] for event in sent], forge_settings)


def test_without_a_tracker_the_background_path_emits_nothing_and_breaks_nothing(
        monkeypatch, caplog):
    """The workbench registers no tracker: a sweep's event is dropped (logged), nothing
    raises."""
    from eventtracking import tracker

    from upstream_xblock.tracking.events import emit
    monkeypatch.setattr(tracker, "TRACKERS", {})
    with caplog.at_level("DEBUG", logger="upstream_xblock.tracking.events"):
        emit(names.REGISTERED, {"url": "x"}, usage_key="u", course_key="c", user_id="nobody")
    assert [r.getMessage() for r in caplog.records] == [
        "no event tracker: edx.upstream_contribution.registered not emitted"]


def test_every_name_is_the_contract():
    assert names.NAMES == tuple(f"edx.upstream_contribution.{what}" for what in (
        "registered", "withdrawn", "state_changed", "accepted", "completed", "revoked",
        "vouched", "annotation_added", "bulk_action_started", "csv_imported"))
