"""Every JSON handler of the block, on the workbench runtime, against the forge simulator."""

from datetime import timedelta

import pytest
from django.utils import timezone

from upstream_xblock.models import ContributionAward, TrackedContribution

# student_1 has verified the forge account "ada" (conftest), as a learner does once.
pytestmark = pytest.mark.usefixtures("verified_ada")

PR = "https://github.com/openedx/xblock-sdk/pull/{n}"


def open_pr(world, number, **fields):
    fields.setdefault("author", "ada")
    return world.open("github", "openedx/xblock-sdk", number, **fields)


def register(harness, block, number, username="ada", url=None):
    return harness.call(block, "register", {"url": url or PR.format(n=number),
                                            "forge_username": username})


# -- register -----------------------------------------------------------------

def test_register_stores_and_checks_once(harness, world):
    open_pr(world, 1, title="Fix <b>typo</b>")
    block = harness.block()
    status, body = register(harness, block, 1)
    assert status == 200
    contribution = body["contribution"]
    assert contribution["url"] == PR.format(n=1)
    assert (contribution["state"], contribution["title"]) == ("open", "Fix <b>typo</b>")
    assert contribution["repository"] == "openedx/xblock-sdk"
    assert {c["id"]: c["outcome"] for c in contribution["checks"]} == {
        "accepted": "waiting", "draft": "passed", "labels": "passed", "author": "passed"}
    assert contribution["next_check"] and contribution["last_checked"]
    assert body["status"]["completed"] is False
    assert body["status"]["summary"] == "0 of 1 accepted"
    assert TrackedContribution.objects.count() == 1
    assert len(world.requests_for("github")) == 1


@pytest.mark.parametrize("body,code,status", [
    (b"{not json", "bad_request", 400),
    (b"[1, 2]", "bad_request", 400),
    (b'"https://github.com/a/b/pull/1"', "bad_request", 400),
    (b'{"url": 5}', "bad_request", 400),
    (b'{"url": null}', "bad_request", 400),
    (b'{"url": "https://github.com/a/b/pull/1", "forge_username": ["x"]}', "bad_request", 400),
    (b"\xff\xfe", "bad_request", 400),
    (b'{"url": "' + b"x" * 20000 + b'"}', "bad_request", 413),
])
def test_register_rejects_bad_requests(harness, world, body, code, status):
    got_status, answer = harness.call(harness.block(), "register", body=body)
    assert (got_status, answer["error"]["code"]) == (status, code)
    assert answer["error"]["message"]
    assert world.requests_for() == []
    assert TrackedContribution.objects.count() == 0


def test_handlers_want_post(harness):
    status, body = harness.call(harness.block(), "status", method="GET", body=b"")
    assert (status, body["error"]["code"]) == (405, "method_not_allowed")


@pytest.mark.parametrize("url,code,reason", [
    ("https://github.com/openedx/xblock-sdk/issues/4", "invalid_url", "issue"),
    ("https://github.com/openedx/xblock-sdk", "invalid_url", "repository"),
    ("not a url at all", "invalid_url", "malformed"),
    ("https://bitbucket.org/a/b/pull-requests/1", "unsupported_host", "unconfigured_host"),
    ("http://169.254.169.254/latest/meta-data", "unsupported_host", "ip_literal"),
])
def test_register_unknown_urls(harness, world, url, code, reason):
    status, body = harness.call(harness.block(), "register", {"url": url})
    assert status == 400
    assert (body["error"]["code"], body["error"]["reason"]) == (code, reason)
    assert world.requests_for() == []


def test_duplicate_registration_in_another_form(harness, world):
    open_pr(world, 2)
    block = harness.block()
    assert register(harness, block, 2)[0] == 200
    status, body = register(harness, block, 2, url=PR.format(n=2) + "/files?diff=split")
    assert (status, body["error"]["code"]) == (400, "already_registered")
    assert TrackedContribution.objects.count() == 1


def test_forge_failure_keeps_the_registration(harness, world):
    open_pr(world, 3)
    world.fail_next("github", 503, times=3)  # the first try and both retries fail
    status, body = register(harness, harness.block(), 3)
    assert status == 200
    contribution = body["contribution"]
    assert contribution["error"]["code"] == "forge_unavailable"
    assert contribution["state"] == "unknown" and contribution["next_check"]
    row = TrackedContribution.objects.get()
    assert row.error_count == 1 and row.next_check_at > row.last_checked_at  # a back-off


