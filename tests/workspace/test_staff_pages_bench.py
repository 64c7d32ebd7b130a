"""The staff pages' benchmark still runs at a small size, and its counts hold (not its
timings: a ratio of times is for ``bash bench/run`` at its full sizes)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.slow
def test_staff_pages_bench_figures():
    """1,000 rows are a chunk of the export's learners (500): the smallest size at which its
    memory is one chunk's, as at any larger size."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "bench/staff_pages_bench.py", "--small", "1000",
                             "--large", "3000"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=600, check=False)
    figures = [json.loads(line) for line in result.stdout.splitlines()
               if line.startswith('{"figure"')]
    assert len(figures) == 5, result.stderr[-3000:]
    for name in ("staff page", "course-wide page"):
        queries = next(f for f in figures
                       if f["figure"].startswith(name) and " queries at " in f["figure"])
        assert queries["holds"] and queries["measured"] <= 6, queries
    memory = next(f for f in figures if f["figure"].startswith("csv export job"))
    assert memory["measured"] <= 1.2, memory
