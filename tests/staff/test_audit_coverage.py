"""Every act that changes a verdict, a score or completion is on the record, once.

The acts are read from the code, as the hostile-input tests read the JSON handlers:
the block's handlers marked ``changes_grades`` (``handlers.grading``), the bulk
actions (``bulk.ACTIONS``), the CSV import's actions (``csv_files.ACTIONS``) and the
instructor dashboard's hooks on the block class. Each must be classified here, and
each that changes grades has a scenario: done once, one entry per change, with the
acting user (the real one), the reason, the learner's verdict before and after; done
again (the same request submitted twice), no second entry. A new grade-changing
handler without a scenario, or one whose act writes no entry, fails these tests.
"""

import csv
import io

import pytest
from django.utils import timezone
from webob import Request
from xblock.scorable import Score

from forge_simulator.shapes import project_id as account_id_of
from tests.mentors.conftest import MENTOR, MENTORED_XML, PR, STAFF, as_user
from upstream_xblock.block import UpstreamContributionBlock
from upstream_xblock.block.instructor import InstructorMixin
from upstream_xblock.identity import api as identity_api
from upstream_xblock.models import ContributionAward, TrackedContribution
from upstream_xblock.staff import bulk, csv_files
from upstream_xblock.staff.audit import Actor
from upstream_xblock.staff.models import AuditEntry

LIST_POST = "https://lists.example.org/archives/dev/2026-November/000123.html"
XML_NEEDING_STAFF = '<upstream_contribution mentors=\'["mia"]\' mentor_vouches_need_staff="true"/>'

# Handlers that change no verdict, score or completion of another learner's record, and why.
NOT_GRADING = {
    "register": "the learner's own registration, checked on the forge",
    "status": "the learner's own status (an award the forge's word earned)",
    "check_now": "the learner's own check on the forge",
    "withdraw": "the learner's own withdrawal of what never counted",
    "identity": "reads the learner's panel", "verify_code": "the learner proves an account",
    "verify_linked": "the learner proves an account", "forget_account": "the learner's own",
    "progress": "reads the table", "annotate": "a note (on the record: tested elsewhere)",
    "edit_annotation": "a note", "delete_annotation": "a note",
    "bulk_job": "runs the chunks ``bulk`` started: their entries are ``bulk``'s scenario",
    "audit": "reads the trail", "export_csv": "reads", "submit_studio_edits": "Studio's form",
    "export_start": "starts an export (reads)", "export_job": "an export's progress",
    "export_file": "the export's file (reads)",
    "notice_preferences": "the learner's own choice about the emails",
}
# The instructor dashboard's hooks that change nothing.
NOT_GRADING_HOOKS = {"publish_grade": "publishes what set_score stored (its entry)",
                     "generate_report_data": "a report", "get_score": "reads",
                     "calculate_score": "reads", "has_submitted_answer": "reads"}


def handlers():
    cls = UpstreamContributionBlock
    return {name: getattr(cls, name) for name in dir(cls)
            if getattr(getattr(cls, name, None), "_is_xblock_handler", False)}


def grading_handlers():
    return sorted(name for name, method in handlers().items()
                  if getattr(method, "changes_grades", False))


def dashboard_hooks():
    return sorted(name for name, value in vars(InstructorMixin).items()
                  if callable(value) and not name.startswith("_"))


# -- the world each scenario starts from --------------------------------------------------

@pytest.fixture
def course(harness, world):
    """ada (pending pull request #1 by someone else), bob (#2, his, merged and awarded);
    the block lists mia as mentor; sam is course staff."""
    world.open("github", "openedx/xblock-sdk", 1, author="someone-else")
    world.open("github", "openedx/xblock-sdk", 2, author="bob", state="merged")
    identity_api.record("bob", "github.com", str(account_id_of("bob")), "bob", "oauth",
                        timezone.now())
    block = harness.block(MENTORED_XML, student="ada")
    assert harness.call(block, "register", {"url": PR.format(n=1)})[0] == 200
    assert harness.call(as_user(harness, block, "bob"), "register",
                        {"url": PR.format(n=2), "forge_username": "bob"})[1]["status"][
        "completed"] is True
    return block


def post(harness, block, student, handler, payload):
    status, body = harness.call(as_user(harness, block, student), handler, payload)
    assert status < 500, body
    return status, body


def run_jobs(harness, block):
    """Poll the staff's latest job to its end, as the staff page does."""
    while True:
        body = harness.call(as_user(harness, block, STAFF), "bulk_job", {})[1]
        if body["job"] is None or body["status"] == "done":
            return


def _bulk(action, learner, reason):
    def act(harness, block):
        post(harness, block, STAFF, "bulk", {"action": action, "learner_ids": [learner],
                                             "reason": reason})
        run_jobs(harness, block)
    return act


