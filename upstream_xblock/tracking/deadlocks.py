"""Retrying work that MySQL/MariaDB chose as a deadlock's victim.

Concurrent requests and sweeps insert the same unique rows (a credit, an award)
at the same moment; InnoDB may then roll one of them back with error 1213. The
work guarded this way is idempotent (unique rows decide who wins), so it is
done again, a few times, when no outer transaction would be left broken. The
rollback undoes the database, not the Python objects the failed attempt
changed: each attempt is told its number, so that a retry starts again from
what is stored.
"""

import logging

from django.db import OperationalError, connection

log = logging.getLogger(__name__)

MYSQL_DEADLOCK = 1213
ATTEMPTS = 3


def is_deadlock(error):
    return bool(error.args) and error.args[0] == MYSQL_DEADLOCK


def retrying_deadlocks(attempt_work, name="work"):
    """``attempt_work(attempt)``, attempt 1, then again (up to ATTEMPTS) after a deadlock."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return attempt_work(attempt)
        except OperationalError as error:
            if not is_deadlock(error) or connection.in_atomic_block or attempt == ATTEMPTS:
                raise
            log.info("deadlock in %s, attempt %d: done again", name, attempt)
    return None  # not reached
