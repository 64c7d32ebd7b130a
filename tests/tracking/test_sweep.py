"""Background sweeps against the forge simulator: batching, budgets, scheduling, awards."""

import logging
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from upstream_xblock.forges import RateLimitInfo
from upstream_xblock.models import ContributionAward, TrackedContribution
from upstream_xblock.tracking.schedule import RateBudget, Schedule
from upstream_xblock.tracking.sweep import Sweeper

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def make_sweeper(forges, awards=None):
    return Sweeper(forges, Schedule(), publisher=(awards.append if awards is not None else None))


def make_all_due():
    TrackedContribution.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))


def test_sweep_checks_every_forge_and_awards_once(forges, world, registry):
    awards = []
    registry.block()
    for kind in ("github", "gitlab", "gerrit", "gitea"):
        registry.contribution(kind, learner=f"learner-{kind}", state="merged")
    registry.contribution("github", learner="learner-open")
    stats = make_sweeper(forges, awards).run_once()
    assert (stats.due, stats.checked, stats.accepted, stats.errors) == (5, 5, 4, 0)
    assert stats.awarded == 4 and len(awards) == 4
    assert ContributionAward.objects.count() == 4
    again = make_sweeper(forges, awards).run_once()
    assert (again.due, again.checked) == (0, 0)
    make_all_due()
    make_sweeper(forges, awards).run_once()
    assert len(awards) == 4 and ContributionAward.objects.count() == 4
    merged = TrackedContribution.objects.filter(state="merged")
    assert all(row.next_check_at is None for row in merged)  # accepted ones stop


def test_github_with_a_token_is_batched(token_forges, world, registry):
    registry.block()
    for number in range(1, 251):
        registry.contribution("github", number=number, learner=f"l{number}")
    stats = make_sweeper(token_forges).run_once()
    assert stats.checked == 250
    assert len(world.requests_for("github")) == 3


def test_github_without_a_token_uses_etags(forges, world, registry):
    registry.block()
    for _ in range(3):
        registry.contribution("github")
    make_sweeper(forges).run_once()
    make_all_due()
    make_sweeper(forges).run_once()
    assert [r[3] for r in world.requests_for("github")] == [200] * 3 + [304] * 3


def test_low_budget_defers_to_the_reset(forges, world, registry):
    registry.block()
    for index in range(15):  # fifteen repositories: a listing request each
        registry.contribution("gitea", project=f"forgejo/repo-{index}")
    now = timezone.now()
    reset = now + timedelta(minutes=20)
    RateBudget().record(forges.registry.get("codeberg.org"),
                        RateLimitInfo(remaining=60, limit=5000, reset_at=reset), now)
    stats = make_sweeper(forges).run_once()
    assert (stats.checked, stats.deferred) == (10, 5)
    assert len(world.requests_for("gitea")) == 10
    deferred = TrackedContribution.objects.filter(last_checked_at__isnull=True)
    assert deferred.count() == 5
    assert all(abs((row.next_check_at - reset).total_seconds()) < 2 for row in deferred)


def test_rate_limited_answers_are_deferred_not_failed(forges, world, registry):
    registry.block()
    for _ in range(3):
        registry.contribution("github")
    world.set_rate_limit("github", remaining=0, reset_in_s=900)
    stats = make_sweeper(forges).run_once()
    assert stats.errors == 0 and stats.deferred == 3
    reset = world.rate_limits["github"].reset_at  # the reset the forge stated: 15 min on
    assert all(row.next_check_at >= reset for row in TrackedContribution.objects.all())


def test_a_host_with_no_answered_check_is_not_paced(forges, world, registry):
    """The pace counts the host's open records: only worth it when a check was answered."""
    registry.block()
    for _ in range(3):
        registry.contribution("github")
    world.set_rate_limit("github", remaining=0, reset_in_s=900)
    with CaptureQueriesContext(connection) as deferred_sweep:
        make_sweeper(forges).run_once()
    world.set_rate_limit("github", remaining=5000, limit=5000)
    cache.clear()  # forget the exhausted budget the first sweep learned
    make_all_due()
    with CaptureQueriesContext(connection) as answered_sweep:
        make_sweeper(forges).run_once()

    def counts(queries):  # the pace's count of the host's open records (not the staff
        # pages' aggregates, which the sweep's writes keep up to date: INSERT ... SELECT)
        return [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()
                and "'draft'" in q["sql"] and not q["sql"].startswith("INSERT")]
    assert counts(deferred_sweep.captured_queries) == []
    assert len(counts(answered_sweep.captured_queries)) == 1