def _csv(action, learner, reason):
    def act(harness, block):
        post(harness, block, STAFF, "import_csv", {
            "csv": f"username,action,reason\n{learner},{action},{reason}\n", "dry_run": False})
    return act


def _handler(student, handler, payload):
    return lambda harness, block: post(harness, block, student, handler, payload)


# (act, expected action, learner, actor, reason or None, before, after)
SCENARIOS = {
    "vouch": (_handler(MENTOR, "vouch", {"learner_id": "ada", "reason": "applied upstream",
                                         "url": LIST_POST}),
              "vouch", "ada", MENTOR, "applied upstream", "pending", "accepted"),
    "revoke_vouch": (_handler(STAFF, "revoke_vouch", {"learner_id": "ada", "url": LIST_POST,
                                                      "reason": "not hers"}),
                     "revoke_vouch", "ada", STAFF, "not hers", "accepted", "pending"),
    "confirm_vouch": (_handler(STAFF, "confirm_vouch", {"learner_id": "ada", "url": LIST_POST}),
                      "confirm_vouch", "ada", STAFF, "applied upstream", "pending", "accepted"),
    "vouch_identity": (_handler(STAFF, "vouch_identity", {
        "learner_id": "ada", "reason": "met at the sprint", "url": PR.format(n=1)}),
        "vouch_identity", "ada", STAFF, "met at the sprint", "pending", "pending"),
    "revoke": (_handler(STAFF, "revoke", {"learner_id": "bob", "reason": "copied"}),
               "revoke", "bob", STAFF, "copied", "accepted", "rejected"),
    "bulk": (_bulk("accept", "ada", "reviewed on the list"),
             "accept", "ada", STAFF, "reviewed on the list", "pending", "accepted"),
    "import_csv": (_csv("accept", "ada", "reviewed on the list"),
                   "accept", "ada", STAFF, "reviewed on the list", "pending", "accepted"),
}
# What must be there before the act (a vouch to withdraw, a proposal to confirm).
SETUP = {
    "revoke_vouch": _handler(MENTOR, "vouch", {"learner_id": "ada", "reason": "applied upstream",
                                               "url": LIST_POST}),
    "confirm_vouch": _handler(MENTOR, "vouch", {"learner_id": "ada", "reason": "applied upstream",
                                                "url": LIST_POST}),
}
BULK_SCENARIOS = {"accept": (_bulk("accept", "ada", "ok"), "pending", "accepted", "ada"),
                  "revoke": (_bulk("revoke", "bob", "copied"), "accepted", "rejected", "bob")}
CSV_SCENARIOS = {"accept": (_csv("accept", "ada", "ok"), "pending", "accepted", "ada"),
                 "revoke": (_csv("revoke", "bob", "copied"), "accepted", "rejected", "bob")}
NOT_GRADING_ACTIONS = {"annotate": "a note", "check_now": "makes records due: the forge decides"}
NOT_GRADING_LINES = {"annotate": "a note"}


def changes(action):
    return list(AuditEntry.objects.filter(action=action).values_list(
        "learner_id", "actor_username", "reason", "verdict_before", "verdict_after"))


# -- the lists are complete ----------------------------------------------------------------

def test_every_handler_is_classified():
    assert set(handlers()) == set(SCENARIOS) | set(NOT_GRADING), \
        "a new handler: mark it with handlers.grading and give it a scenario, or say why not"


def test_the_scenarios_are_the_handlers_marked_as_grading():
    assert grading_handlers() == sorted(SCENARIOS)


# The course workspace's views (block/workspace.py): grades change only through the bulk
# actions and CSV lines classified above, acting in one activity of the course.
WORKSPACE_VIEWS = {
    "bulk": "bulk.ACTIONS (their scenarios above)", "import_csv": "csv_files.ACTIONS",
    "bulk_job": "runs the chunks ``bulk`` started", "page": "reads", "progress": "reads",
    "audit": "reads the trail", "export": "starts an export (reads)",
    "export_job": "an export's progress", "export_file": "the file (reads)",
    "projects": "reads", "projects_csv": "reads"}


def test_every_workspace_view_is_classified():
    from upstream_xblock.block import workspace  # noqa: PLC0415
    assert {pattern.name for pattern in workspace.urlpatterns} == set(WORKSPACE_VIEWS), \
        "a new workspace view: say how its grade changes reach the audit trail"


def test_every_bulk_csv_and_dashboard_act_is_classified():
    assert set(bulk.ACTIONS) == set(BULK_SCENARIOS) | set(NOT_GRADING_ACTIONS)
    assert set(csv_files.ACTIONS) == set(CSV_SCENARIOS) | set(NOT_GRADING_LINES)
    assert set(dashboard_hooks()) == {"set_score", "rescore", "clear_student_state"} | \
        set(NOT_GRADING_HOOKS)


