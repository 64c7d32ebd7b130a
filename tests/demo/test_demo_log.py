"""The demo's console shows each sweep once, and idle sweeps only as a slow heartbeat."""

import logging
import os
import subprocess
import sys

import pytest

from upstream_xblock.tracking.sweep import SweepStats
from workbench_demo.__main__ import start_poller
from workbench_demo.sweep_log import QuietIdleSweeps

IDLE = SweepStats().line()  # the sweep's own line, whatever counts it reports
BUSY = SweepStats(due=1, checked=1, changed=1).line()
UNCHANGED = SweepStats(due=3, checked=3).line()  # checked, found as it was


def _record(message):
    return logging.LogRecord("upstream_xblock.tracking.sweep", logging.INFO, __file__, 1,
                             message, None, None)


def test_idle_sweeps_show_once_per_heartbeat_and_busy_ones_always():
    now = [0.0]
    quiet = QuietIdleSweeps(heartbeat_s=300, clock=lambda: now[0])
    shown = []
    for step in range(108):  # 9 minutes of a sweep every 5 s
        now[0] = step * 5.0
        message = BUSY if step in (10, 50) else UNCHANGED if step % 2 else IDLE
        if quiet.filter(_record(message)):
            shown.append(message)
    assert shown.count(BUSY) == 2
    # Idle sweeps and sweeps that found nothing new: one line per heartbeat (0 s, 300 s).
    assert shown.count(IDLE) + shown.count(UNCHANGED) == 2
    assert quiet.filter(_record("something else entirely"))


@pytest.mark.slow
def test_the_demo_poller_prints_each_sweep_line_once(tmp_path, monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "workbench_demo.settings")
    monkeypatch.setenv("UPSTREAM_XBLOCK_VAR", str(tmp_path))
    monkeypatch.delenv("UPSTREAM_XBLOCK_CONFIG", raising=False)
    subprocess.run([sys.executable, "-m", "django", "migrate", "--verbosity", "0"], check=True,
                   env=os.environ.copy(), timeout=120)
    poller = start_poller(1, extra_args=("--max-sweeps", "4"), stderr=subprocess.PIPE)
    _, log = poller.communicate(timeout=120)
    sweep_lines = [line for line in log.splitlines() if "upstream_xblock sweep:" in line]
    assert poller.returncode == 0, log
    assert sweep_lines == [IDLE], log  # 4 idle sweeps: one heartbeat line, printed once