def test_errors_back_off(forges, world, registry):
    registry.block()
    row = registry.contribution("gitea")
    world.fail_next("gitea", 500, times=1)
    stats = make_sweeper(forges).run_once()
    assert stats.errors == 1
    row.refresh_from_db()
    assert row.error_code == "forge_unavailable" and row.error_count == 1
    first_delay = row.next_check_at - row.last_checked_at
    world.fail_next("gitea", 500, times=1)
    make_all_due()
    make_sweeper(forges).run_once()
    row.refresh_from_db()
    assert row.error_count == 2
    assert row.next_check_at - row.last_checked_at == 2 * first_delay


def test_one_log_line_of_counts(forges, world, registry, caplog):
    registry.block()
    registry.contribution("gitea", state="merged")
    with caplog.at_level(logging.INFO, logger="upstream_xblock.tracking.sweep"):
        make_sweeper(forges).run_once()
    lines = [r.getMessage() for r in caplog.records if "sweep:" in r.getMessage()]
    assert lines == ["upstream_xblock sweep: due=1 checked=1 changed=1 accepted=1 "
                     "deferred_rate_limit=0 errors=0 awarded=1 not_tried=0 published=0 "
                     "caps=codeberg.org:1/1"]


def test_rules_come_from_the_block_config(forges, world, registry):
    registry.block(require_author=True)
    registry.contribution("gitea", state="merged", author="bob")
    stats = make_sweeper(forges).run_once()
    assert stats.accepted == 0
    assert TrackedContribution.objects.get().verdict == "rejected"


def test_management_command_once(settings, simulator, world, registry, capsys):
    settings.XBLOCK_SETTINGS = {"upstream_xblock": simulator.settings()}
    registry.block()
    registry.contribution("gitlab", state="merged")
    call_command("upstream_xblock_poll", "--once")
    assert "checked=1" in capsys.readouterr().out
    assert TrackedContribution.objects.get().verdict == "accepted"
    call_command("upstream_xblock_poll", "--loop", "--interval", "1", "--max-sweeps", "2")
    assert capsys.readouterr().out.count("due=0") == 2


@pytest.mark.parametrize("kind", ["gitea", "github"])
def test_a_failing_forge_does_not_hold_the_worker(forges, world, registry, kind):
    registry.block()
    for _ in range(40):
        registry.contribution(kind)
    world.fail_next(kind, 503, times=10000)
    moment = timezone.now()  # the sweep's clock, for the due times it writes
    stats = Sweeper(forges, Schedule(), clock=lambda: moment).run_once()
    assert stats.errors == 40 and stats.checked == 0
    # 8 failed records (3 tries each: one request and two bounded retries), then none.
    assert len(world.requests_for(kind)) <= 3 * (8 + 4)
    rows = TrackedContribution.objects.all()
    assert {row.error_code for row in rows} == {"forge_unavailable"}
    assert all(row.next_check_at > moment for row in rows)  # each waits its back-off


class DiesBeforeAwarding(Sweeper):
    """A worker killed between writing a host's records and awarding their learners."""

    def _after_host(self, rows, chunk, stats):  # noqa: ARG002
        raise KeyboardInterrupt("killed")


def test_a_record_is_never_settled_without_its_award(forges, world, registry):
    registry.block()
    registry.contribution("gitea", state="merged")
    with pytest.raises(KeyboardInterrupt):
        DiesBeforeAwarding(forges, Schedule()).run_once()
    row = TrackedContribution.objects.get()
    assert row.verdict == "accepted" and ContributionAward.objects.count() == 0
    assert row.next_check_at is not None and row.claim_token == ""  # due again, not settled
    later = row.next_check_at + timedelta(seconds=1)
    awards = []
    stats = Sweeper(forges, Schedule(), publisher=awards.append, clock=lambda: later).run_once()
    assert stats.awarded == 1 and len(awards) == 1
    assert TrackedContribution.objects.get().next_check_at is None
