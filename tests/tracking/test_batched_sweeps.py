"""Sweeps read every forge through its batch read, and pace open contributions by the budget."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from upstream_xblock.forges import Forges, RateLimitInfo
from upstream_xblock.models import TrackedContribution
from upstream_xblock.tracking.schedule import RateBudget, Schedule
from upstream_xblock.tracking.sweep import Sweeper

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_budget():
    cache.clear()  # the rate budget the forges stated lives in the cache


def _seconds_to_next_check(host, moment):
    """Each record's wait, from the ``moment`` the sweep that wrote it read on its clock."""
    return sorted((row.next_check_at - moment).total_seconds()
                  for row in TrackedContribution.objects.filter(host=host))


def _sweep_at_one_moment(forges, schedule):
    """Every record due, and one sweep whose clock stands still: its moment."""
    moment = timezone.now()
    TrackedContribution.objects.update(next_check_at=moment)
    Sweeper(forges, schedule, clock=lambda: moment).run_once()
    return moment


def test_a_sweep_reads_gitlab_gerrit_and_gitea_in_one_request_each(forges, world, registry):
    registry.block()
    for index in range(30):
        registry.contribution("gitlab", learner=f"gl-{index}", state="merged")
    for index in range(20):
        registry.contribution("gerrit", learner=f"ge-{index}", state="merged")
    for index in range(3):
        registry.contribution("gitea", learner=f"gt-{index}", state="merged")
    stats = Sweeper(forges, Schedule()).run_once()
    assert stats.checked == 53 and stats.awarded == 53
    assert len(world.requests_for("gitlab")) == 1
    assert len(world.requests_for("gerrit")) == 1
    # Gitea: one listing of the repository's recently updated pull requests.
    assert [r[2].split("?")[0] for r in world.requests_for("gitea")] == [
        "/gitea/api/v1/repos/forgejo/forgejo/pulls"]


def test_a_missing_merge_request_in_a_batch_is_its_own_error(forges, world, registry):
    registry.block()
    kept = [registry.contribution("gitlab", learner=f"gl-{i}", state="merged") for i in range(4)]
    gone = registry.contribution("gitlab", learner="gone")
    world.contributions.pop(("gitlab", gone.project.lower(), gone.number))
    stats = Sweeper(forges, Schedule()).run_once()
    assert (stats.checked, stats.errors, stats.awarded) == (4, 1, 4)
    assert TrackedContribution.objects.get(pk=gone.pk).error_code == "not_found"
    assert all(TrackedContribution.objects.get(pk=r.pk).verdict == "accepted" for r in kept)
    assert len(world.requests_for("gitlab")) == 1


def test_gitlab_approvals_asked_only_where_the_rules_need_them(forges, world, registry):
    registry.block(count_approved=True)
    for index in range(5):
        registry.contribution("gitlab", learner=f"gl-{index}")
    Sweeper(forges, Schedule()).run_once()
    paths = [r[2] for r in world.requests_for("gitlab")]
    assert sum(not p.endswith("/approvals") for p in paths) == 1  # the batch read
    assert sum(p.endswith("/approvals") for p in paths) == 5  # the open ones' approvals only


def _open_on_github(registry, count):
    registry.block()
    for index in range(count):
        registry.contribution("github", learner=f"gh-{index}")


def _sweep_twice(simulator, limit):
    """The first sweep learns the budget the forge states; the second paces by it (its
    moment is returned)."""
    simulator.world.set_rate_limit("github", remaining=limit, limit=limit)
    forges = Forges.from_settings(simulator.settings(github_token="sim-token"))
    _sweep_at_one_moment(forges, Schedule())
    return _sweep_at_one_moment(forges, Schedule())


def _next_checks(host):
    return {row.next_check_at for row in TrackedContribution.objects.filter(host=host)}


def test_open_contributions_are_checked_more_often_with_more_budget(simulator, registry):
    _open_on_github(registry, 300)
    moment = _sweep_twice(simulator, 100)
    # 100 points an hour, half of it: 50 points; 300 open cost 6 points a read: a pace of
    # 432 s, a slot of 480 (whole minutes); one likely to have changed is due a slot on,
    # the others (these, opened a day ago, quiet) two: all at one slot boundary.
    (small,) = _next_checks("github.com")
    assert small.timestamp() % 480 == 0
    assert 480 < _seconds_to_next_check("github.com", moment)[0] <= 960
    cache.clear()
    moment = _sweep_twice(simulator, 400)
    (large,) = _next_checks("github.com")  # four times the budget: four times as often
    assert large.timestamp() % 120 == 0
    assert 120 < _seconds_to_next_check("github.com", moment)[0] <= 240


def test_the_budget_share_is_configurable(simulator, registry):
    _open_on_github(registry, 300)
    simulator.world.set_rate_limit("github", remaining=100, limit=100)
    forges = Forges.from_settings(simulator.settings(github_token="sim-token"))
    schedule = Schedule.from_settings({"polling": {"budget_share_percent": 25}})
    Sweeper(forges, schedule).run_once()
    moment = _sweep_at_one_moment(forges, schedule)
    # A quarter of the budget: a pace of 864 s, slots of 900, the quiet ones two slots on.
    (due,) = _next_checks("github.com")
    assert due.timestamp() % 900 == 0
    assert 900 < _seconds_to_next_check("github.com", moment)[0] <= 1800


