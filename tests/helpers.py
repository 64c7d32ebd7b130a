"""Small helpers shared by tests."""

import threading

from django.db import connection


def run_concurrently(work, count, timeout_s=120):
    """Run ``work()`` in ``count`` threads released together; return the exceptions raised."""
    barrier = threading.Barrier(count)
    failures = []

    def thread_body():
        try:
            barrier.wait(timeout=10)
            work()
        except Exception as exc:  # pylint: disable=broad-except
            failures.append(exc)
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=thread_body) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout_s)
    return failures