def test_missing_contribution_is_refused_and_nothing_stored(harness, world):
    """Checked inline (no Celery here), a contribution the forge does not know is refused."""
    status, body = register(harness, harness.block(), 404)
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert "does not exist or is private" in body["error"]["message"]
    assert TrackedContribution.objects.count() == 0


def test_accepted_hosts_are_enforced(harness, world):
    block = harness.block('<upstream_contribution accepted_hosts=\'["gitlab.com"]\'/>')
    status, body = register(harness, block, 1)
    assert (status, body["error"]["code"]) == (400, "host_not_accepted")
    assert "gitlab.com" in body["error"]["message"]


def test_invalid_username(harness, world):
    status, body = register(harness, harness.block(), 1, username="<script>")
    assert (status, body["error"]["code"]) == (400, "invalid_username")


def test_too_many_registrations(harness, world):
    block = harness.block()
    for number in range(1, 11):
        open_pr(world, number)
        assert register(harness, block, number)[0] == 200
    open_pr(world, 11)
    status, body = register(harness, block, 11)
    assert (status, body["error"]["code"]) == (400, "too_many")


def test_username_is_remembered_across_blocks(harness, world):
    open_pr(world, 1)
    first = harness.block()
    register(harness, first, 1, username="ada")
    second = harness.block('<upstream_contribution display_name="Another"/>')
    assert second.forge_usernames == {"github.com": "ada"}


def test_author_mismatch_says_why(harness, world):
    open_pr(world, 4, author="someone-else", state="merged")
    status, body = register(harness, harness.block(), 4, username="ada")
    checks = {c["id"]: c for c in body["contribution"]["checks"]}
    assert checks["author"]["outcome"] == "failed"
    assert checks["author"]["reason"] == "Its author is someone-else, not ada."
    assert body["contribution"]["verdict"] == "rejected"
    assert body["status"]["completed"] is False


# -- status ---------------------------------------------------------------------

def test_status_inside_the_interval_never_calls_the_forge(harness, world):
    open_pr(world, 5)
    block = harness.block()
    register(harness, block, 5)
    for _ in range(5):
        status, body = harness.call(block, "status")
        assert status == 200
        assert set(body) >= {"completed", "contributions", "next_check_in_s"}
        assert 5 <= body["next_check_in_s"] <= 300
    assert len(world.requests_for("github")) == 1


def _make_due(url=None):
    rows = TrackedContribution.objects.all() if url is None else \
        TrackedContribution.objects.filter(url=url)
    rows.update(next_check_at=timezone.now() - timedelta(seconds=1))


def test_merge_completes_and_grades_once(harness, world, events):
    open_pr(world, 6)
    block = harness.block('<upstream_contribution weight="3"/>')
    register(harness, block, 6)
    world.merge("github", "openedx/xblock-sdk", 6)
    _make_due()
    status, body = harness.call(block, "status")
    assert body["completed"] is True
    assert body["next_check_in_s"] == 0
    assert body["contributions"][0]["counted"] is True
    assert "complete" in body["message"]
    for _ in range(3):
        harness.call(block, "status")
    grades = [e for e in events if e[0] == "grade"]
    completions = [e for e in events if e[0] == "completion"]
    assert grades == [("grade", {"value": 1.0, "max_value": 1.0}, str(block.scope_ids.usage_id))]
    assert [e[1] for e in completions] == [{"completion": 1.0}]
    award = ContributionAward.objects.get()
    assert award.published and award.contributions == [PR.format(n=6)]


def test_two_required(harness, world, events):
    block = harness.block('<upstream_contribution required_count="2"/>')
    for number in (7, 8):
        open_pr(world, number, state="merged")
    assert register(harness, block, 7)[1]["status"]["summary"] == "1 of 2 accepted"
    assert not [e for e in events if e[0] == "grade"]
    body = register(harness, block, 8)[1]
    assert body["status"]["completed"] is True
    assert body["status"]["summary"] == "2 of 2 accepted"
    assert len([e for e in events if e[0] == "grade"]) == 1


def test_learners_do_not_see_each_others_contributions(harness, world):
    open_pr(world, 9)
    block = harness.block()
    register(harness, block, 9)
    other = harness.block(student="student_2", usage_id=block.scope_ids.usage_id)
    assert harness.call(other, "status")[1]["contributions"] == []


