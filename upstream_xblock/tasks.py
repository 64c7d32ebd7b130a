"""Celery tasks (autodiscovered from the Django app by the LMS's Celery app).

``poll_due_contributions`` runs one sweep. Started through ``ensure_polling``
(when a worker starts, and at each registration) it reschedules itself, even
after a failed sweep, so no beat process is needed; a cache lease makes sure
one chain runs at a time and lets a new one start if a worker died. Under
beat, schedule it without ``chain``: it then runs one sweep and stops.
"""

import logging
import uuid

from celery import shared_task
from celery.signals import worker_ready
from django.core.cache import cache

log = logging.getLogger(__name__)

CHAIN_KEY = "upstream_xblock:poll-chain"
CHAIN_LEASE_S = 300
MIN_DELAY_S = 5
MAX_DELAY_S = 60


def ensure_polling():
    """Start the self-rescheduling chain unless one holds the lease. True if started.

    Never in eager mode (a development LMS): the sweep would run inside the
    learner's request.
    """
    if poll_due_contributions.app.conf.task_always_eager:
        return False
    chain = uuid.uuid4().hex
    if not cache.add(CHAIN_KEY, chain, timeout=CHAIN_LEASE_S):
        return False
    poll_due_contributions.delay(chain=chain)
    return True


def sweeper():
    # pylint: disable=import-outside-toplevel
    from . import platform
    from .config import forges_for, schedule_for
    from .tracking.sweep import Sweeper
    bucket = platform.global_settings_bucket()
    return Sweeper(forges_for(bucket), schedule_for(bucket),
                   publisher=platform.publish_award_in_background)


@shared_task(name="upstream_xblock.poll_due_contributions", ignore_result=True)
def poll_due_contributions(chain=None, limit=10000):
    """One sweep; if part of the chain that holds the lease, schedule the next one."""
    if chain is not None and cache.get(CHAIN_KEY) != chain:
        return None  # another chain took over
    worker, delay = None, MAX_DELAY_S
    try:
        worker = sweeper()
        stats = worker.run_once(limit=limit)
        delay = max(MIN_DELAY_S, min(MAX_DELAY_S, worker.seconds_until_next_due(MAX_DELAY_S)))
        return stats.line()
    finally:  # a failed sweep must not end the chain
        if chain is not None:
            cache.set(CHAIN_KEY, chain, timeout=CHAIN_LEASE_S)
            if not poll_due_contributions.app.conf.task_always_eager:  # eager would recurse
                poll_due_contributions.apply_async(kwargs={"chain": chain, "limit": limit},
                                                   countdown=delay)


@worker_ready.connect
def start_polling_with_the_worker(**_kwargs):
    """A worker that starts (after a deploy, a crash) makes sure the chain runs."""
    try:
        ensure_polling()
    except Exception:  # pylint: disable=broad-except
        log.exception("could not start the upstream_xblock poll")
from .staff.bulk_tasks import run_bulk_job  # noqa: E402,F401  the LMS autodiscovers tasks here
