"""Whatever a caller sends to ``vouch``, a bad request is a 4xx with a clear code and stores
nothing (no record, no award, no credit)."""

import pytest

from tests.mentors.conftest import MENTOR, MENTORED_XML, PR, STAFF, as_user
from upstream_xblock.models import ContributionAward, ContributionCredit, TrackedContribution

GOOD = {"learner_id": "ada", "reason": "applied upstream by the maintainer"}
HOSTILE = [
    ({"reason": "x" * 501, "description": "ok"}, "bad_request"),
    ({"reason": "ok", "description": "d" * 2001}, "bad_request"),
    ({"reason": "ok\x00", "description": "ok"}, "bad_request"),
    ({"reason": "line\nbreak", "description": "ok"}, "bad_request"),
    ({"reason": "ok", "description": "bell\x07"}, "bad_request"),
    ({"reason": "ok", "description": "right-to-left \u202e override"}, "bad_request"),
    ({"reason": "   ", "description": "ok"}, "bad_request"),
    ({"reason": 42, "description": "ok"}, "bad_request"),
    ({"reason": ["ok"], "description": "ok"}, "bad_request"),
    ({"reason": "ok", "description": {"text": "ok"}}, "bad_request"),
    ({"reason": "ok", "url": 7}, "bad_request"),
    ({"reason": "ok"}, "bad_request"),  # neither an address nor a description
    ({"reason": "ok", "url": "https://example.org/" + "a" * 500}, "bad_request"),
    ({"reason": "ok", "url": "javascript:alert(1)"}, "invalid_url"),
    ({"reason": "ok", "url": "ftp://lists.example.org/patch"}, "invalid_url"),
    ({"reason": "ok", "url": "https://user:secret@lists.example.org/p"}, "invalid_url"),
    ({"reason": "ok", "url": "https://exa mple.org/p"}, "invalid_url"),
    ({"reason": "ok", "url": "https:///no-host"}, "invalid_url"),
    ({"reason": "ok", "url": "https://example.org:99999/p"}, "invalid_url"),
    ({"reason": "ok", "url": "https://ex<a>mple.org/p"}, "invalid_url"),
    ({"learner_id": 5, "reason": "ok", "description": "ok"}, "bad_request"),
    ({"learner_id": "x" * 300, "reason": "ok", "description": "ok"}, "bad_request"),
    ({"learner_id": "stranger", "reason": "ok", "description": "ok"}, "unknown_learner"),
    ({"reason": "ok", "description": "lone \ud800 surrogate"}, "bad_request"),
    ({"reason": "ok\udfff", "url": "https://lists.example.org/p"}, "bad_request"),
    ({"reason": "ok", "url": "https://lists.example.org/\ud800"}, "bad_request"),
    ({"learner_id": "ada\ud800", "reason": "ok", "description": "ok"}, "bad_request"),
]


@pytest.fixture
def ada(harness, world):
    world.open("github", "openedx/xblock-sdk", 1, author="someone-else")
    block = harness.block(MENTORED_XML, student="ada")
    assert harness.call(block, "register", {"url": PR.format(n=1),
                                            "forge_username": "ada"})[0] == 200
    return block


def stored():
    return (TrackedContribution.objects.count(), ContributionAward.objects.count(),
            ContributionCredit.objects.count(),
            list(TrackedContribution.objects.values_list("vouched_at", flat=True)))


@pytest.mark.parametrize("payload,code", HOSTILE)
def test_hostile_vouch_is_refused_and_stores_nothing(harness, ada, payload, code):
    before = stored()
    status, body = harness.call(as_user(harness, ada, MENTOR), "vouch", {**GOOD, **payload})
    assert 400 <= status < 500 and body["error"]["code"] == code, body
    assert body["error"]["message"]
    assert stored() == before


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_refused(harness, ada, raw):
    before = stored()
    status, body = harness.call(as_user(harness, ada, MENTOR), "vouch", body=raw)
    assert 400 <= status < 500 and body["error"]["code"]
    assert stored() == before


@pytest.mark.parametrize("payload", [
    {"learner_id": "ada", "url": PR.format(n=1), "reason": "r" * 501},
    {"learner_id": "ada", "url": ["x"], "reason": "ok"},
    {"learner_id": "ada", "url": PR.format(n=1)},
])
def test_hostile_withdrawal_is_refused(harness, ada, payload):
    before = stored()
    status, body = harness.call(as_user(harness, ada, STAFF), "revoke_vouch", payload)
    assert status == 400 and body["error"]["code"] == "bad_request"
    assert stored() == before


def test_a_huge_request_is_refused_before_it_is_parsed(harness, ada):
    body = b'{"learner_id": "ada", "reason": "ok", "description": "' + b"a" * 2_000_000 + b'"}'
    before = stored()
    status, answer = harness.call(as_user(harness, ada, MENTOR), "vouch", body=body)
    assert 400 <= status < 500 and answer["error"]["code"]
    assert stored() == before
