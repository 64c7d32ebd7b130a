"""The CSV export benchmark runs and its memory ratio holds (a ratio, not a timing)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.slow
def test_csv_bench_memory_is_flat_in_the_row_count():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "bench/csv_bench.py"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    figures = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    ratio = next(f for f in figures if "ratio" in f["figure"])
    assert ratio["holds"] is True and ratio["measured"] <= 1.5
    assert sum("rows per second" in f["figure"] for f in figures) == 2
