"""Sweeps read every forge through its batch read, and pace open contributions by the budget."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from upstream_xblock.forges import Forges, RateLimitInfo
from upstream_xblock.models import TrackedContribution
from upstream_xblock.tracking.budget import RateBudget
from upstream_xblock.tracking.schedule import Schedule
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


def test_a_sweep_reads_gitlab_and_gerrit_in_one_request_each(forges, world, registry):
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
    assert len(world.requests_for("gitea")) == 3  # no batch read there


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


def test_open_contributions_are_checked_more_often_with_more_budget(simulator, registry):
    _open_on_github(registry, 300)
    moment = _sweep_twice(simulator, 100)
    # 100 points an hour, half of it: 50 points, 2,500 pull requests; 300 open: 432 s for
    # one likely to have changed, 864 s for the others (these, opened a day ago, quiet).
    assert set(_seconds_to_next_check("github.com", moment)) == {864}
    cache.clear()
    moment = _sweep_twice(simulator, 400)
    # Four times the budget: four times as often.
    assert set(_seconds_to_next_check("github.com", moment)) == {216}


def test_the_budget_share_is_configurable(simulator, registry):
    _open_on_github(registry, 300)
    simulator.world.set_rate_limit("github", remaining=100, limit=100)
    forges = Forges.from_settings(simulator.settings(github_token="sim-token"))
    schedule = Schedule.from_settings({"polling": {"budget_share_percent": 25}})
    Sweeper(forges, schedule).run_once()
    moment = _sweep_at_one_moment(forges, schedule)
    # A quarter: twice the wait.
    assert set(_seconds_to_next_check("github.com", moment)) == {1728}


def test_contributions_quiet_for_a_day_wait_twice_as_long(simulator, registry, world):
    _open_on_github(registry, 300)
    for row in TrackedContribution.objects.all():
        world.edit("github", row.project, row.number,
                   created_at=timezone.now() - timedelta(days=3))
    first = TrackedContribution.objects.order_by("pk")[0]
    world.approve("github", first.project, first.number)
    moment = _sweep_twice(simulator, 100)
    waits = _seconds_to_next_check("github.com", moment)
    assert waits[0] == 432  # approved and waiting for a merge
    assert set(waits[1:]) == {864}  # the others


def test_a_small_course_is_never_checked_more_often_than_the_floor(simulator, registry):
    _open_on_github(registry, 3)
    moment = _sweep_twice(simulator, 5000)
    assert set(_seconds_to_next_check("github.com", moment)) == {Schedule().budget_min_s}


def test_a_low_github_budget_admits_what_its_points_read(simulator, registry):
    """A GraphQL point reads 50 pull requests (pace.per_unit): 2 points spare, 100 checked."""
    registry.block()
    for _ in range(130):
        registry.contribution("github")
    forges = Forges.from_settings(simulator.settings(github_token="sim-token"))
    now = timezone.now()
    budget = RateBudget()
    budget.record(forges.registry.get("github.com"),
                  RateLimitInfo(remaining=budget.reserve + 2, limit=5000,
                                reset_at=now + timedelta(minutes=20)), now)
    stats = Sweeper(forges, Schedule()).run_once()
    assert (stats.checked, stats.deferred) == (100, 30)
