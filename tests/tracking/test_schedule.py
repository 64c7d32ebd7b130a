"""When a contribution is checked next: paced by the rate budget, never slower than asked."""

from datetime import datetime, timedelta, timezone

from upstream_xblock.tracking.schedule import Schedule

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def next_in_s(schedule, **kwargs):
    due = schedule.after_check(state="open", verdict="pending", registered_at=NOW, now=NOW,
                               **kwargs)
    return (due - NOW).total_seconds()


def test_the_budget_pace_is_floored_at_budget_min_s():
    assert next_in_s(Schedule(), pace_s=5, likely=True) == 60
    # A pace of 100 s is a slot of 120 (whole minutes): NOW is on a slot boundary.
    assert next_in_s(Schedule(), pace_s=100, likely=True) == 120
    assert next_in_s(Schedule(), pace_s=100) == 240  # the unlikely ones at twice the pace


def test_records_read_at_different_moments_come_due_together():
    """The host's slots: whatever moment of a slot a record was read at, it is due at the
    same boundary, and the host's records are read together (a listing, a page of 100)."""
    schedule = Schedule()
    slot = 420  # a pace of 400 s, in whole minutes
    start = datetime.fromtimestamp(NOW.timestamp() // slot * slot, tz=timezone.utc)
    dues = {schedule.after_check(state="open", verdict="pending", registered_at=NOW,
                                 now=start + timedelta(seconds=offset), pace_s=400)
            for offset in (1, 95, 230, 419)}
    assert dues == {start + timedelta(seconds=2 * slot)}  # the quiet ones: two slots on


def test_an_operator_asking_for_faster_checks_gets_them_from_sweeps_too():
    # The demo's --check-every 2: a sweep must not push the next check a minute away.
    fast = Schedule(open_min_s=2)
    assert next_in_s(fast, pace_s=1, likely=True) == 2
    assert next_in_s(fast) == 2


def test_paced_checks_never_wait_longer_than_open_max_s():
    assert next_in_s(Schedule(), pace_s=10**6) == Schedule().open_max_s
