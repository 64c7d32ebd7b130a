"""Per-learner throttles: a sliding window, exact at a window's edge, honest about when to retry."""

import pytest
from django.core.cache.backends.locmem import LocMemCache

from upstream_xblock.throttle import Throttle, Throttled


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock(1_000_020.0)  # 1,000,020 = 16,667 windows of 60 s exactly


def make(clock, limit=2, window_s=60):
    cache = LocMemCache("throttle-tests", {})
    cache.clear()
    return Throttle({"check_now": (limit, window_s)}, cache=cache, clock=clock)


def allowed(throttle, learner="mia"):
    try:
        throttle.hit("check_now", learner)
    except Throttled as refused:
        return refused.retry_in_s
    return True


@pytest.mark.parametrize("offset", [0.0, 0.001, 30.0, 59.0, 59.999])
def test_no_more_than_the_limit_across_a_window_edge(clock, offset):
    """A fixed window lets 2 + 2 requests through around its edge; this lets 2."""
    throttle = make(clock)
    clock.now += offset
    results = []
    for step in (0.0, 0.5, 0.5, 0.5):  # four quick requests, wherever the edge falls
        clock.now += step
        results.append(allowed(throttle))
    assert results[:2] == [True, True]
    assert all(isinstance(r, int) for r in results[2:])


def test_retry_in_s_is_when_the_next_request_is_accepted(clock):
    throttle = make(clock, limit=3, window_s=60)
    clock.now += 40
    assert [allowed(throttle) for _ in range(3)] == [True] * 3
    retry = allowed(throttle)
    assert isinstance(retry, int) and retry > 1
    start = clock.now
    clock.now = start + retry - 1
    assert allowed(throttle) is not True  # a second early is still refused
    clock.now = start + retry
    assert allowed(throttle) is True


def test_retry_in_s_when_only_the_previous_window_weighs(clock):
    throttle = make(clock, limit=4, window_s=60)
    assert [allowed(throttle) for _ in range(4)] == [True] * 4
    clock.now += 60 + 15  # next window, a quarter in: 4 * 0.75 = 3 still weigh
    assert allowed(throttle) is True  # 3 + 1 = 4
    retry = allowed(throttle)
    assert retry == 15  # at 30 s in, 4 * 0.5 + 1 + 1 = 4
    clock.now += retry - 1
    assert allowed(throttle) is not True
    clock.now += 1
    assert allowed(throttle) is True


def test_refused_requests_do_not_count(clock):
    throttle = make(clock, limit=2, window_s=60)
    assert [allowed(throttle) for _ in range(2)] == [True, True]
    retry = allowed(throttle)
    for _ in range(50):  # hammering while refused does not push the wait out
        assert allowed(throttle) == retry
    clock.now += retry
    assert allowed(throttle) is True


def test_learners_and_actions_are_counted_apart(clock):
    throttle = make(clock, limit=1)
    assert allowed(throttle, "mia") is True
    assert allowed(throttle, "mia") is not True
    assert allowed(throttle, "leo") is True
    throttle.hit("register", "mia")  # its own default limit


def test_the_bucket_sets_limits_and_bad_values_keep_the_defaults():
    throttle = Throttle.from_settings({"throttles": {
        "check_now": {"limit": 2, "window_s": 60},
        "register": {"limit": "5", "window_s": 60},
        "withdraw": {"limit": True, "window_s": 60},
        "unknown": {"limit": 1, "window_s": 1}}})
    assert throttle.limits["check_now"] == (2, 60)
    assert throttle.limits["register"] == (12, 600)
    assert throttle.limits["withdraw"] == (12, 600)
    assert "unknown" not in throttle.limits
