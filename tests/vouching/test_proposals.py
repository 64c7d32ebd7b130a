"""``mentor_vouches_need_staff``: a mentor's vouch is a proposal, counted once course staff
confirm it, and shown as such to the learner and to staff; every step on the audit trail."""

import pytest

from tests.mentors.conftest import MENTOR, PR, STAFF, as_user
from upstream_xblock.models import ContributionAward
from upstream_xblock.staff.models import AuditEntry

XML = '<upstream_contribution mentors=\'["mia"]\' mentor_vouches_need_staff="true"/>'
PATCH = "[PATCH v2] docs: fix the install guide, sent to the list"
PROPOSED = ("A mentor proposed to accept it (patch applied by the maintainer); it counts once "
            "course staff confirm it.")


@pytest.fixture
def ada(harness, world):
    """ada registered a pull request that is not hers (pending), in a block whose mentors'
    vouches need staff."""
    world.open("github", "openedx/xblock-sdk", 1, author="someone-else")
    block = harness.block(XML, student="ada")
    assert harness.call(block, "register", {"url": PR.format(n=1)})[0] == 200
    return block


def call(harness, block, student, handler, **payload):
    return harness.call(as_user(harness, block, student), handler,
                        {"learner_id": "ada", **payload})


def propose(harness, block, **payload):
    return call(harness, block, MENTOR, "vouch", reason="patch applied by the maintainer",
                **payload)


def contribution(harness, block, url, student="ada"):
    if student == "ada":
        contributions = harness.call(as_user(harness, block, "ada"), "status")[1]["contributions"]
    else:
        rows = harness.call(as_user(harness, block, student), "progress", {})[1]["rows"]
        contributions = [c for r in rows if r["learner"]["id"] == "ada"
                         for c in r["contributions"]]
    return next(c for c in contributions if c["url"] == url)


def test_a_mentors_vouch_is_a_proposal_until_staff_confirm_it(harness, ada):
    status, body = propose(harness, ada, description=PATCH)
    assert status == 200 and (body["proposed"], body["completed"]) == (True, False)
    url = body["contribution"]["url"]
    for viewer in ("ada", MENTOR, STAFF):  # shown as a proposal to the learner and to staff
        seen = contribution(harness, ada, url, viewer)
        assert seen["verdict"] == "pending" and seen["vouch"]["proposed"] is True
        assert seen["state_label"] == "Proposed by a mentor, waiting for course staff"
        assert seen["checks"] == [{"id": "mentor", "outcome": "waiting",
                                   "outcome_label": "Waiting", "reason": PROPOSED}]
    assert not ContributionAward.objects.exists()
    # A second mentor's word on it is not a second proposal; the mentor cannot confirm it.
    assert propose(harness, ada, description=PATCH)[1]["error"]["code"] == "already_vouched"
    assert call(harness, ada, MENTOR, "confirm_vouch", url=url)[0] == 403

    status, body = call(harness, ada, STAFF, "confirm_vouch", url=url)
    assert status == 200 and body["completed"] is True
    assert contribution(harness, ada, url)["vouch"]["proposed"] is False
    assert ContributionAward.objects.get(learner_id="ada").contributions == [url]
    # Confirmed once: a second confirmation finds no proposal, and writes nothing.
    again = call(harness, ada, STAFF, "confirm_vouch", url=url)
    assert (again[0], again[1]["error"]["code"]) == (404, "not_proposed")
    trail = list(AuditEntry.objects.order_by("pk").values_list(
        "action", "actor_username", "learner_id", "verdict_before", "verdict_after"))
    assert trail == [("propose_vouch", MENTOR, "ada", "pending", "pending"),
                     ("confirm_vouch", STAFF, "ada", "pending", "accepted")]


def test_a_proposal_on_a_registered_pull_request_waits_beside_the_forges_checks(harness, ada):
    status, body = propose(harness, ada, url=PR.format(n=1))
    assert status == 200 and body["proposed"] is True
    seen = contribution(harness, ada, PR.format(n=1))
    assert seen["verdict"] == "pending" and seen["can_withdraw"] is False
    assert {"id": "mentor", "outcome": "waiting", "outcome_label": "Waiting",
            "reason": PROPOSED} in seen["checks"]
    assert any(c["id"] == "author" for c in seen["checks"])  # the forge's word is still shown
    assert call(harness, ada, STAFF, "confirm_vouch", url=PR.format(n=1))[1]["completed"]


def test_course_staffs_own_vouch_counts_at_once(harness, ada):
    status, body = call(harness, ada, STAFF, "vouch", reason="I reviewed it", description=PATCH)
    assert status == 200 and (body["proposed"], body["completed"]) == (False, True)
    assert AuditEntry.objects.get().action == "vouch"


def test_staff_can_decline_a_proposal(harness, ada):
    url = propose(harness, ada, description=PATCH)[1]["contribution"]["url"]
    status, body = call(harness, ada, STAFF, "revoke_vouch", url=url, reason="not a patch")
    assert status == 200 and body["completed"] is False
    seen = contribution(harness, ada, url)
    assert seen["verdict"] == "rejected" and seen["vouch"]["withdrawn"] is True
    assert call(harness, ada, STAFF, "confirm_vouch", url=url)[0] == 404
    assert [e.action for e in AuditEntry.objects.order_by("pk")] == ["propose_vouch",
                                                                     "revoke_vouch"]


def test_without_the_setting_a_mentors_vouch_counts_at_once(harness, world):
    world.open("github", "openedx/xblock-sdk", 1, author="someone-else")
    block = harness.block('<upstream_contribution mentors=\'["mia"]\'/>', student="ada")
    harness.call(block, "register", {"url": PR.format(n=1)})
    status, body = propose(harness, block, description=PATCH)
    assert status == 200 and (body["proposed"], body["completed"]) == (False, True)


def test_with_staff_needed_a_mentor_cannot_vouch_for_an_identity(harness, ada):
    """Vouching for the author's account would settle ada's record at once: the setting's
    "counts only when course staff confirm it" would be bypassed."""
    status, body = call(harness, ada, MENTOR, "vouch_identity", reason="same person",
                        url=PR.format(n=1))
    assert (status, body["error"]["code"]) == (403, "forbidden")
    assert not ContributionAward.objects.exists()
    assert not AuditEntry.objects.filter(action="vouch_identity").exists()
    status, body = call(harness, ada, STAFF, "vouch_identity", reason="same person",
                        url=PR.format(n=1))
    assert status == 200 and body["vouched"] is True  # course staff still may
