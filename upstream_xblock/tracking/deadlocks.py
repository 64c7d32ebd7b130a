"""Retrying work that MySQL/MariaDB chose as a deadlock's victim.

Concurrent requests and sweeps insert the same unique rows (a credit, an award)
at the same moment; InnoDB may then roll one of them back with error 1213. The
work guarded this way is idempotent (unique rows decide who wins), so it is
simply done again, a few times, when no outer transaction would be left broken.
"""

import functools
import logging

from django.db import OperationalError, connection

log = logging.getLogger(__name__)

MYSQL_DEADLOCK = 1213
ATTEMPTS = 3


def is_deadlock(error):
    return bool(error.args) and error.args[0] == MYSQL_DEADLOCK


def retry_on_deadlock(method):
    """Run ``method`` again (up to ATTEMPTS times) when the database reports a deadlock."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return method(*args, **kwargs)
            except OperationalError as error:
                if not is_deadlock(error) or connection.in_atomic_block or attempt == ATTEMPTS:
                    raise
                log.info("deadlock in %s, attempt %d: done again", method.__name__, attempt)
        return None  # not reached

    return wrapper
