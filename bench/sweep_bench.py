"""Sweep 10,000 due GitHub records against the forge simulator, with and without batching.

Prints the forge requests each way, their ratio, and the database queries: per
record checked and per award (counts, not timings). Run from the repository root:

    .venv/bin/python bench/sweep_bench.py [--records 10000] [--merged-every 10]
"""

import argparse
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.django_env import start_django  # noqa: E402

start_django(logging.WARNING)  # one line per award otherwise

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.figures import figure  # noqa: E402
from forge_simulator import ForgeSimulator  # noqa: E402
from forge_simulator.shapes import project_id as account_id_of  # noqa: E402
from upstream_xblock.forges import Forges  # noqa: E402
from upstream_xblock.models import (  # noqa: E402
    BlockConfig,
    ContributionAward,
    ContributionCredit,
    TrackedContribution,
    VerifiedForgeAccount,
)
from upstream_xblock.policy import Rules  # noqa: E402
from upstream_xblock.tracking.schedule import Schedule  # noqa: E402
from upstream_xblock.tracking.sweep import Sweeper  # noqa: E402

PROJECT = "openedx/xblock-sdk"


def seed(world, records, merged_every):
    now = timezone.now()
    BlockConfig.objects.create(usage_key="bench-block", rules=Rules().to_dict(), required_count=1)
    rows, accounts = [], []
    for number in range(1, records + 1):
        merged = number % merged_every == 0
        login = f"learner-{number}"  # each learner authored their own and verified the account
        world.open("github", PROJECT, number, author=login,
                   state="merged" if merged else "open")
        rows.append(TrackedContribution(
            usage_key="bench-block", learner_id=login, kind="github",
            host="github.com", project=PROJECT, number=number, forge_username=login,
            url=f"https://github.com/{PROJECT}/pull/{number}", registered_at=now,
            next_check_at=now))
        accounts.append(VerifiedForgeAccount(
            learner_id=login, host="github.com", account_id=str(account_id_of(login)),
            username=login, method="oauth", verified_at=now))
    TrackedContribution.objects.bulk_create(rows, batch_size=1000)
    VerifiedForgeAccount.objects.bulk_create(accounts, batch_size=1000)


def reset():
    """Every record due again, as if never checked; no awards, no credits."""
    ContributionAward.objects.all().delete()
    ContributionCredit.objects.all().delete()
    TrackedContribution.objects.update(
        next_check_at=timezone.now(), etag="", snapshot=None, state="", verdict="", checks=[],
        last_checked_at=None, accepted_at=None, awarded_at=None, qualified_at=None, forge_id="")
    cache.clear()


def sweep(simulator, token, records):
    simulator.world.clear_log()
    simulator.world.set_rate_limit("github", remaining=1_000_000, limit=1_000_000)
    forges = Forges.from_settings(simulator.settings(github_token=token))
    # Budgets wide open: this bench counts requests and queries, not time.
    schedule = Schedule(sweep_budget_s=86400, sweep_host_budget_s=86400)
    sweeper = Sweeper(forges, schedule, publisher=lambda _award: None)
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        stats = sweeper.run_once(limit=records)
    return stats, len(simulator.world.requests_for("github")), len(executed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--merged-every", type=int, default=10,
                        help="one record in N is merged (and awarded)")
    args = parser.parse_args()
    call_command("migrate", run_syncdb=True, verbosity=0)
    with ForgeSimulator() as simulator:
        seed(simulator.world, args.records, args.merged_every)
        print(f"{args.records} due GitHub records, {args.records // args.merged_every} merged "
              f"(one learner each, so as many awards)")
        results, per_record = {}, []
        for label, token in (("without batching (REST, ETags, no token)", None),
                             ("with batching (GraphQL, token)", "bench-token")):
            reset()
            stats, requests, queries = sweep(simulator, token, args.records)
            results[label] = requests
            per_record.append(queries / args.records)
            print(f"{label}: checked={stats.checked} awarded={stats.awarded} "
                  f"forge_requests={requests} db_queries={queries} "
                  f"db_queries_per_record={queries / args.records:.2f}")
        without, with_token = results.values()
        print(f"forge requests ratio (without / with batching): {without / with_token:.1f}")
        # The same sweep with nothing merged: what checking costs, apart from awarding.
        awards = args.records // args.merged_every
        for number in range(args.merged_every, args.records + 1, args.merged_every):
            simulator.world.open("github", PROJECT, number, author=f"learner-{number}",
                                 state="open")
        reset()
        _, _, checks_only = sweep(simulator, "bench-token", args.records)
        per_award = (queries - checks_only) / awards
        print(f"checks only (nothing merged): db_queries={checks_only} "
              f"per_record={checks_only / args.records:.3f}; each award: {per_award:.1f} queries")
    n = args.records
    figure(f"sweep of {n:,} GitHub records: forge requests without a token", without,
           f"{n:,} (one each)", without == n)
    figure(f"sweep of {n:,} GitHub records: forge requests with a token (GraphQL)",
           with_token, f"<= {n // 100:,}", with_token <= n // 100)
    # Checking is paid per record, awarding per learner who earned it (their records, whom
    # the contribution counts for, the award, the records that counted, the outbox's claim
    # and mark): two figures, not one blend that depends on how many were merged.
    figure("sweep: database queries per record checked (nothing to award)",
           round(checks_only / n, 3), "<= 0.05", checks_only / n <= 0.05)
    figure("sweep: database queries per award", round(per_award, 1), "<= 12", per_award <= 12)
    figure("sweep of 10,000 records, 1,000 awarded: database queries per record",
           round(max(per_record), 2), "<= 1.2", max(per_record) <= 1.2)


if __name__ == "__main__":
    main()
