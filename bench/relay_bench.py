"""Change signals: a merge noticed within a minute, at almost no budget (10,000 learners).

Runs the course of ``course.py`` (10,000 learners, 8 weeks, the forges of
``mix.py``) twice on a simulated clock (``relay_course.py``): polled only, as
sweeps pace it today, and with the change signals the product runs (the
notifications relays of GitHub and Codeberg, the change feeds of Gerrit and
GitLab, the fallback's polling of what they watch). Then sends webhook
deliveries with bad signatures to the product's own view (Django's test
client, a throw-away database) and counts those that changed anything.

How the course is drawn: contributions open uniformly over the first four
weeks, one per learner; each is merged after a log-normal review time (median
three days, long tail) or closed unmerged (15 %); half of the merged ones get
an approving review some hours before the merge; each also gets review
comments (Poisson, mean 2) at uniform times while it is open. Every one of
those events is a notification to the relay's bot if the pull request is
subscribed to, and an update a change feed sees.

Figures (for ``bench/run``): the merge-to-award delay's 95th percentile with
signals; GitHub points spent finding changes at the busiest hour with signals;
forge requests per hour at steady state (weeks 2 to 4, contributions still
opening) polled only and with signals; webhook deliveries with a bad signature
that changed anything. Run from the repository root:

    .venv/bin/python bench/relay_bench.py [--learners 10000]
"""

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from course import CourseShape, draw_course  # noqa: E402
from figures import figure  # noqa: E402
from mix import settings  # noqa: E402
from relay_course import CourseRun, Signals, draw_events  # noqa: E402

from upstream_xblock.tracking.schedule import Schedule  # noqa: E402

STEADY = range(7 * 24, 28 * 24)  # hours: weeks 2 to 4
TARGET_P95_MIN, TARGET_FINDING_POINTS = 1.5, 250


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0


def describe(label, ledger):
    steady = statistics.mean(ledger.hourly_requests(STEADY))
    by_host = {}
    for hour in STEADY:
        for host, count in ledger.requests[hour].items():
            by_host[host] = by_host.get(host, 0) + count
    hosts = ", ".join(f"{host} {count / len(STEADY):.0f}" for host, count in
                      sorted(by_host.items(), key=lambda item: -item[1]))
    delays = ledger.delays
    print(f"{label}: {len(delays)} merges awarded; merge to award (minutes): median "
          f"{statistics.median(delays):.2f}, p95 {percentile(delays, 0.95):.2f}, max "
          f"{max(delays):.1f}")
    for kind, values in sorted(ledger.delays_by_kind.items()):
        print(f"  {kind}: p95 {percentile(values, 0.95):.2f} minutes ({len(values)} merges)")
    print(f"  forge requests an hour at steady state: {steady:.0f} ({hosts})")
    print(f"  GitHub points spent finding changes: busiest hour {max(ledger.finding.values())}, "
          f"steady {statistics.mean(ledger.finding[h] for h in STEADY):.0f} an hour; all "
          f"GitHub points at the busiest hour {max(ledger.points.values())}")
    notified = sum(ledger.notifications.values())
    if notified:
        print(f"  pull requests a signal made due: {notified}")
    return steady


def bad_deliveries():
    """(deliveries with a bad signature sent, those that changed anything, good ones that did)."""
    from django_env import start_django  # noqa: PLC0415
    start_django()
    from webhook_drill import drill  # noqa: PLC0415
    return drill()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    args = parser.parse_args()
    course = draw_course(CourseShape(learners=args.learners))
    events = draw_events(course)
    bucket = settings("http://127.0.0.1:1")
    print(f"{len(course)} contributions; {sum(len(v) for v in events.values())} forge events "
          "(reviews, comments, merges, closes)")
    polled = CourseRun(course, events, Schedule(), bucket).run()
    poll_steady = describe("polled only", polled)
    relayed = CourseRun(course, events, Schedule(), bucket, Signals()).run()
    relay_steady = describe("with change signals", relayed)
    sent, changed, good = bad_deliveries()
    print(f"webhooks: {sent} deliveries with a bad signature, {changed} changed anything; "
          f"{good} genuine ones made their pull request due")
    n = f"{args.learners:,}"
    p95 = percentile(relayed.delays, 0.95)
    figure(f"relay: merge-to-award delay p95 (minutes), {n} learners", round(p95, 2),
           f"<= {TARGET_P95_MIN}", p95 <= TARGET_P95_MIN)
    finding = max(relayed.finding.values())
    figure(f"relay: GitHub points per hour spent finding changes, {n} learners", finding,
           f"<= {TARGET_FINDING_POINTS}", finding <= TARGET_FINDING_POINTS)
    figure(f"poll only: forge requests per hour at steady state, mixed {n}", round(poll_steady),
           "-", True)  # for comparison: no target
    figure(f"relay: forge requests per hour at steady state, mixed {n}", round(relay_steady),
           f"<= {poll_steady / 2:.0f} (half of polling only)", relay_steady <= poll_steady / 2)
    figure("webhook: deliveries with a bad signature that changed anything", changed, "0",
           changed == 0 and sent > 0 and good > 0)


if __name__ == "__main__":
    main()
