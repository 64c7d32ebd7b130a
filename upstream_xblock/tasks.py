"""Celery tasks, autodiscovered by the LMS's Celery app (imported only where celery is).

``poll_due_contributions`` runs one sweep. Started through ``ensure_polling``
(when an LMS worker starts, and at each registration) it reschedules itself,
even after a failed sweep, so no beat process is needed; a cache lease, renewed
while the sweep runs, makes sure one chain runs at a time and lets a new one
start if a worker died. Under beat, schedule it without ``chain``: it then runs
one sweep and stops. ``check_contributions`` checks the records a learner's
request handed over (registration, "Check now").

The tasks use whatever broker the Celery app is configured with (the LMS sets
``BROKER_URL``); they go to the queue named by the settings bucket's
``"celery": {"queue": ...}``, by default the LMS's low-priority queue.
"""

import logging
import os
import uuid

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

CHAIN_KEY = "upstream_xblock:poll-chain"
CHAIN_LEASE_S = 300
MIN_DELAY_S = 5
MAX_DELAY_S = 60
DEFAULT_QUEUE = "edx.lms.core.low"  # LOW_PRIORITY_QUEUE of openedx-platform's lms/envs
# Time limits: a sweep stops claiming after its own budget (polling.sweep_budget_s,
# 240 s by default), well before the soft limit; the hard limit ends a stuck worker.
SWEEP_SOFT_LIMIT_S, SWEEP_HARD_LIMIT_S = 300, 360
CHECK_SOFT_LIMIT_S, CHECK_HARD_LIMIT_S = 120, 150


def _bucket():
    from . import platform  # pylint: disable=import-outside-toplevel
    return platform.global_settings_bucket() or {}


def queue_name():
    """The queue our tasks go to: the bucket's ``celery.queue``, else the LMS's low one."""
    celery_settings = _bucket().get("celery")
    queue = celery_settings.get("queue") if isinstance(celery_settings, dict) else None
    return queue if isinstance(queue, str) and queue.strip() else DEFAULT_QUEUE


def runs_in_workers():
    """The app our tasks are bound to has a broker and does not run tasks eagerly.

    (In a development LMS, eager mode would run a sweep inside the learner's
    request; in the workbench no broker is configured.)
    """
    conf = poll_due_contributions.app.conf
    return bool(conf.broker_url) and not conf.task_always_eager


def in_studio():
    """Studio's workers (SERVICE_VARIANT "cms") never start the chain: the LMS's do."""
    variant = getattr(settings, "SERVICE_VARIANT", None) or os.environ.get("SERVICE_VARIANT")
    return str(variant or "").lower() == "cms"


def _send(task, **kwargs):
    """Send ``task``; False (with a warning) if the broker cannot be reached."""
    try:
        task.apply_async(queue=queue_name(), retry=False, **kwargs)
    except Exception:  # pylint: disable=broad-except
        # A broker that is down must never fail a learner's request: sweeps catch up.
        log.warning("upstream_xblock: the Celery broker could not be reached; the record "
                    "is stored and the next sweep will check it", exc_info=True)
        return False
    return True


def ensure_polling():
    """Start the self-rescheduling chain unless one holds the lease. True if started."""
    if not runs_in_workers():
        return False
    chain = uuid.uuid4().hex
    if not cache.add(CHAIN_KEY, chain, timeout=CHAIN_LEASE_S):
        return False
    if not _send(poll_due_contributions, kwargs={"chain": chain}):
        cache.delete(CHAIN_KEY)  # nothing runs: let the next request or worker start one
        return False
    return True


def send_checks(ids, claim):
    """Hand records a request claimed (``claim``) to a worker. False if the broker is down."""
    return _send(check_contributions, kwargs={"ids": list(ids), "claim": claim})


def sweeper(on_progress=None):
    # pylint: disable=import-outside-toplevel
    from .tracking.site import site_sweeper
    return site_sweeper(on_progress=on_progress)


def _renew(chain):
    """Keep the chain's lease while its sweep runs (unless another chain took over)."""
    def renew():
        if cache.get(CHAIN_KEY) == chain:
            cache.set(CHAIN_KEY, chain, timeout=CHAIN_LEASE_S)
    return renew


@shared_task(name="upstream_xblock.poll_due_contributions", ignore_result=True,
             soft_time_limit=SWEEP_SOFT_LIMIT_S, time_limit=SWEEP_HARD_LIMIT_S)
def poll_due_contributions(chain=None, limit=10000):
    """One sweep; if part of the chain that holds the lease, schedule the next one."""
    if chain is not None and cache.get(CHAIN_KEY) != chain:
        return None  # another chain took over
    worker, delay = None, MAX_DELAY_S
    try:
        worker = sweeper(on_progress=_renew(chain) if chain is not None else None)
        stats = worker.run_once(limit=limit)
        delay = max(MIN_DELAY_S, min(MAX_DELAY_S, worker.seconds_until_next_due(MAX_DELAY_S)))
        return stats.line()
    finally:  # a failed sweep must not end the chain; one that lost its lease ends
        if chain is not None and cache.get(CHAIN_KEY) in (chain, None):
            cache.set(CHAIN_KEY, chain, timeout=CHAIN_LEASE_S)
            if runs_in_workers():  # eager would recurse
                _send(poll_due_contributions, kwargs={"chain": chain, "limit": limit},
                      countdown=delay)


@shared_task(name="upstream_xblock.check_contributions", ignore_result=True,
             soft_time_limit=CHECK_SOFT_LIMIT_S, time_limit=CHECK_HARD_LIMIT_S)
def check_contributions(ids, claim):
    """Check the records a learner's request claimed; award if earned."""
    # pylint: disable-next=import-outside-toplevel
    from .models import TrackedContribution
    rows = list(TrackedContribution.objects.filter(pk__in=ids, claim_token=claim))
    if not rows:
        return None  # the lease lapsed and a sweep took them over
    return sweeper().check_claimed(rows).line()


@worker_ready.connect
def start_polling_with_the_worker(**_kwargs):
    """An LMS worker that starts (after a deploy, a crash) makes sure the chain runs."""
    if in_studio():
        return
    try:
        ensure_polling()
    except Exception:  # pylint: disable=broad-except
        log.exception("could not start the upstream_xblock poll")
# The LMS autodiscovers tasks in this module: the bulk jobs' task lives with the staff room.
from .staff.bulk_tasks import run_bulk_job  # noqa: E402  pylint: disable=wrong-import-position


def send_bulk_job(job_id):
    """Hand a staff bulk job to a worker (our queue). False if the broker is down."""
    return _send(run_bulk_job, args=(job_id,))
