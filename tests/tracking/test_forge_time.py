"""Time from forges is bounded everywhere: resets in year 9999, ``inf``, ``1e18``.

A rate-limit reset or ``Retry-After`` is believed up to the configured maximum
wait (``polling.max_wait_s``); nothing in scheduling overflows; a host parked
by a far reset is asked again when that cap passes and recovers at its first
good answer; a value that is not a sane number is ignored with a log line.
"""

import logging
from datetime import datetime, timedelta, timezone

import pytest
from django.utils import timezone as django_timezone

from forge_simulator.faults import FaultServer
from upstream_xblock.forges import FetchResult, Forges, RateLimited, RateLimitInfo
from upstream_xblock.forges.errors import limit_reset, sanitize_rate_headers
from upstream_xblock.models import TrackedContribution
from upstream_xblock.policy import Rules
from upstream_xblock.tracking.schedule import RateBudget, Schedule
from upstream_xblock.tracking.service import BlockContext, ContributionTracker
from upstream_xblock.tracking.sweep import Sweeper

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
YEAR_9999 = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)


@pytest.mark.parametrize("reset_at", [YEAR_9999, datetime(2200, 1, 1, tzinfo=timezone.utc)])
def test_a_far_reset_is_believed_up_to_the_configured_maximum_wait(reset_at):
    schedule = Schedule.from_settings({"polling": {"max_wait_s": 900}})
    due = schedule.after_error(error=RateLimited("limited", reset_at=reset_at), error_count=1,
                               now=NOW)
    assert due == NOW + timedelta(seconds=901)
    assert schedule.after_error(error=None, error_count=1, now=NOW, reset_at=reset_at) == due
    assert Schedule().max_wait_s == 3600


@pytest.mark.parametrize("value", [1e18, float("inf"), 10 ** 30, True])
def test_no_polling_setting_makes_the_schedule_overflow(value):
    keys = ("open_min_s", "open_max_s", "closed_every_s", "error_min_s", "error_max_s",
            "max_wait_s", "budget_min_s")
    schedule = Schedule.from_settings({"polling": {key: value for key in keys}})
    for state in ("open", "closed"):
        schedule.after_check(state=state, verdict="pending", registered_at=NOW, now=NOW)
        schedule.after_check(state=state, verdict="pending", registered_at=NOW, now=NOW,
                             pace_s=10 ** 12)
    schedule.after_error(error=None, error_count=10 ** 6, now=NOW)
    schedule.after_error(error=RateLimited("x", reset_at=YEAR_9999), error_count=1, now=NOW)


