"""Who may call which handler: every handler of the block has an entry here, and every
mentor or staff handler is tried by every role (a new handler without an entry fails)."""

import json

import pytest
from webob import Request

from tests.mentors.conftest import MENTOR, MENTORED_XML, OTHER_MENTOR, OTHER_XML, PR, STAFF, as_user
from upstream_xblock.block import UpstreamContributionBlock

LEARNER, MENTORS, STAFF_ONLY, STUDIO = "learner", "mentors", "staff", "studio"
ACCESS = {
    "register": LEARNER, "status": LEARNER, "check_now": LEARNER, "withdraw": LEARNER,
    "progress": MENTORS, "annotate": MENTORS, "edit_annotation": MENTORS,
    "delete_annotation": MENTORS,
    "revoke": STAFF_ONLY, "vouch": MENTORS, "revoke_vouch": STAFF_ONLY,
    "confirm_vouch": STAFF_ONLY,
    "identity": LEARNER, "verify_code": LEARNER, "verify_linked": LEARNER,
    "forget_account": LEARNER, "vouch_identity": MENTORS, "notice_preferences": LEARNER,
    "bulk": STAFF_ONLY, "bulk_job": STAFF_ONLY, "audit": STAFF_ONLY,
    "import_csv": STAFF_ONLY, "export_csv": STAFF_ONLY, "export_start": STAFF_ONLY,
    "export_job": STAFF_ONLY, "export_file": STAFF_ONLY,
    # Studio's editor (xblock.utils): Studio lets only the course's authors reach it.
    "submit_studio_edits": STUDIO,
}
ROLES = ("anonymous", "learner", "another_learner", "mentor", "mentor_of_another_block", "staff")
STUDENT_OF_ROLE = {"anonymous": None, "learner": "ada", "another_learner": "bob",
                   "mentor": MENTOR, "mentor_of_another_block": OTHER_MENTOR, "staff": STAFF}
ALLOWED = {MENTORS: {"mentor", "staff"}, STAFF_ONLY: {"staff"}}


def block_handlers():
    cls = UpstreamContributionBlock
    return sorted(name for name in dir(cls)
                  if getattr(getattr(cls, name, None), "_is_xblock_handler", False))


def test_every_handler_has_an_access_entry():
    assert set(block_handlers()) == set(ACCESS), "give each new handler its role in ACCESS"


GUARDED = [(handler, role) for handler in block_handlers()
           if ACCESS.get(handler) in ALLOWED for role in ROLES]


@pytest.fixture
def mentored(harness, world):
    """A block listing mia, a learner ada with a contribution and a note by mia on it,
    and another block listing zed (so that zed is a mentor, of another block)."""
    world.open("github", "openedx/xblock-sdk", 1, author="ada")
    block = harness.block(MENTORED_XML, student="ada")
    assert harness.call(block, "register", {"url": PR.format(n=1),
                                            "forge_username": "ada"})[0] == 200
    harness.block(OTHER_XML, student=OTHER_MENTOR)
    status, body = harness.call(as_user(harness, block, MENTOR), "annotate", {
        "learner_id": "ada", "text": "Nice start", "visibility": "learner"})
    assert status == 200
    return block, body["annotation"]["id"]


def payload_for(handler, note_id):
    return {
        "progress": {"page": 1, "page_size": 10},
        "annotate": {"learner_id": "ada", "text": "Keep going", "visibility": "mentors"},
        "edit_annotation": {"learner_id": "ada", "id": note_id, "text": "Nice start!"},
        "delete_annotation": {"learner_id": "ada", "id": note_id},
        "revoke": {"learner_id": "ada", "reason": "test"},
        "vouch": {"learner_id": "ada", "reason": "sent to the mailing list",
                  "description": "[PATCH v2] docs: fix the install guide"},
        "revoke_vouch": {"learner_id": "ada", "reason": "not hers",
                         "url": PR.format(n=1)},
        "confirm_vouch": {"learner_id": "ada", "url": PR.format(n=1)},
        "vouch_identity": {"learner_id": "ada", "reason": "met at the sprint",
                           "url": PR.format(n=1)},
        "bulk": {"action": "annotate", "learner_ids": ["ada"], "text": "Bulk note"},
        "bulk_job": {"job": 1},
        "audit": {"page": 1, "page_size": 10},
        "import_csv": {"csv": "username,action,reason\nada,accept,ok\n", "dry_run": True},
        "export_csv": None, "export_start": {"filters": {}}, "export_job": {"export": 1},
        "export_file": None,
    }[handler]


def call_handler(harness, caller, handler, payload):
    """(status, JSON body); the CSV exports are GETs answering text/csv when allowed."""
    if handler not in ("export_csv", "export_file"):
        return harness.call(caller, handler, payload)
    request = Request.blank("/?export=1", method="GET")
    response = caller.runtime.handle(caller, handler, request)
    if response.content_type == "text/csv":
        assert response.body.decode().startswith("username,")
        return response.status_code, {}
    return response.status_code, json.loads(response.body)


@pytest.mark.parametrize("handler,role", GUARDED)
def test_mentor_and_staff_handlers_by_role(harness, mentored, handler, role):
    block, note_id = mentored
    caller = harness.block(student=STUDENT_OF_ROLE[role], usage_id=block.scope_ids.usage_id)
    status, body = call_handler(harness, caller, handler, payload_for(handler, note_id))
    if role in ALLOWED[ACCESS[handler]]:
        # Allowed: never refused for the role (revoke answers 404: ada has no award;
        # bulk_job 404: there is no job 1 of this block; revoke_vouch 404: no mentor
        # vouched for her pull request; confirm_vouch 404: no mentor proposed it).
        assert status in (200, 404), body
        assert body.get("error", {}).get("code") != "forbidden"
    else:
        assert status == 403
        assert body == {"error": {"code": "forbidden", "message": body["error"]["message"]}}
        assert body["error"]["message"]


@pytest.mark.parametrize("handler", [h for h in block_handlers() if ACCESS[h] == LEARNER])
def test_learner_handlers_refuse_signed_out_visitors(harness, mentored, handler):
    block, _note = mentored
    anonymous = harness.block(student=None, usage_id=block.scope_ids.usage_id)
    status, body = harness.call(anonymous, handler, {"url": PR.format(n=1)})
    assert status == 403 and body["error"]["code"] in ("not_signed_in", "forbidden")


def test_refusal_happens_before_reading_the_request(harness, mentored):
    """A learner learns nothing from a malformed or a GET request either."""
    block, _note = mentored
    learner = as_user(harness, block, "bob")
    assert harness.call(learner, "progress", body=b"{not json")[0] == 403
    assert harness.call(learner, "progress", method="GET", body=b"")[0] == 403


def test_a_learner_never_receives_another_learners_data(harness, mentored):
    block, _note = mentored
    status, body = harness.call(as_user(harness, block, "bob"), "status")
    assert status == 200
    assert body["contributions"] == [] and body["annotations"] == []


def test_staff_and_mentor_see_the_table_learners_their_form(harness, mentored):
    block, _note = mentored
    for student in (MENTOR, STAFF):
        html = as_user(harness, block, student).render("student_view").content
        assert "upx-table" in html and "upstream-register" not in html
    for student in ("ada", OTHER_MENTOR):
        html = as_user(harness, block, student).render("student_view").content
        assert "upstream-register" in html and "upx-table" not in html
