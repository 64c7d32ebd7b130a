"""The change-signals benchmark still runs: its figures, by their exact names, at a small size.

Counts only: every merge is awarded both ways, a signal finds a merge within one sweep,
and no badly signed webhook delivery changes anything. (Halving the forge requests is a
figure of the 10,000-learner course: a small course pays the relays' fixed polls.)
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NAMES = (
    "relay: merge-to-award delay p95 (minutes), 500 learners",
    "relay: GitHub points per hour spent finding changes, 500 learners",
    "poll only: forge requests per hour at steady state, mixed 500",
    "relay: forge requests per hour at steady state, mixed 500",
    "webhook: deliveries with a bad signature that changed anything",
)


@pytest.mark.slow
def test_relay_bench_figures_at_a_small_size():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "bench/relay_bench.py", "--learners", "500"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
                            check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = {f["figure"]: f for f in (json.loads(line) for line in result.stdout.splitlines()
                                        if line.startswith('{"figure"'))}
    assert tuple(figures) == NAMES
    awarded = [int(n) for n in re.findall(r"(\d+) merges awarded", result.stdout)]
    assert len(awarded) == 2 and awarded[0] == awarded[1] > 0
    assert figures[NAMES[0]]["measured"] <= 1 and figures[NAMES[0]]["holds"]
    assert figures[NAMES[1]]["holds"]
    assert figures[NAMES[3]]["measured"] < figures[NAMES[2]]["measured"]
    assert figures[NAMES[4]]["measured"] == 0 and figures[NAMES[4]]["holds"]