# -- check now --------------------------------------------------------------------

def test_check_now_is_limited(harness, world):
    open_pr(world, 10)
    block = harness.block()
    register(harness, block, 10)
    status, body = harness.call(block, "check_now")
    assert (status, body["error"]["code"]) == (429, "too_soon")
    assert 1 <= body["error"]["retry_in_s"] <= 30
    assert len(world.requests_for("github")) == 1
    TrackedContribution.objects.update(last_checked_at=timezone.now() - timedelta(minutes=1))
    world.merge("github", "openedx/xblock-sdk", 10)
    status, body = harness.call(block, "check_now")
    assert status == 200 and body["completed"] is True
    assert len(world.requests_for("github")) == 2


# -- withdraw ---------------------------------------------------------------------

def test_withdraw(harness, world):
    open_pr(world, 11)
    block = harness.block()
    register(harness, block, 11)
    status, body = harness.call(block, "withdraw", {"url": PR.format(n=11) + "#top"})
    assert status == 200 and body["contributions"] == []
    status, body = harness.call(block, "withdraw", {"url": PR.format(n=11)})
    assert (status, body["error"]["code"]) == (404, "not_registered")
    status, body = harness.call(block, "withdraw", {"url": 11})
    assert (status, body["error"]["code"]) == (400, "bad_request")


def test_counted_contribution_cannot_be_withdrawn(harness, world):
    open_pr(world, 12, state="merged")
    block = harness.block()
    register(harness, block, 12)
    status, body = harness.call(block, "withdraw", {"url": PR.format(n=12)})
    assert (status, body["error"]["code"]) == (409, "already_counted")


# -- configuration ------------------------------------------------------------------

def test_malformed_configuration_answers_503_without_secrets(harness, settings, world):
    settings.XBLOCK_SETTINGS = {"upstream_xblock": {"forges": [
        {"kind": "nope", "host": "github.com", "token": "ghp_secret"}]}}
    status, body = register(harness, harness.block(), 1)
    assert (status, body["error"]["code"]) == (503, "configuration_error")
    assert "ghp_secret" not in str(body)


def test_a_record_held_by_a_sweep_is_shown_as_being_checked(harness, world):
    open_pr(world, 13)
    block = harness.block()
    register(harness, block, 13)
    lease = timezone.now() + timedelta(minutes=10)
    TrackedContribution.objects.update(next_check_at=lease, claim_token="sweep-1",
                                       last_checked_at=timezone.now() - timedelta(minutes=5))
    status, body = harness.call(block, "status")
    assert body["next_check_in_s"] == 5  # asks again soon, not after the sweep's lease
    assert body["contributions"][0]["next_check"] < lease.isoformat()
    status, body = harness.call(block, "check_now")
    assert len(world.requests_for("github")) == 1  # the sweep checks it, not this request


# -- numbers and text no database holds (also run on MariaDB) ---------------------------

@pytest.mark.parametrize("handler,body", [
    ("audit", {"filters": {"job": 10 ** 30}}), ("audit", {"filters": {"job": -1}}),
    ("audit", {"filters": {"job": 2 ** 63}}), ("bulk_job", {"job": 10 ** 30}),
    ("bulk_job", {"job": 0}),
])
def test_a_job_number_no_database_holds_is_a_bad_request(harness, settings, handler, body):
    settings.UPSTREAM_XBLOCK_DEMO_STAFF = ["sam"]
    status, answer = harness.call(harness.block(student="sam"), handler, body)
    assert (status, answer["error"]["code"]) == (400, "bad_request")


@pytest.mark.parametrize("text", ["\ud800", "ada\x00"])
def test_text_no_database_holds_is_a_bad_request(harness, world, text):
    """A lone surrogate or a NUL: 400, not the driver's error (MariaDB and SQLite alike)."""
    block = harness.block()
    for handler, body in [("register", {"url": PR.format(n=1), "forge_username": text}),
                          ("forget_account", {"host": "github.com", "account_id": text}),
                          ("withdraw", {"url": text})]:
        status, answer = harness.call(block, handler, body)
        assert (status, answer["error"]["code"]) == (400, "bad_request"), handler
    assert TrackedContribution.objects.count() == 0 and world.requests_for() == []
