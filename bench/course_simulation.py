"""A course on a virtual clock, checked by the real sweep: how late is a merge counted, per host?

The product's ``Sweeper`` runs once a virtual minute (claims, batch reads over real
HTTP against the forge simulator, which applies the forges' documented cost rules and
rate limits on the same virtual clock; the schedule paced by each host's rate budget;
awards), with the default budgets, in two cases:

- **spread**: the course of ``course.py`` (10,000 learners opening their
  contributions over the first 4 weeks of 8, merged after a long-tailed review, in
  the mix of ``mix.py``), sampled at ``--windows`` moments spread over the 8 weeks.
  Each window starts from the course's state at that moment (who registered, what
  is open on each host), warms up ``WARMUP`` virtual minutes so that every record is
  on the product's own schedule, then the course's own merges and ``--probes`` more
  on each host happen at random moments of the next ``MERGING`` minutes;
- **all open**: every contribution open at once (the worst case), ``--merges``
  merges at random moments (at least ``--probes`` on each host).

A merge's delay is the virtual time from the merge to its award; the p95 of each host
must stay within 10 minutes. (Every minute of the 8 weeks would be some ninety million
checks: the windows sample the course instead.) Prints each case's delays per host,
the GitHub points and the largest share of a host's budget spent, then one JSON line
per figure for ``bench/run``. Run from the repository root:

    .venv/bin/python bench/course_simulation.py [--learners 10000] [--windows 6]
"""

import argparse
import logging
import random
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.django_env import start_django  # noqa: E402

start_django(logging.ERROR, prefix="upstream-course-bench-")

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.course import COURSE_START, CourseShape, draw_course  # noqa: E402
from bench.figures import figure  # noqa: E402
from bench.mix import host_of_request, settings, url  # noqa: E402
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

TARGET_P95_MIN = 10
WARMUP, MERGING, TAIL = timedelta(minutes=12), timedelta(minutes=18), timedelta(minutes=11)
SWEEP_EVERY = timedelta(minutes=1)
USAGE = "course-block"
# The hourly budgets the simulator states (GitHub's 5,000 GraphQL points, gitlab.com's
# 500 requests a minute); the others state none and the product assumes one a second.
STATED = {"github.com": 5000, "gitlab.com": 30_000, "framagit.org": 3600}
ASSUMED = 3600
SHARE = Schedule().budget_share_percent / 100


class VirtualClock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@dataclass
class Case:
    name: str
    delays: dict = field(default_factory=lambda: defaultdict(list))  # host -> minutes
    requests: Counter = field(default_factory=Counter)  # host -> requests while merging
    points: int = 0
    minutes: float = 0.0  # virtual minutes the requests were counted over

    def p95(self, host):
        ordered = sorted(self.delays[host])
        return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else None


def reset(world):
    """An empty world and registry, the budgets stated again from the world clock's hour."""
    world.contributions.clear()
    world.clear_log()
    world.github_points_spent = 0
    for kind, tag, limit in (("github", None, 5000), ("gitlab", None, 30_000),
                             ("gitlab", "framagit.org", 3600)):
        world.set_rate_limit(kind, remaining=limit, limit=limit, tag=tag)
    for model in (ContributionAward, ContributionCredit, TrackedContribution,
                  VerifiedForgeAccount):
        model.objects.all().delete()
    cache.clear()


def register(world, item, index, now, due):
    """The learner ``index`` registers ``item`` (their own contribution, verified)."""
    login = f"dev-{index}"
    world.open(item.kind, item.project, item.number, author=login, created_at=item.opened_at,
               updated_at=max(m for m in (item.opened_at, item.approved_at) if m and m <= now),
               review="approved" if item.approved_at and item.approved_at <= now else None)
    return (TrackedContribution(
        usage_key=USAGE, learner_id=f"learner-{index}", kind=item.kind, host=item.host,
        project=item.project, number=item.number, forge_username=login,
        url=url(item.kind, item.host, item.project, item.number),
        registered_at=item.opened_at, next_check_at=due),
        VerifiedForgeAccount(learner_id=f"learner-{index}", host=item.host,
                             account_id=str(account_id_of(login)), username=login,
                             method="oauth", verified_at=item.opened_at))


def run_window(simulator, forges, course, start, events, case, rng):
    """Sweep from ``start`` (the state then) for WARMUP + MERGING + TAIL virtual minutes,
    with ``events`` [(moment, kind, index)]; add the merges' delays to ``case``."""
    clock = VirtualClock(start)
    simulator.world.set_clock(clock)
    reset(simulator.world)
    rows, accounts = [], []
    for index, item in enumerate(course):
        if item.opened_at <= start and item.state(start) == "open":
            due = start + timedelta(seconds=rng.uniform(0, WARMUP.total_seconds() / 2))
            row, account = register(simulator.world, item, index, start, due)
            rows.append(row)
            accounts.append(account)
    TrackedContribution.objects.bulk_create(rows, batch_size=2000)
    VerifiedForgeAccount.objects.bulk_create(accounts, batch_size=2000)
    sweeper = Sweeper(forges, Schedule(), clock=clock)
    merged_at, pending = {}, sorted(events)
    moment, end = start, start + WARMUP + MERGING + TAIL
    counting_from = start + WARMUP
    while moment <= end:
        while pending and pending[0][0] <= moment:
            when, action, index = pending.pop(0)
            clock.now = when
            item = course[index]
            if action == "open":
                row, account = register(simulator.world, item, index, when, when)
                row.save()
                account.save()
            elif simulator.world.get(item.kind, item.project, item.number) is not None:
                simulator.world.merge(item.kind, item.project, item.number)
                merged_at[f"learner-{index}"] = (item.host, when)
        if moment == counting_from:
            simulator.world.clear_log()
            simulator.world.github_points_spent = 0
        clock.now = moment
        sweeper.run_once()
        moment += SWEEP_EVERY
    awarded = dict(ContributionAward.objects.values_list("learner_id", "awarded_at"))
    for learner, (host, when) in merged_at.items():
        done = awarded.get(learner, end)  # not awarded by the end: at least that late
        case.delays[host].append((done - when).total_seconds() / 60)
    case.requests.update(host_of_request(kind, path)
                         for kind, _method, path, _status in simulator.world.requests_for())
    case.points += simulator.world.github_points_spent
    case.minutes += (end - counting_from).total_seconds() / 60