def test_contributions_quiet_for_a_day_wait_twice_as_long(simulator, registry, world):
    _open_on_github(registry, 300)
    for row in TrackedContribution.objects.all():
        world.edit("github", row.project, row.number,
                   created_at=timezone.now() - timedelta(days=3))
    first = TrackedContribution.objects.order_by("pk")[0]
    world.approve("github", first.project, first.number)
    moment = _sweep_twice(simulator, 100)
    waits = _seconds_to_next_check("github.com", moment)
    assert waits[0] <= 480  # approved and waiting for a merge: the next slot boundary
    assert 480 < waits[1] and waits[-1] <= 960  # the others: the one after


def test_a_small_course_is_never_checked_more_often_than_the_floor(simulator, registry):
    _open_on_github(registry, 3)
    moment = _sweep_twice(simulator, 5000)
    assert all(wait >= Schedule().budget_min_s
               for wait in _seconds_to_next_check("github.com", moment))


def _github_with_points_left(simulator, points):
    """Forges whose GitHub budget (in the shared cache) has ``points`` beyond the reserve."""
    forges = Forges.from_settings(simulator.settings(github_token="sim-token"))
    now = timezone.now()
    budget = RateBudget()
    budget.record(forges.registry.get("github.com"),
                  RateLimitInfo(remaining=budget.reserve + points, limit=5000,
                                reset_at=now + timedelta(minutes=20)), now)
    return forges


def test_a_low_github_budget_admits_what_its_points_read(simulator, registry):
    """A page of 100 costs 2 points (forges/plans.py): 2 points spare, 100 checked."""
    registry.block()
    for _ in range(130):
        registry.contribution("github")
    stats = Sweeper(_github_with_points_left(simulator, 2), Schedule()).run_once()
    assert (stats.checked, stats.deferred) == (100, 30)


def test_the_rate_budget_caps_a_pass_and_the_log_line_says_so(simulator, registry, caplog):
    """No fixed cap: what a host's budget has left decides how much of its due set is read;
    the rest waits for the budget's reset, and the log line says which host stopped short."""
    registry.block()
    for index in range(500):
        registry.contribution("github", learner=f"gh-{index}")
    forges = _github_with_points_left(simulator, 4)
    with caplog.at_level("INFO", logger="upstream_xblock.tracking.sweep"):
        stats = Sweeper(forges, Schedule()).run_once()
    assert (stats.checked, stats.deferred) == (200, 300)  # 4 points: two pages of 100
    assert stats.caps == ["github.com:200/500:rate_budget"]
    assert "caps=github.com:200/500:rate_budget" in caplog.text


@pytest.mark.slow
def test_a_pass_over_more_than_ten_thousand_records_is_one_sweep(simulator, registry):
    """10,200 due records and budgets that allow them: one sweep reads them all (the old
    fixed cap read 10,000), in pages of 100."""
    registry.block()
    now = timezone.now()
    rows = []
    for number in range(1, 10_201):
        simulator.world.open("github", "course/app", number, author=f"dev-{number}")
        rows.append(TrackedContribution(
            usage_key="block-1", learner_id=f"l{number}", kind="github", host="github.com",
            project="course/app", number=number, registered_at=now, next_check_at=now,
            url=f"https://github.com/course/app/pull/{number}"))
    TrackedContribution.objects.bulk_create(rows, batch_size=1000)
    simulator.world.set_rate_limit("github", remaining=10**6, limit=10**6)
    forges = Forges.from_settings(simulator.settings(github_token="sim-token"))
    stats = Sweeper(forges, Schedule(sweep_budget_s=3600, sweep_host_budget_s=600)).run_once()
    assert stats.checked == 10_200 and stats.caps == ["github.com:10200/10200"]
    assert len(simulator.world.requests_for("github")) == 102


def test_a_gitea_listing_stops_only_at_the_last_good_read(forges, world, registry):
    """A record whose last check failed is not taken as unchanged since that failure: the
    forge may have changed between its last good read and the failure."""
    registry.block()
    row = registry.contribution("gitea", state="open")
    Sweeper(forges, Schedule()).run_once()  # a good read: a snapshot
    world.merge("gitea", row.project, row.number)
    now = timezone.now()
    world.get("gitea", row.project, row.number).updated_at = now - timedelta(minutes=8)
    for number in range(5000, 5060):  # a busy repository: a first page of newer updates
        world.open("gitea", row.project, number, updated_at=now - timedelta(minutes=3))
    TrackedContribution.objects.filter(pk=row.pk).update(
        next_check_at=now, last_checked_at=now, error_count=1, error_code="forge_unavailable")
    Sweeper(forges, Schedule()).run_once()
    row.refresh_from_db()
    assert (row.state, row.verdict, row.error_count) == ("merged", "accepted", 0)
