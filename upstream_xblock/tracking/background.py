"""Handing a learner's checks to Celery where it runs; usable without celery installed.

"Where Celery runs" means: the Celery app the tasks are bound to (the LMS's
own, configured from Django settings) has a broker and does not run tasks
eagerly. Whatever broker that app is configured with is used; the block has
no broker setting of its own.
"""

import logging
import uuid
from datetime import timedelta

from ..models import TrackedContribution

log = logging.getLogger(__name__)

# A check handed to a task is claimed this long: if the task is lost, a sweep takes it over.
HAND_OFF_LEASE = timedelta(minutes=3)
HANDED_OFF = "handed_off"          # a task will check the records
LEFT_FOR_SWEEP = "left_for_sweep"  # the broker is down: the next sweep checks them


def tasks_module():
    """``upstream_xblock.tasks``, or None where celery is not installed (workbench, cron)."""
    try:
        # pylint: disable-next=import-outside-toplevel
        from .. import tasks
    except ImportError:
        return None
    return tasks


def celery_runs():
    """True where tasks go to workers through a broker (not eagerly, not nowhere)."""
    tasks = tasks_module()
    return tasks is not None and tasks.runs_in_workers()


def hand_off(rows, now):
    """Claim ``rows`` and send one task to check them.

    Returns None where Celery does not run (check them inline),
    ``HANDED_OFF``, or ``LEFT_FOR_SWEEP`` when the broker could not be
    reached (the records stay due; a warning is logged; never an error for
    the learner). Each record handed off shows as being checked.
    """
    if not rows or not celery_runs():
        return None
    claim = "task-" + uuid.uuid4().hex[:27]
    lease = now + HAND_OFF_LEASE
    claimed = []
    for row in rows:
        # Compare-and-set on the due time: a concurrent request or sweep keeps what it took.
        if TrackedContribution.objects.filter(pk=row.pk, next_check_at=row.next_check_at,
                                              claim_token="").update(
                next_check_at=lease, claim_token=claim):
            row.next_check_at, row.claim_token = lease, claim
            claimed.append(row)
    if not claimed:
        return HANDED_OFF  # someone else is checking them
    if tasks_module().send_checks([row.pk for row in claimed], claim):
        return HANDED_OFF
    TrackedContribution.objects.filter(claim_token=claim).update(next_check_at=now,
                                                                 claim_token="")
    for row in claimed:
        row.next_check_at, row.claim_token = now, ""
    return LEFT_FOR_SWEEP
