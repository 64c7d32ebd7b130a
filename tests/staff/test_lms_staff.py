"""Runs tests/staff/lms_staff under tests.settings_lms in its own pytest process."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_staff_grades_with_the_lms_apps():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DJANGO_SETTINGS_MODULE", "UPSTREAM_XBLOCK_VAR")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/staff/lms_staff", "--ds=tests.settings_lms",
         "-p", "no:cacheprovider", "-q", "-p", "no:warnings"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
