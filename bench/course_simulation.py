"""A course of 10,000 learners over 8 weeks on a simulated clock: how late is a merge counted?

Draws the course (``course.py``: contributions opened over the first 4 weeks,
merged after a long-tailed review time, a share closed, the forges of
``mix.py``), then runs sweeps every ``--sweep-every`` simulated seconds. Each
sweep takes the contributions due, reads their state at that moment, counts a
merged one as awarded (the delay from merge to award is measured there) and
asks the product's schedule when to check each again: by default paced by
each host's rate budget as the sweep does (``tracking/schedule.py``, half of it),
with ``--schedule age`` the age-based cadence of learners' own checks. A sweep's forge requests and
GitHub points come from the clients' batch planners (``course_requests.py``).

Prints the merge-to-award delay (median, 95th percentile, max), the forge
requests per hour and GitHub points at the busiest hour against each forge's
budget, then runs one real sweep (the product's ``Sweeper``, SQLite, the
simulator) of as many records as the busiest simulated sweep had due and
counts its database queries (``sweep_queries.py``), then one JSON line per
figure for ``bench/run``. Run from the
repository root:

    .venv/bin/python bench/course_simulation.py [--learners 10000] [--sweep-every 60]
"""

import argparse
import heapq
import statistics
import sys
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from course import CourseShape, draw_course  # noqa: E402
from course_requests import sweep_cost  # noqa: E402
from figures import figure  # noqa: E402
from mix import settings  # noqa: E402

from upstream_xblock.forges import ForgeRegistry  # noqa: E402
from upstream_xblock.tracking.schedule import RECENT_ACTIVITY, Schedule, open_interval_s  # noqa: E402

# Each forge's budget for one token (or address) an hour. GitHub: 5,000 GraphQL points
# (documented). gitlab.com: 500 unauthenticated requests a minute per address (documented,
# "Rate limits on GitLab.com"). The others publish none: one request a second is assumed.
BUDGETS = {"github.com": 5000, "gitlab.com": 30_000, "framagit.org": 3600,
           "review.opendev.org": 3600, "codeberg.org": 3600}
TARGET_P95_MIN = 10


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0


def simulate(course, schedule, sweep_every_s, paced=True):
    """(delays in minutes, requests by hour and host, GitHub points by hour, due per sweep).

    ``paced``: open contributions paced by each host's budget (the sweep's schedule,
    ``tracking/schedule.py``); else the age-based cadence.
    """
    registry = ForgeRegistry.from_settings(settings("http://127.0.0.1:1"))
    forges = {forge.host: forge for forge in registry}
    queue = [(item.opened_at, i) for i, item in enumerate(course)]  # registered when opened
    heapq.heapify(queue)
    start = min(item.opened_at for item in course)
    end = start + timedelta(weeks=8)
    delays, hourly, points, due_sizes = [], defaultdict(Counter), Counter(), []
    open_on = Counter()  # host -> registered, not settled (what the sweep's count reads)
    registered = set()
    now = start
    while now <= end and queue:
        due = []
        while queue and queue[0][0] <= now:
            due.append(heapq.heappop(queue)[1])
        if due:
            due_sizes.append(len(due))
            hour = int((now - start).total_seconds() // 3600)
            requests, github_points = sweep_cost(
                [(course[i].kind, course[i].host, course[i].project) for i in due])
            hourly[hour].update(requests)
            points[hour] += github_points
            for i in due:
                item = course[i]
                if i not in registered:
                    registered.add(i)
                    open_on[item.host] += 1
                state = item.state(now)
                if state == "merged":
                    delays.append((now - item.merged_at).total_seconds() / 60)
                    open_on[item.host] -= 1
                    continue  # awarded: never checked again
                pace_s = open_interval_s(forges[item.host], open_on[item.host],
                                         schedule.budget_share_percent) if paced else None
                likely = bool(item.approved_at and item.approved_at <= now) or \
                    now - item.last_activity(now) <= RECENT_ACTIVITY
                if state == "closed":
                    open_on[item.host] -= 1
                    registered.discard(i)  # counted again if it were checked open
                after = schedule.after_check(state=state, verdict="", registered_at=item.opened_at,
                                             now=now, pace_s=pace_s, likely=likely)
                if after is not None:
                    heapq.heappush(queue, (after, i))
        now += timedelta(seconds=sweep_every_s)
    return delays, hourly, points, due_sizes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--sweep-every", type=int, default=60, help="simulated seconds")
    parser.add_argument("--schedule", choices=("budget", "age"), default="budget",
                        help="budget: driven by the rate budget (issue 13); age: the product's "
                             "schedule today (every 5 minutes on the first day, then half as "
                             "often each day, up to 6 hours)")
    parser.add_argument("--share", type=int, default=Schedule().budget_share_percent,
                        help="percent of each forge's budget spent on open contributions")
    parser.add_argument("--no-measure-sweep", dest="measure_sweep", action="store_false",
                        help="skip the real sweep that counts database queries")
    args = parser.parse_args()
    course = draw_course(CourseShape(learners=args.learners))
    schedule = Schedule(budget_share_percent=args.share)
    delays, hourly, points, due_sizes = simulate(course, schedule, args.sweep_every,
                                                 paced=args.schedule == "budget")
    print(f"schedule: {args.schedule}; a sweep every {args.sweep_every} simulated seconds")
    merged = sum(1 for item in course if item.merged_at)
    print(f"{len(course)} contributions, {merged} merged within the course, "
          f"{len(delays)} awarded; sweeps with work: {len(due_sizes)}, "
          f"largest {max(due_sizes, default=0)} due")
    median, p95, worst = statistics.median(delays), percentile(delays, 0.95), max(delays)
    print(f"merge to award (minutes): median {median:.1f}, p95 {p95:.1f}, max {worst:.1f}")
    busiest = {host: max((hour[host] for hour in hourly.values()), default=0)
               for host in BUDGETS}
    for host, budget in BUDGETS.items():
        print(f"{host}: busiest hour {busiest[host]} requests ({busiest[host] / budget:.1%} of "
              f"{budget})")
    top_points = max(points.values(), default=0)
    print(f"GitHub points at the busiest hour: {top_points} of {BUDGETS['github.com']}")
    label = "" if args.schedule == "budget" else f" ({args.schedule} schedule)"
    if args.measure_sweep:
        from sweep_queries import measure  # noqa: PLC0415
        size = max(due_sizes, default=1)
        queries, checked, made, requests = measure(size)
        print(f"one real sweep of the busiest sweep's {made} due records: {queries} database "
              f"queries, {checked} checked, {requests} forge requests")
        figure(f"course{label}: database queries per sweep (busiest: {made} due)", queries,
               f"<= {2 * made} (2 a record)", queries <= 2 * made and checked == made)
    figure(f"course{label}: merge-to-award delay p95 (minutes)", round(p95, 1),
           f"<= {TARGET_P95_MIN}", p95 <= TARGET_P95_MIN)
    figure(f"course{label}: merge-to-award delay median (minutes)", round(median, 1), "-", True)
    figure(f"course{label}: merge-to-award delay max (minutes)", round(worst, 1), "-", True)
    figure(f"course{label}: GitHub points at the busiest hour", top_points,
           f"<= {BUDGETS['github.com'] // 2}", top_points <= BUDGETS["github.com"] / 2)
    worst_share = max(busiest[host] / BUDGETS[host] for host in BUDGETS if host != "github.com")
    figure(f"course{label}: busiest hour's requests, largest share of a forge's budget",
           f"{worst_share:.1%}", "<= 50%", worst_share <= 0.5)


if __name__ == "__main__":
    main()
