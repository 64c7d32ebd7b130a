"""Handing work to Celery where it runs; usable without celery installed.

"Where Celery runs" means: the current Celery app (in the LMS, its own app,
configured from Django settings with ``BROKER_URL``) has a broker and does not
run tasks eagerly. Whatever broker that app is configured with is used; the
block has no broker setting of its own. Tasks are sent by name: the LMS's
workers know them from ``upstream_xblock.tasks`` (autodiscovered), and nothing
here imports that module, so no layer below it depends on celery or on it.

Tasks go to the queue named by the settings bucket's ``"celery": {"queue": ...}``,
by default the LMS's low-priority queue.
"""

import logging
import os
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache

from .. import compat
from ..models import TrackedContribution

log = logging.getLogger(__name__)

POLL_TASK = "upstream_xblock.poll_due_contributions"
CHECK_TASK = "upstream_xblock.check_contributions"
BULK_TASK = "upstream_xblock.run_bulk_job"
DEFAULT_QUEUE = "edx.lms.core.low"  # LOW_PRIORITY_QUEUE of openedx-platform's lms/envs
# One self-rescheduling poll chain at a time: the chain holding this cache lease.
CHAIN_KEY = "upstream_xblock:poll-chain"
CHAIN_LEASE_S = 300
# A check handed to a task is claimed this long: if the task is lost, a sweep takes it over.
HAND_OFF_LEASE = timedelta(minutes=3)
HANDED_OFF = "handed_off"          # a task will check the records
LEFT_FOR_SWEEP = "left_for_sweep"  # the broker is down: the next sweep checks them


def celery_app():
    """The current Celery app, or None where celery is not installed (workbench, cron)."""
    try:
        from celery import current_app  # noqa: PLC0415
    except ImportError:
        return None
    return current_app


def runs_in_workers():
    """True where tasks go to workers through a broker (not eagerly, not nowhere).

    (In a development LMS, eager mode would run a sweep inside the learner's
    request; in the workbench no broker is configured.)
    """
    app = celery_app()
    return app is not None and bool(app.conf.broker_url) and not app.conf.task_always_eager


def queue_name():
    """The queue our tasks go to: the bucket's ``celery.queue``, else the LMS's low one."""
    celery_settings = (compat.global_settings_bucket() or {}).get("celery")
    queue = celery_settings.get("queue") if isinstance(celery_settings, dict) else None
    return queue if isinstance(queue, str) and queue.strip() else DEFAULT_QUEUE


def in_studio():
    """Studio's workers (SERVICE_VARIANT "cms") never start the chain: the LMS's do."""
    variant = getattr(settings, "SERVICE_VARIANT", None) or os.environ.get("SERVICE_VARIANT")
    return str(variant or "").lower() == "cms"


def send(task_name, **options):
    """Send the task named ``task_name``; False (with a warning) if the broker is unreachable."""
    try:
        celery_app().send_task(task_name, queue=queue_name(), retry=False, **options)
    except Exception:
        # A broker that is down must never fail a learner's request: sweeps catch up.
        log.warning("upstream_xblock: the Celery broker could not be reached; the record "
                    "is stored and the next sweep will check it", exc_info=True)
        return False
    return True


def ensure_polling():
    """Start the self-rescheduling poll chain unless one holds the lease. True if started."""
    if not runs_in_workers():
        return False
    chain = uuid.uuid4().hex
    if not cache.add(CHAIN_KEY, chain, timeout=CHAIN_LEASE_S):
        return False
    if not send(POLL_TASK, kwargs={"chain": chain}):
        cache.delete(CHAIN_KEY)  # nothing runs: let the next request or worker start one
        return False
    return True


def send_bulk_job(job_id):
    """Hand a staff bulk job to a worker where Celery runs; True if handed.

    Without Celery (or with the broker down) the staff page's polls run the chunks.
    """
    return runs_in_workers() and send(BULK_TASK, args=(job_id,))


def hand_off(rows, now):
    """Claim ``rows`` and send one task to check them.

    Returns None where Celery does not run (check them inline),
    ``HANDED_OFF``, or ``LEFT_FOR_SWEEP`` when the broker could not be
    reached (the records stay due; a warning is logged; never an error for
    the learner). Each record handed off shows as being checked.
    """
    if not rows or not runs_in_workers():
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
    if send(CHECK_TASK, kwargs={"ids": [row.pk for row in claimed], "claim": claim}):
        return HANDED_OFF
    TrackedContribution.objects.filter(claim_token=claim).update(next_check_at=now,
                                                                 claim_token="")
    for row in claimed:
        row.next_check_at, row.claim_token = now, ""
    return LEFT_FOR_SWEEP
