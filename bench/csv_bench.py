"""Export 1,000 and 10,000 contributions as CSV: peak memory of each, their ratio, rows/s.

The export is a generator (``upstream_xblock.staff.csv_files.rows_of``): its
memory should stay flat in the row count. Each figure is printed as one JSON
line ``{"figure", "measured", "target", "holds"}``. Run from the repository root:

    .venv/bin/python bench/csv_bench.py [--small 1000] [--large 10000]
"""

import argparse
import logging
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.django_env import start_django  # noqa: E402

start_django(logging.WARNING, prefix="upstream-csv-bench-")

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import F  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.figures import figure  # noqa: E402
from upstream_xblock import compat  # noqa: E402
from upstream_xblock.models import ContributionAward, TrackedContribution  # noqa: E402
from upstream_xblock.staff import csv_files  # noqa: E402
from upstream_xblock.staff.progress import Filters  # noqa: E402

MEMORY_RATIO_TARGET = 1.5


def seed(usage_key, rows):
    """``rows`` contributions, two per learner, every tenth learner awarded; long titles,
    some of them formulas (neutralised on the way out)."""
    now = timezone.now()
    TrackedContribution.objects.filter(usage_key=usage_key).delete()
    ContributionAward.objects.filter(usage_key=usage_key).delete()
    records = [TrackedContribution(
        usage_key=usage_key, learner_id=f"learner{index // 2:06d}", kind="github",
        host="github.com", project="openedx/xblock-sdk", number=index + 1,
        url=f"https://github.com/openedx/xblock-sdk/pull/{index + 1}",
        title=("=SUM(A1)" if index % 50 == 0 else "Fix the thing ") * 8,
        state="merged" if index % 3 == 0 else "open",
        verdict="accepted" if index % 3 == 0 else "pending",
        checks=[{"id": "accepted", "outcome": "waiting",
                 "reason": "Waiting for the maintainers to accept it."}],
        snapshot={"merged_at": now.isoformat()} if index % 3 == 0 else None,
        registered_at=now - timedelta(days=index % 30)) for index in range(rows)]
    TrackedContribution.objects.bulk_create(records, batch_size=2000)
    learners = sorted({r.learner_id for r in records})
    ContributionAward.objects.bulk_create(
        [ContributionAward(usage_key=usage_key, learner_id=learner, awarded_at=now, score=1.0)
         for learner in learners[::10]], batch_size=2000)


def export(usage_key):
    """(lines written, bytes written, peak traced memory in bytes, seconds)."""
    lines = csv_files.rows_of(
        usage_key, Filters(), F("learner_id"), timezone.now(),
        lambda usage, ids: compat.learner_states(usage, ids, "annotations"))
    count = size = 0
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    for line in lines:  # what the web server does: write each line out, keep none
        count += 1
        size += len(line)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count - 1, size, peak, elapsed


def info(name, measured):
    """A figure reported for reading, with no target of its own."""
    figure(name, measured, "-", True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=10_000)
    args = parser.parse_args()
    settings.DEBUG = False  # no query log growing with the export
    call_command("migrate", run_syncdb=True, verbosity=0)
    peaks = {}
    for rows in (args.small, args.large):
        usage_key = f"csv-bench-{rows}"
        seed(usage_key, rows)
        export(usage_key)  # warm Django's caches (SQL compilers, translations) first
        written, size, peak, elapsed = export(usage_key)
        assert written == rows, (written, rows)
        peaks[rows] = peak
        info(f"csv export {rows} rows: peak memory (KiB)", round(peak / 1024, 1))
        info(f"csv export {rows} rows: rows per second", int(rows / elapsed))
        info(f"csv export {rows} rows: size (KiB)", round(size / 1024, 1))
    ratio = peaks[args.large] / peaks[args.small]
    figure(f"csv export peak memory ratio {args.large} / {args.small} rows", round(ratio, 2),
           f"<= {MEMORY_RATIO_TARGET}", ratio <= MEMORY_RATIO_TARGET)
    return 0 if ratio <= MEMORY_RATIO_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
