"""The registry, sweep and concurrency tests, run again on MariaDB.

Open edX keeps its data in MySQL; SQLite has no row locks, so claims there
rely on the conditional UPDATE alone. Here Debian's mariadb-server is started
on a Unix socket in a temporary directory (as root in CI, where
``scripts/system-deps.sh`` installs it) and the tests below run on it in a
subprocess with ``tests.settings_mariadb`` (mysqlclient, as in the LMS),
four concurrent workers included: ``SELECT ... FOR UPDATE SKIP LOCKED`` for real.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MARIADBD = "/usr/sbin/mariadbd"
INSTALL_DB = "/usr/bin/mariadb-install-db"
ON_MARIADB = [
    "tests/tracking/test_sweep.py", "tests/tracking/test_host_isolation.py",
    "tests/tracking/test_concurrent_workers.py", "tests/tracking/test_tasks.py",
    "tests/block/test_handlers.py", "tests/block/test_concurrency.py",
    "tests/block/test_request_path.py", "tests/block/test_background.py",
    "tests/drills/test_sweep_faults.py",
]


@pytest.fixture
def mariadb(tmp_path):
    for binary in (MARIADBD, INSTALL_DB):
        if not os.path.exists(binary):
            pytest.fail(f"{binary} is missing: install Debian's mariadb-server "
                        "(scripts/test.sh does, as root)")
    data, socket_path = tmp_path / "data", tmp_path / "mariadb.sock"
    as_user = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run([INSTALL_DB, "--no-defaults", *as_user, f"--datadir={data}",
                    "--auth-root-authentication-method=normal", "--skip-test-db"],
                   check=True, capture_output=True, timeout=120)
    server = subprocess.Popen(
        [MARIADBD, "--no-defaults", *as_user, f"--datadir={data}", f"--socket={socket_path}",
         "--skip-networking", "--skip-grant-tables", "--skip-log-bin",
         "--innodb-buffer-pool-size=64M", f"--pid-file={tmp_path / 'mariadb.pid'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not socket_path.exists():
        if server.poll() is not None or time.monotonic() > deadline:
            raise AssertionError("MariaDB did not start")
        time.sleep(0.2)
    yield socket_path
    server.terminate()
    server.wait(timeout=60)
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.mark.slow
def test_registry_sweeps_and_concurrency_on_mariadb(mariadb):
    env = {**os.environ, "UPSTREAM_MARIADB_SOCKET": str(mariadb),
           "DJANGO_SETTINGS_MODULE": "tests.settings_mariadb"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--ds", "tests.settings_mariadb", *ON_MARIADB],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in summary and "skipped" not in summary, summary
