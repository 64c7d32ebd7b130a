"""Tests that need the LMS's apps installed run in a pytest process of their own.

Django takes one settings module per process: ``tests.settings_lms`` (the LMS's
score and completion apps) cannot be switched on inside the main run.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def assert_passes_with_lms_apps(tests_path):
    """Run ``tests_path`` under ``tests.settings_lms``; fail with its output unless all pass."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DJANGO_SETTINGS_MODULE", "UPSTREAM_XBLOCK_VAR")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", tests_path, "--ds=tests.settings_lms",
         "-p", "no:cacheprovider", "-q", "-p", "no:warnings"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