# -- each act, once and twice ------------------------------------------------------------

@pytest.mark.parametrize("handler", sorted(SCENARIOS))
def test_each_grading_handler_records_each_change_once(harness, course, settings, handler):
    act, action, learner, actor, reason, before, after = SCENARIOS[handler]
    if handler == "confirm_vouch":  # a proposal to confirm
        course = harness.block(XML_NEEDING_STAFF, student="ada")
        harness.call(course, "register", {"url": PR.format(n=1)})
    if handler in SETUP:
        SETUP[handler](harness, course)
    AuditEntry.objects.exclude(action="bulk").filter(action=action).delete()
    act(harness, course)
    assert changes(action) == [(learner, actor, reason, before, after)], action
    act(harness, course)  # the same request again: no second change, no second entry
    assert len(changes(action)) == 1


@pytest.mark.parametrize("name,scenarios", [("bulk", BULK_SCENARIOS), ("csv", CSV_SCENARIOS)])
def test_each_bulk_and_csv_action_records_each_change_once(harness, course, name, scenarios):
    for action, (act, before, after, learner) in scenarios.items():
        act(harness, course)
        act(harness, course)
        assert [(e[0], e[1], e[3], e[4]) for e in changes(action)] == [
            (learner, STAFF, before, after)], (name, action)


def test_each_dashboard_hook_records_each_change_once(harness, course):
    """As the LMS calls them, on the block bound to the learner (the requester: the LMS's
    InstructorTask, absent here: the entry's actor is the dashboard)."""
    ada = as_user(harness, course, "ada")
    for _ in range(2):
        ada.set_score(Score(raw_earned=1, raw_possible=1))
    assert [(e[0], e[3], e[4]) for e in changes("score_override")] == [
        ("ada", "pending", "accepted")]
    bob = as_user(harness, course, "bob")
    bob.rescore(only_if_higher=False)
    assert [(e[0], e[3], e[4]) for e in changes("rescore")] == [("bob", "accepted", "accepted")]
    # The LMS hands the learner's anonymous id, which their records keep (the workbench has
    # none: given here as the LMS would have stored it).
    TrackedContribution.objects.filter(learner_id="bob").update(anonymous_id="anon-bob")
    for _ in range(2):
        course.clear_student_state("anon-bob", "", str(course.scope_ids.usage_id), "7")
    assert [(e[0], e[3], e[4]) for e in changes("clear_state")] == [
        ("bob", "accepted", "rejected")]


def test_a_double_submitted_bulk_accept_changes_and_records_each_learner_once(
        harness, course, monkeypatch):
    """Two jobs of the same accept, their chunks interleaved as two runners would: the second
    read the awards before the first one wrote them. One award, one entry, records once."""
    usage, staff = str(course.scope_ids.usage_id), Actor(STAFF, STAFF)
    params = {"reason": "clicked twice", "points": 1.0, "url": ""}
    first, second = (bulk.start(usage, "", "accept", ["ada"], params, staff, timezone.now())
                      for _ in range(2))
    awarded_before = bulk.awarded_learners(usage, ["ada"])
    bulk.run_all(first.pk, timezone.now)
    monkeypatch.setattr(bulk, "awarded_learners", lambda *_args: set(awarded_before))
    bulk.run_all(second.pk, timezone.now)
    assert ContributionAward.objects.filter(learner_id="ada").count() == 1
    assert len(changes("accept")) == 1
    record = TrackedContribution.objects.get(learner_id="ada")
    assert [c["id"] for c in record.checks].count("staff") == 1  # its record changed once


def test_a_mentors_vouch_is_in_the_audit_and_the_exports_staff_actions(harness, course):
    """The drill: after a mentor vouched and the unit completed, the audit showed nothing for
    it (by learner, by actor) and the CSV's staff_actions column was empty."""
    SCENARIOS["vouch"][0](harness, course)
    sam = as_user(harness, course, STAFF)
    for filters in ({"learner_id": "ada"}, {"actor": MENTOR}, {"action": "vouch"}):
        rows = harness.call(sam, "audit", {"filters": filters})[1]["rows"]
        assert [(r["action"], r["actor"]["username"], r["learner_id"], r["url"]) for r in rows] \
            == [("vouch", MENTOR, "ada", LIST_POST)], filters
    response = sam.runtime.handle(sam, "export_csv", Request.blank("/"))
    lines = list(csv.DictReader(io.StringIO(response.body.decode())))
    vouched = next(line for line in lines if line["url"] == LIST_POST)
    assert f"vouch by {MENTOR}: applied upstream" in vouched["staff_actions"]
