"""The deadline setting, and rate limits read the way each forge says them."""

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from forge_simulator.faults import FaultServer
from upstream_xblock.forges import ConfigurationError, Deadline, Deadlines, Forges, RateLimited
from upstream_xblock.forges.deadline import DEFAULT_REQUEST_S, DEFAULT_SWEEP_CHECK_S
from upstream_xblock.forges.errors import is_rate_limited, limit_reset, retry_after

from .test_clients import CASES, KINDS, _url


def test_deadlines_default_and_from_the_settings_bucket(simulator):
    assert Forges.from_settings({}).deadlines == Deadlines(DEFAULT_REQUEST_S,
                                                           DEFAULT_SWEEP_CHECK_S)
    forges = Forges.from_settings({**simulator.settings(),
                                   "deadlines": {"request_s": 2, "sweep_check_s": 12.5}})
    assert (forges.deadlines.request_s, forges.deadlines.sweep_check_s) == (2.0, 12.5)


@pytest.mark.parametrize("value", [[], {"request_s": 0}, {"request_s": -1}, {"request_s": "5"},
                                   {"request_s": True}, {"sweep_check_s": 10_000},
                                   {"connect_s": 1}])
def test_bad_deadlines_are_a_configuration_error(value):
    with pytest.raises(ConfigurationError):
        Forges.from_settings({"deadlines": value})


def test_a_deadline_counts_down_on_the_monotonic_clock():
    now = [100.0]
    deadline = Deadline(5, clock=lambda: now[0])
    assert deadline.remaining() == 5 and deadline.bound(15) == 5 and deadline.bound(2) == 2
    now[0] = 106.0
    assert deadline.expired and deadline.remaining() == 0
    with pytest.raises(Exception) as raised:
        deadline.check()
    assert (raised.value.code, raised.value.reason) == ("forge_unavailable", "deadline")


def test_an_expired_deadline_sends_no_request(forges, world):
    world.open("gitea", CASES["gitea"][0], 1)
    spent = Deadline(5, clock=iter([0.0] + [10.0] * 100).__next__)
    with pytest.raises(Exception) as raised:
        forges.fetch(forges.parse(_url("gitea", 1)), deadline=spent)
    assert raised.value.reason == "deadline"
    assert world.requests_for("gitea") == []


def test_retry_after_in_seconds_or_as_an_http_date():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert retry_after({"Retry-After": "120"}, now) == now + timedelta(seconds=120)
    date = format_datetime(now + timedelta(hours=1), usegmt=True)
    assert retry_after({"retry-after": date}, now) == now + timedelta(hours=1)
    assert retry_after({"Retry-After": "soon"}, now) is None
    assert retry_after({"Retry-After": "9" * 40}, now) is None  # no overflow, no traceback
    far = retry_after({"Retry-After": str(10 ** 9)}, now)
    assert far == now + timedelta(days=1)  # believed up to a day


@pytest.mark.parametrize("status,headers,limited", [
    (429, {}, True),
    (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1900000000"}, True),  # primary
    (403, {"X-RateLimit-Remaining": "4000", "Retry-After": "60"}, True),  # GitHub secondary
    (403, {"RateLimit-Remaining": "0"}, True),  # GitLab
    (403, {"X-RateLimit-Remaining": "4000"}, False),  # a refusal, not a limit
    (503, {"Retry-After": "60"}, False),  # unavailable, not limited
])
def test_what_counts_as_a_rate_limit(status, headers, limited):
    assert is_rate_limited(status, headers) is limited


def test_the_reset_prefers_retry_after_then_the_forges_reset_header():
    now = datetime.now(timezone.utc)
    in_an_hour = str(int(now.timestamp()) + 3600)
    assert limit_reset({"X-RateLimit-Reset": in_an_hour}, now) == datetime.fromtimestamp(
        int(in_an_hour), tz=timezone.utc)
    assert limit_reset({"RateLimit-Reset": in_an_hour, "Retry-After": "5"}, now) == \
        now + timedelta(seconds=5)
    # A reset years ahead is believed up to a day, like Retry-After.
    assert limit_reset({"X-RateLimit-Reset": "1900000000"}, now) == now + timedelta(days=1)


@pytest.mark.parametrize("kind", KINDS)
def test_each_forges_limit_is_rate_limited_with_a_reset(fault_forges, kind):
    forges, server = fault_forges
    for fault in ("rate_limited", "secondary_rate_limited"):
        server.fault(kind, "limit/me", 1, fault, reset_in_s=900)
        # The forge's 900 s run from its answer, which came between these two moments
        # (a reset given as a date or an epoch counts whole seconds).
        before = datetime.now(timezone.utc).replace(microsecond=0)
        with pytest.raises(RateLimited) as raised:
            forges.check(_url_for(kind, "limit/me", 1))
        after = datetime.now(timezone.utc)
        in_900_s = timedelta(seconds=900)
        assert before + in_900_s <= raised.value.reset_at <= after + in_900_s


def _url_for(kind, project, number):
    return {"github": f"https://github.com/{project}/pull/{number}",
            "gitlab": f"https://gitlab.com/{project}/-/merge_requests/{number}",
            "gerrit": f"https://review.opendev.org/c/{project}/+/{number}",
            "gitea": f"https://codeberg.org/{project}/pulls/{number}"}[kind]


@pytest.fixture
def fault_forges():
    with FaultServer() as server:
        yield Forges.from_settings(server.settings()), server
