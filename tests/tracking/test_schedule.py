"""When a contribution is checked next: paced by the rate budget, never slower than asked."""

from datetime import datetime, timezone

from upstream_xblock.tracking.schedule import Schedule

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def next_in_s(schedule, **kwargs):
    due = schedule.after_check(state="open", verdict="pending", registered_at=NOW, now=NOW,
                               **kwargs)
    return (due - NOW).total_seconds()


def test_the_budget_pace_is_floored_at_budget_min_s():
    assert next_in_s(Schedule(), pace_s=5, likely=True) == 60
    assert next_in_s(Schedule(), pace_s=100, likely=True) == 100
    assert next_in_s(Schedule(), pace_s=100) == 200  # the unlikely ones at twice the pace


def test_an_operator_asking_for_faster_checks_gets_them_from_sweeps_too():
    # The demo's --check-every 2: a sweep must not push the next check a minute away.
    fast = Schedule(open_min_s=2)
    assert next_in_s(fast, pace_s=1, likely=True) == 2
    assert next_in_s(fast) == 2


def test_paced_checks_never_wait_longer_than_open_max_s():
    assert next_in_s(Schedule(), pace_s=10**6) == Schedule().open_max_s