def spread_case(simulator, forges, course, windows, probes, rng):
    case = Case("spread")
    weeks = CourseShape().weeks
    for number in range(windows):
        start = COURSE_START + timedelta(days=3 + number * (weeks * 7 - 6) / windows, hours=14)
        merging = (start + WARMUP, start + WARMUP + MERGING)
        events = [(item.opened_at, "open", index) for index, item in enumerate(course)
                  if start < item.opened_at < merging[1]]
        events += [(item.merged_at, "merge", index) for index, item in enumerate(course)
                   if item.merged_at and merging[0] <= item.merged_at < merging[1]]
        events += probe_merges(course, start, merging, probes, rng,
                               {index for _, _, index in events})
        run_window(simulator, forges, course, start, events, case, rng)
    return case


def probe_merges(course, start, merging, per_host, rng, taken):
    """``per_host`` more merges on each host, of contributions open all along the window."""
    span = (merging[1] - merging[0]).total_seconds()
    by_host = defaultdict(list)
    for index, item in enumerate(course):
        if index not in taken and item.opened_at <= start and item.state(merging[1]) == "open":
            by_host[item.host].append(index)
    events = []
    for candidates in by_host.values():
        for index in rng.sample(candidates, min(per_host, len(candidates))):
            events.append((merging[0] + timedelta(seconds=rng.uniform(0, span)), "merge", index))
    return events


def all_open_case(simulator, forges, course, merges, probes, rng):
    """Every contribution open at once (registered over the day before), ``merges`` merged."""
    start = COURSE_START + timedelta(weeks=2)
    opened = [item.__class__(item.kind, item.host, item.project, item.number,
                             start - timedelta(seconds=rng.uniform(3600, 86400)))
              for item in course]
    merging = (start + WARMUP, start + WARMUP + MERGING)
    span = (merging[1] - merging[0]).total_seconds()
    by_host = defaultdict(list)
    for index, item in enumerate(opened):
        by_host[item.host].append(index)
    chosen = set()
    for candidates in by_host.values():  # at least ``probes`` on each host, the rest at random
        chosen.update(rng.sample(candidates, min(probes, len(candidates))))
    rest = [index for index in range(len(opened)) if index not in chosen]
    chosen.update(rng.sample(rest, max(0, merges - len(chosen))))
    events = [(merging[0] + timedelta(seconds=rng.uniform(0, span)), "merge", index)
              for index in sorted(chosen)]
    case = Case("all open")
    run_window(simulator, forges, opened, start, events, case, rng)
    return case


def report(case):
    hosts = sorted(case.delays)
    label = f"course ({case.name})"
    print(f"{label}: merge to award, minutes")
    print("| host | merges | median | p95 | max |")
    print("|---|---|---|---|---|")
    for host in hosts:
        delays = sorted(case.delays[host])
        print(f"| {host} | {len(delays)} | {delays[len(delays) // 2]:.1f} | "
              f"{case.p95(host):.1f} | {delays[-1]:.1f} |")
    for host in hosts:
        p95 = case.p95(host)
        figure(f"{label}: merge-to-award p95, {host} (minutes)", round(p95, 1),
               f"<= {TARGET_P95_MIN}", p95 <= TARGET_P95_MIN)
    for host in hosts:
        delays = sorted(case.delays[host])
        figure(f"{label}: merge-to-award median / max, {host} (minutes)",
               f"{delays[len(delays) // 2]:.1f} / {delays[-1]:.1f}", "-", True)
    hours = max(case.minutes, 1) / 60
    points = case.points / hours
    figure(f"{label}: GitHub points an hour (one token)", int(points),
           f"<= {int(5000 * SHARE)} (the share of 5,000)", points <= 5000 * SHARE)
    shares = {host: case.requests[host] / hours / STATED.get(host, ASSUMED)
              for host in case.requests if host != "github.com"}
    worst = max(shares, key=shares.get)
    figure(f"{label}: requests an hour, largest share of a host's budget ({worst})",
           f"{shares[worst]:.1%}", f"<= {SHARE:.0%} (budget_share_percent)",
           shares[worst] <= SHARE * 1.05)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--windows", type=int, default=6)
    parser.add_argument("--probes", type=int, default=8, help="merges added per host")
    parser.add_argument("--merges", type=int, default=200, help="in the all-open case")
    parser.add_argument("--case", choices=("spread", "all-open", "both"), default="both")
    args = parser.parse_args()
    call_command("migrate", run_syncdb=True, verbosity=0)
    BlockConfig.objects.create(usage_key=USAGE, rules=Rules().to_dict(), required_count=1)
    course = draw_course(CourseShape(learners=args.learners))
    rng = random.Random(21)
    with ForgeSimulator() as simulator:
        forges = Forges.from_settings(settings(simulator.base_url))
        if args.case in ("spread", "both"):
            report(spread_case(simulator, forges, course, args.windows, args.probes, rng))
        if args.case in ("all-open", "both"):
            report(all_open_case(simulator, forges, course, args.merges, args.probes, rng))
    return 0


if __name__ == "__main__":
    sys.exit(main())
