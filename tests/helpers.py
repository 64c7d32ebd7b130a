"""Small helpers shared by tests."""

import threading
import time

from django.db import connection


def run_concurrently(work, count, timeout_s=120):
    """Run ``work()`` in ``count`` threads released together; return the exceptions raised."""
    barrier = threading.Barrier(count)
    failures = []

    def thread_body():
        try:
            barrier.wait(timeout=10)
            work()
        except Exception as exc:  # noqa: BLE001  (whatever a thread raises fails the test)
            failures.append(exc)
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=thread_body) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout_s)
    return failures


def wait_until(condition, process, timeout_s=90, name="the worker"):
    """Poll ``condition()`` until true while ``process`` (a Popen with a text stdout) runs;
    fail with the end of its output if it exits, or after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{name} exited:\n" + process.stdout.read()[-4000:])
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {name}")
