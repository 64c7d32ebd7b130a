"""Staff pages at 1,000 and 50,000 records: server time and queries of a page of the block's
progress table and of the course-wide workspace, and the CSV export job's peak memory.

The pages read maintained aggregates (``upstream_xblock.staff.aggregates``): a page at
50,000 records should cost at most twice its time at 1,000 (issue "staff pages and
exports that do not grow"). Each page kind (the first page, the stuck and verdict
filters, the last page by last activity) is timed as the least CPU time of this process
(the server and its SQLite, not the busy machine's other processes) over repeated
requests through the real handler (the block's ``progress`` on the workbench runtime) or
view (the workspace's ``progress`` through Django's test client); the figure is the worst
kind's ratio. The
export job writes a course's CSV into the report store with ``tracemalloc`` on.

    .venv/bin/python bench/staff_pages_bench.py [--small 1000] [--large 50000]
"""

import argparse
import json
import logging
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.django_env import start_django  # noqa: E402

start_django(logging.WARNING, prefix="upstream-staff-bench-")

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from webob import Request  # noqa: E402
from workbench.runtime import WorkbenchRuntime  # noqa: E402

from bench.figures import figure  # noqa: E402
from upstream_xblock.models import BlockConfig, ContributionAward, TrackedContribution  # noqa: E402
from upstream_xblock.staff import exports  # noqa: E402
from upstream_xblock.staff.audit import Actor  # noqa: E402

COURSE = "course-v1:Bench+Staff+Pages"
SECOND = "block-v1:Bench+Staff+Pages+type@upstream_contribution+block@second"
STAFF = "staff"
TIME_RATIO_TARGET, MEMORY_RATIO_TARGET = 2.0, 1.2
REPEATS = 25
PAGES = {"first page": {"page": 1, "page_size": 25},
         "stuck filter": {"page": 1, "page_size": 25, "filters": {"stuck": True}},
         "verdict filter": {"page": 1, "page_size": 25, "filters": {"verdict": ["pending"]}},
         "last page": {"page": 10 ** 6, "page_size": 25, "sort": "last_activity"}}


def staff_block():
    runtime = WorkbenchRuntime(STAFF)
    runtime.id_generator.set_scenario("staff-bench")
    return runtime.get_block(runtime.parse_xml_string(
        '<upstream_contribution display_name="First contribution" mentors=\'["mia"]\'/>'))


def seed(first, records):
    """``records`` records, two per learner: one in each of the course's two activities (the
    block's own, and another); a fifth of the learners awarded in the first."""
    now = timezone.now()
    for model in (TrackedContribution, ContributionAward):
        model.objects.all().delete()
    rows = [TrackedContribution(
        usage_key=first if index % 2 == 0 else SECOND, course_key=COURSE,
        learner_id=f"learner{index // 2:06d}", kind="github", host="github.com",
        project="openedx/xblock-sdk", number=index + 1,
        url=f"https://github.com/openedx/xblock-sdk/pull/{index + 1}",
        title=f"Change {index}", state=("open", "merged", "closed", "draft")[index % 4],
        verdict=("pending", "accepted", "rejected", "pending")[index % 4],
        checks=[{"id": "accepted", "outcome": "waiting",
                 "reason": "Waiting for the maintainers to accept it."}],
        registered_at=now - timedelta(days=index % 60)) for index in range(records)]
    TrackedContribution.objects.bulk_create(rows, batch_size=2000)
    learners = sorted({row.learner_id for row in rows})
    ContributionAward.objects.bulk_create(
        [ContributionAward(usage_key=first, course_key=COURSE, learner_id=learner,
                           awarded_at=now, score=1.0) for learner in learners[::5]],
        batch_size=2000)


def block_page(block, payload):
    request = Request.blank("/", method="POST", body=json.dumps(payload).encode(),
                            headers={"Content-Type": "application/json"})
    response = block.runtime.handle(block, "progress", request)
    assert response.status_code == 200, response.body[:300]


def course_page(client, payload):
    response = client.post(f"/upstream-xblock/course/{COURSE}/progress/?student={STAFF}",
                           data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 200, response.content[:300]


def timed(call, payload):
    """(seconds, queries) of ``call(payload)`` after a warm-up call: the least CPU time of
    this process (the server and its SQLite) over REPEATS requests, so that the other
    processes of a busy machine do not count."""
    call(payload)
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql)
                                    or execute(sql, *args)):
        call(payload)
    times = []
    for _ in range(REPEATS):
        started = time.process_time()
        call(payload)
        times.append(time.process_time() - started)
    return min(times), len(queries)


def export_peak():
    """Peak traced memory (bytes) and rows of a whole-course export job."""
    job = exports.start(course_key=COURSE, usage_key="", filters={},
                        actor=Actor(STAFF, STAFF), now=timezone.now(), language="en")
    tracemalloc.start()
    tracemalloc.reset_peak()
    exports.run(job.pk, timezone.now())
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    job.refresh_from_db()
    return peak, job.rows


def measure(size, block, client):
    seed(str(block.scope_ids.usage_id), size)
    results = {}
    for name, payload in PAGES.items():
        results[("block", name)] = timed(lambda p: block_page(block, p), payload)
        results[("course", name)] = timed(lambda p: course_page(client, p), payload)
    peak, rows = export_peak()
    assert rows == size, (rows, size)
    return results, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=50_000)
    args = parser.parse_args()
    settings.UPSTREAM_XBLOCK_DEMO_STAFF = [STAFF]
    settings.DEBUG = False  # no query log growing with the work (it would be measured too)
    # One connection throughout, as a server process keeps it (queries are counted on it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    call_command("migrate", run_syncdb=True, verbosity=0)
    block, client = staff_block(), Client()
    BlockConfig.objects.create(usage_key=str(block.scope_ids.usage_id), course_key=COURSE,
                               display_name="First contribution", mentors=["mia"])
    BlockConfig.objects.create(usage_key=SECOND, course_key=COURSE,
                               display_name="Second contribution")
    small, small_peak = measure(args.small, block, client)
    large, large_peak = measure(args.large, block, client)
    holds = []
    for where, label in (("block", "staff page (block's progress table)"),
                         ("course", "course-wide page")):
        ratios = {name: large[(where, name)][0] / small[(where, name)][0] for name in PAGES}
        worst = max(ratios, key=ratios.get)
        holds.append(ratios[worst] <= TIME_RATIO_TARGET)
        figure(f"{label} server time ratio {args.large:,} / {args.small:,} records "
               f"(worst of {', '.join(PAGES)}: {worst})", round(ratios[worst], 2),
               f"<= {TIME_RATIO_TARGET}", holds[-1])
        queries = {name: (small[(where, name)][1], large[(where, name)][1]) for name in PAGES}
        same = all(a == b for a, b in queries.values())
        holds.append(same)
        figure(f"{label} queries at {args.small:,} / {args.large:,} records "
               f"({', '.join(f'{n}: {a}/{b}' for n, (a, b) in queries.items())})",
               max(b for _a, b in queries.values()), "the same at both sizes", same)
    ratio = large_peak / small_peak
    holds.append(ratio <= MEMORY_RATIO_TARGET)
    figure(f"csv export job peak memory ratio {args.large:,} / {args.small:,} rows "
           f"({round(small_peak / 1024)} / {round(large_peak / 1024)} KiB)", round(ratio, 2),
           f"<= {MEMORY_RATIO_TARGET}", holds[-1])
    return 0 if all(holds) else 1


if __name__ == "__main__":
    sys.exit(main())
