"""The MariaDB suite: the registry, sweep and concurrency tests again on MariaDB.

Open edX keeps its data in MySQL; SQLite has no row locks, so claims there rely on
the conditional UPDATE alone. This pytest plugin starts Debian's mariadb-server on a
Unix socket in a temporary directory (as root in CI, where ``scripts/system-deps.sh``
installs it) for the whole session, and keeps only the tests of ``ON_MARIADB``, which
then run directly on it with mysqlclient (as in the LMS), four concurrent workers
included: ``SELECT ... FOR UPDATE SKIP LOCKED`` for real. ``scripts/test.sh`` runs it
after the main run::

    python -m pytest -p tests.mariadb_server --ds tests.settings_mariadb
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

MARIADBD = "/usr/sbin/mariadbd"
INSTALL_DB = "/usr/bin/mariadb-install-db"
ON_MARIADB = (
    "tests/tracking/test_sweep.py", "tests/tracking/test_host_isolation.py",
    "tests/tracking/test_concurrent_workers.py", "tests/tracking/test_tasks.py",
    "tests/block/test_handlers.py", "tests/block/test_concurrency.py",
    "tests/block/test_request_path.py", "tests/block/test_background.py",
    "tests/drills/test_sweep_faults.py", "tests/staff/test_double_submission.py",
    "tests/tracking/test_relay.py", "tests/tracking/test_change_feeds.py",
    "tests/tracking/test_webhooks.py",
    # The staff pages' aggregates: their upserts in MySQL's dialect, every page by index.
    "tests/staff/test_aggregates.py", "tests/workspace/test_course_page.py",
)
START_TIMEOUT = 60


class MariaDB:
    """A server of its own: a fresh data directory beside the socket, no networking."""

    def __init__(self, socket_path):
        self.socket = Path(socket_path)
        self.home = self.socket.parent
        self.process = None

    def start(self):
        for binary in (MARIADBD, INSTALL_DB):
            if not os.path.exists(binary):
                raise RuntimeError(f"{binary} is missing: install Debian's mariadb-server "
                                   "(scripts/test.sh does, as root)")
        data = self.home / "data"
        as_user = ["--user=root"] if os.geteuid() == 0 else []
        subprocess.run([INSTALL_DB, "--no-defaults", *as_user, f"--datadir={data}",
                        "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, capture_output=True, timeout=120)
        self.process = subprocess.Popen(
            [MARIADBD, "--no-defaults", *as_user, f"--datadir={data}", f"--socket={self.socket}",
             "--skip-networking", "--skip-grant-tables", "--skip-log-bin",
             "--innodb-buffer-pool-size=64M", f"--pid-file={self.home / 'mariadb.pid'}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while not self.socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("MariaDB did not start")
            time.sleep(0.2)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)
        shutil.rmtree(self.home / "data", ignore_errors=True)


def pytest_configure(config):
    """Start the server the settings point at (tests.settings_mariadb) before any test."""
    from django.conf import settings
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.mysql":
        raise pytest.UsageError("-p tests.mariadb_server runs with --ds tests.settings_mariadb")
    server = MariaDB(database["HOST"])
    try:
        server.start()
    except (RuntimeError, subprocess.SubprocessError) as error:
        raise pytest.UsageError(f"the MariaDB suite cannot start its server: {error}") from error
    config.stash[_SERVER] = server


def pytest_unconfigure(config):
    server = config.stash.get(_SERVER, None)
    if server is not None:
        server.stop()


def pytest_collection_modifyitems(config, items):
    """Keep the tests of ON_MARIADB; the rest of the suite has nothing to learn there."""
    root = Path(str(config.rootpath))
    kept, dropped = [], []
    for item in items:
        relative = Path(str(item.path)).relative_to(root).as_posix()
        (kept if relative in ON_MARIADB else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


_SERVER = pytest.StashKey[MariaDB]()
