"""The learner's request path: throttles, the shared rate budget, and the hand-off to Celery.

Where Celery runs (here: an app configured like the LMS's, on Debian's
redis-server), register and "Check now" store the record and hand the check
to a task; the answer shows it being checked and no forge is asked inside the
request. Without Celery the check is inline.
"""

from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from forge_simulator.faults import FaultServer
from tests.block.conftest import BlockHarness

# The real-broker fixtures (redis-server, an LMS-like Celery app):
from tests.tracking.conftest import lms_celery, redis_server, redis_url  # noqa: F401
from tests.waits import Waits
from upstream_xblock import tasks
from upstream_xblock.forges import RateLimitInfo
from upstream_xblock.models import TrackedContribution
from upstream_xblock.tracking.recording import NOT_FOUND_ATTEMPTS
from upstream_xblock.tracking.schedule import RateBudget

PR = "https://github.com/openedx/xblock-sdk/pull/{n}"


def register(harness, block, number):
    return harness.call(block, "register", {"url": PR.format(n=number),
                                            "forge_username": "ada"})


def open_pr(world, number, **fields):
    return world.open("github", "openedx/xblock-sdk", number, author="ada", **fields)


# -- throttles ---------------------------------------------------------------------

def test_register_and_withdraw_cycles_are_throttled(harness, world):
    open_pr(world, 1)
    block = harness.block()
    answers = []
    for _ in range(50):
        answers.append(register(harness, block, 1))
        answers.append(harness.call(block, "withdraw", {"url": PR.format(n=1)}))
    assert [status for status, _ in answers].count(200) == 24  # 12 of each, then no more
    status, body = answers[-2]
    assert status == 429 and body["error"]["code"] == "throttled"
    # At most the window (600 s) plus the time for 1 of the 12 to slide out of the next one.
    assert body["error"]["message"] and 0 < body["error"]["retry_in_s"] <= 600 + 600 // 12
    assert len(world.requests_for("github")) == 12  # not 50: the site's token is spared


def test_addresses_refused_without_a_forge_request_are_not_counted(harness, world,
                                                                     forge_settings):
    """Typos, other pages, unconfigured hosts, an address already registered: refused here
    without asking a forge, so they do not count against the learner's throttle."""
    forge_settings["throttles"] = {"register": {"limit": 2, "window_s": 600}}
    open_pr(world, 1)
    open_pr(world, 2)
    block = harness.block()
    assert register(harness, block, 1)[0] == 200
    typos = ["github.com/openedx/xblock-sdk", "https://github.com/openedx/xblock-sdk/issues/4",
             "https://example.org/pull/1", "not an address", "https://github.com/" + "a" * 3000,
             PR.format(n=1)]
    for _ in range(3):
        for typo in typos:
            status, body = harness.call(block, "register", {"url": typo})
            assert status in (400, 409) and body["error"]["code"] != "throttled", typo
    assert len(world.requests_for("github")) == 1
    assert register(harness, block, 2)[0] == 200  # the second counted request of two
    status, body = harness.call(block, "register", {"url": PR.format(n=3)})
    assert status == 429 and body["error"]["code"] == "throttled"


def test_throttles_are_per_learner_and_set_in_the_bucket(harness, world, forge_settings):
    forge_settings["throttles"] = {"check_now": {"limit": 2, "window_s": 60}}
    mia = harness.block(student="mia")
    leo = harness.block(student="leo", usage_id=mia.scope_ids.usage_id)
    codes = [harness.call(mia, "check_now")[0] for _ in range(3)]
    assert codes == [200, 200, 429]
    assert harness.call(leo, "check_now")[0] == 200


# -- the shared rate budget -----------------------------------------------------------

def test_a_spent_budget_is_not_spent_again_by_a_request(harness, world, forges):
    open_pr(world, 2)
    now = timezone.now()
    RateBudget().record(forges.registry.get("github.com"),
                        RateLimitInfo(remaining=0, limit=60, reset_at=now + timedelta(minutes=9)),
                        now)
    status, body = register(harness, harness.block(), 2)
    assert status == 200 and body["contribution"]["error"]["code"] == "rate_limited"
    assert world.requests_for("github") == []
    row = TrackedContribution.objects.get()
    assert row.next_check_at > now + timedelta(minutes=8)  # waits for the reset