@pytest.mark.parametrize("headers,expected", [
    ({"X-RateLimit-Reset": "253402300799"}, NOW + timedelta(days=1)),
    ({"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}, NOW + timedelta(days=1)),
    ({"X-RateLimit-Reset": "inf"}, None), ({"RateLimit-Reset": "1e18"}, None),
    ({"Retry-After": "inf"}, None), ({"Retry-After": "-5"}, None),
    ({"X-RateLimit-Reset": "nan"}, None), ({"RateLimit-Reset": "99999999999999999"}, None),
])
def test_insane_reset_headers_are_bounded_or_ignored_with_a_log_line(headers, expected, caplog):
    with caplog.at_level(logging.INFO, logger="upstream_xblock.forges.errors"):
        assert limit_reset(headers, NOW) == expected
    assert (expected is None) == any("ignored the forge's" in r.message for r in caplog.records)


def test_the_transport_makes_rate_headers_sane_before_a_library_reads_them():
    headers = {"X-RateLimit-Limit": "inf", "X-RateLimit-Remaining": "1e18",
               "X-RateLimit-Reset": "253402300799", "Retry-After": "99999999",
               "RateLimit-Reset": "-1", "ETag": "W/\"1\""}
    sane = sanitize_rate_headers(dict(headers), NOW)
    assert sane == {"X-RateLimit-Reset": str(int((NOW + timedelta(days=1)).timestamp())),
                    "Retry-After": "86400", "ETag": "W/\"1\""}


def _forge():
    return Forges.from_settings({}).registry.get("github.com")


def test_a_parked_host_is_tried_again_when_its_cap_passes_and_recovers_at_a_good_answer():
    budget, forge = RateBudget(max_wait_s=600), _forge()
    budget.note(forge, RateLimited("limited", reset_at=YEAR_9999), NOW)
    assert budget.available(forge, NOW) == (0, NOW + timedelta(seconds=600))
    later = NOW + timedelta(seconds=601)
    assert budget.available(forge, later) == (None, None)  # asked again once the cap passed
    budget.note(forge, RateLimited("limited", reset_at=YEAR_9999), later)
    assert budget.available(forge, later)[0] == 0
    budget.note(forge, FetchResult(snapshot=None), later)  # Gerrit/Gitea: no rate headers
    assert budget.available(forge, later) == (None, None)
    budget.note(forge, FetchResult(snapshot=None, rate_limit=RateLimitInfo(
        remaining=4000, limit=5000, reset_at=YEAR_9999)), later)
    assert budget.available(forge, later) == (3950, later + timedelta(seconds=600))


@pytest.fixture
def fault_server():
    with FaultServer() as server:
        yield server


def _tracker(forges, learner="ada", usage="block-time"):
    return ContributionTracker(BlockContext(usage_key=usage, learner_id=learner,
                                            rules=Rules(require_author=False)),
                               forges, Schedule(max_wait_s=600), hand_off=lambda _rows, _now: None)


@pytest.mark.django_db
@pytest.mark.parametrize("fault", ["reset_year_9999", "reset_inf"])
@pytest.mark.parametrize("kind,url", [
    ("github", "https://github.com/far/reset/pull/1"),
    ("gitlab", "https://gitlab.com/far/reset/-/merge_requests/1"),
    ("gerrit", "https://review.opendev.org/c/far/reset/+/1"),
    ("gitea", "https://codeberg.org/far/reset/pulls/1")])
def test_a_registration_under_a_far_or_insane_reset_is_kept_unclaimed_and_bounded(
        fault_server, kind, url, fault):
    fault_server.fault(kind, "far/reset", 1, fault)
    forges = Forges.from_settings(fault_server.settings())
    now = django_timezone.now()
    row, _rows, _award = _tracker(forges).register(url)
    row.refresh_from_db()
    assert row.error_code == "rate_limited" and not row.claim_token
    assert now < row.next_check_at <= django_timezone.now() + timedelta(seconds=601)


@pytest.mark.django_db(transaction=True)
def test_a_sweep_asks_a_parked_host_again_after_the_cap_and_recovers(fault_server):
    """GitHub said "no more until 9999": parked for the cap (10 minutes here), not 7,973 years.
    Then one request; the forge answers again, and every parked record of the host is read."""
    forges = Forges.from_settings(fault_server.settings())
    schedule = Schedule(max_wait_s=600)
    for number in (1, 2, 3):
        fault_server.world.open("github", "far/parked", number, state="merged")
    rows = [TrackedContribution.objects.create(
        usage_key="block-time", learner_id=f"learner-{n}", kind="github", host="github.com",
        project="far/parked", number=n, url=f"https://github.com/far/parked/pull/{n}",
        registered_at=django_timezone.now(), next_check_at=django_timezone.now())
        for n in (1, 2, 3)]
    fault_server.fault("github", "far/parked", 1, "reset_year_9999")
    clock = [django_timezone.now()]
    sweeper = Sweeper(forges, schedule, budget=RateBudget(max_wait_s=600),
                      clock=lambda: clock[0])
    sweeper.run_once()
    parked = {r.pk: r.next_check_at for r in TrackedContribution.objects.all()}
    assert all(due <= clock[0] + timedelta(seconds=601) for due in parked.values())
    assert TrackedContribution.objects.filter(error_code="rate_limited").exists()
    asked = fault_server.count()
    clock[0] += timedelta(seconds=300)  # the cap has not passed: nothing is asked
    Sweeper(forges, schedule, budget=RateBudget(max_wait_s=600),
            clock=lambda: clock[0]).run_once()
    assert fault_server.count() == asked
    fault_server.fault("github", "far/parked", 1, "healthy")
    clock[0] += timedelta(seconds=302)
    Sweeper(forges, schedule, budget=RateBudget(max_wait_s=600),
            clock=lambda: clock[0]).run_once()
    assert {r.pk: r.state for r in TrackedContribution.objects.all()} == {
        row.pk: "merged" for row in rows}
