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


def wait_until(condition, process, timeout_s=90, name="the worker", output=None):
    """Poll ``condition()`` until true while ``process`` (a Popen) runs; fail with the end
    of its output (its text stdout, or what ``output()`` returns) if it exits, or after
    ``timeout_s``."""
    def tail():
        return output() if output is not None else process.stdout.read()[-4000:]

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{name} exited:\n" + tail())
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {name}" + (
        ":\n" + output() if output is not None else ""))