# -- where Celery runs ----------------------------------------------------------------

def queued(url, queue="edx.lms.core.low"):
    return redis.Redis.from_url(url + "/0").llen(queue)


@pytest.mark.slow
def test_register_hands_the_check_to_a_task(harness, world, lms_celery, redis_url,  # noqa: F811
                                           verified_ada):
    open_pr(world, 3, state="merged")
    block = harness.block()
    status, body = register(harness, block, 3)
    assert status == 200 and world.requests_for("github") == []  # no forge inside the request
    assert body["status"]["next_check_in_s"] == 5  # the page asks again soon
    assert body["contribution"]["state"] == "unknown"
    row = TrackedContribution.objects.get()
    assert row.claim_token.startswith("task-")
    assert queued(redis_url) == 2  # this check, and the poll chain
    # The worker's side (run here): the check, the award, the claim released.
    tasks.check_contributions.run([row.pk], row.claim_token)
    status, body = harness.call(block, "status")
    assert body["contributions"][0]["state"] == "merged" and body["completed"] is True
    assert TrackedContribution.objects.get().claim_token == ""
    # "Check now" on a settled contribution hands nothing over.
    harness.call(block, "check_now")
    assert queued(redis_url) == 2


@pytest.mark.slow
def test_a_missing_contribution_is_given_up_after_a_few_tries(  # noqa: F811
        harness, world, lms_celery, redis_url):  # noqa: F811
    block = harness.block()
    status, body = register(harness, block, 404)
    assert status == 200  # handed over: the worker finds out
    for attempt in range(1, NOT_FOUND_ATTEMPTS + 1):
        row = TrackedContribution.objects.get()
        if not row.claim_token:
            TrackedContribution.objects.update(claim_token="task-x",
                                               next_check_at=timezone.now())
            row.claim_token = "task-x"
        tasks.check_contributions.run([row.pk], row.claim_token)
        row.refresh_from_db()
        assert (row.error_code, row.error_count) == ("not_found", attempt)
    assert row.next_check_at is None  # shown as not found, no longer asked about
    status, body = harness.call(block, "status")
    assert body["contributions"][0]["error"]["code"] == "not_found"
    assert len(world.requests_for("github")) == NOT_FOUND_ATTEMPTS


# -- without Celery: one short deadline for the whole request ------------------------

@pytest.fixture
def hanging_forges(settings, db):
    with FaultServer() as server:
        settings.XBLOCK_SETTINGS = {"upstream_xblock": {
            **server.settings(deadlines={"request_s": 1}),
            "polling": {"manual_min_interval_s": 1}}}
        yield server


@pytest.mark.slow
def test_a_hanging_forge_holds_a_request_one_deadline_in_all(hanging_forges, monkeypatch):
    server = hanging_forges
    harness = BlockHarness()
    block = harness.block()
    for number in range(1, 6):
        server.world.open("github", "openedx/xblock-sdk", number, author="ada")
        register(harness, block, number)  # stored, checked fine
    for number in range(1, 6):
        server.fault("github", "openedx/xblock-sdk", number, "hang")
    TrackedContribution.objects.update(last_checked_at=timezone.now() - timedelta(minutes=5))
    server.reset_counts()
    waits = Waits(monkeypatch)
    status, body = harness.call(block, "check_now")
    assert status == 200
    # Five hanging contributions, one deadline: the first request waits it out (its head
    # under a timer no longer than the request's 1 s), and no other is sent.
    assert server.count() == 1
    waits.assert_within(1.0, heads_read=1)
    errors = [c["error"]["code"] for c in body["contributions"] if c["error"]]
    assert errors == ["forge_unavailable"]  # the first one used the deadline up
    assert [c["state"] for c in body["contributions"]] == ["open"] * 5  # last good kept
