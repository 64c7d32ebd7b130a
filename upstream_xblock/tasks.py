"""Celery tasks, autodiscovered by the LMS's Celery app (imported only where celery is).

``poll_due_contributions`` runs one sweep. Started through
``tracking.background.ensure_polling`` (when an LMS worker starts, and at each
registration) it reschedules itself, even after a failed sweep, so no beat
process is needed; a cache lease, renewed while the sweep runs, makes sure one
chain runs at a time and lets a new one start if a worker died. Under beat,
schedule it without ``chain``: it then runs one sweep and stops.
``check_contributions`` checks the records a learner's request handed over
(registration, "Check now"); ``run_bulk_job`` runs a staff bulk job's chunks;
``run_export_job`` writes a CSV export's file.

The layers send these tasks by name (``tracking.background``): nothing in the
package imports this module, which is the top of the house, beside ``apps``.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.core.cache import cache
from django.utils import timezone

from .models import TrackedContribution
from .staff import bulk, digest, exports
from .tracking import background, notices, overdue, pace
from .tracking.background import CHAIN_KEY, CHAIN_LEASE_S
from .tracking.sweep import site_sweeper

log = logging.getLogger(__name__)

MIN_DELAY_S = 5
MAX_DELAY_S = 60
# Time limits: a sweep stops claiming after its own budget (polling.sweep_budget_s,
# 240 s by default), well before the soft limit; the hard limit ends a stuck worker.
SWEEP_SOFT_LIMIT_S, SWEEP_HARD_LIMIT_S = 300, 360
CHECK_SOFT_LIMIT_S, CHECK_HARD_LIMIT_S = 120, 150


def sweeper(on_progress=None):
    return site_sweeper(on_progress=on_progress)


def _renew(chain):
    """Keep the chain's lease while its sweep runs (unless another chain took over)."""
    def renew():
        if cache.get(CHAIN_KEY) == chain:
            cache.set(CHAIN_KEY, chain, timeout=CHAIN_LEASE_S)
    return renew


@shared_task(name=background.POLL_TASK, ignore_result=True,
             soft_time_limit=SWEEP_SOFT_LIMIT_S, time_limit=SWEEP_HARD_LIMIT_S)
def poll_due_contributions(chain=None, limit=None):
    """One sweep; if part of the chain that holds the lease, schedule the next one."""
    if chain is not None and cache.get(CHAIN_KEY) != chain:
        return None  # another chain took over
    worker, delay = None, MAX_DELAY_S
    try:
        worker = sweeper(on_progress=_renew(chain) if chain is not None else None)
        stats = worker.run_once(limit=limit)
        pace.after_sweep(worker)
        overdue.after_sweep(worker.clock())
        digest.after_sweep(worker.clock())
        delay = max(MIN_DELAY_S, min(MAX_DELAY_S, worker.seconds_until_next_due(MAX_DELAY_S)))
        return stats.line()
    finally:  # a failed sweep must not end the chain; one that lost its lease ends
        if chain is not None and cache.get(CHAIN_KEY) in (chain, None):
            cache.set(CHAIN_KEY, chain, timeout=CHAIN_LEASE_S)
            if background.runs_in_workers():  # eager would recurse
                background.send(background.POLL_TASK,
                                kwargs={"chain": chain, "limit": limit}, countdown=delay)


@shared_task(name=background.CHECK_TASK, ignore_result=True,
             soft_time_limit=CHECK_SOFT_LIMIT_S, time_limit=CHECK_HARD_LIMIT_S)
def check_contributions(ids, claim):
    """Check the records a learner's request claimed; award if earned."""
    rows = list(TrackedContribution.objects.filter(pk__in=ids, claim_token=claim))
    if not rows:
        return None  # the lease lapsed and a sweep took them over
    return sweeper().check_claimed(rows).line()


# Each chunk is short (a bounded number of learners, one transaction); a job of 10,000
# learners is 50 chunks: the limits end a stuck worker, never a job that progresses.
@shared_task(name=notices.NOTICE_TASK, ignore_result=True)
def deliver_notice(notice_id):
    """Send one queued notice through edx-ace (at most once: ``notices.deliver`` claims it)."""
    notices.deliver(notice_id)


@shared_task(name=background.BULK_TASK, ignore_result=True,
             soft_time_limit=600, time_limit=660)
def run_bulk_job(job_id):
    """Run the job's remaining chunks; a chunk another runner holds is left to it."""
    chunks = bulk.run_all(job_id, timezone.now)
    log.info("bulk job %s: %d chunks run by a worker", job_id, chunks)
    return chunks


@shared_task(name=exports.EXPORT_TASK, ignore_result=True, soft_time_limit=1800,
             time_limit=1860)
def run_export_job(job_id):
    """Write a CSV export's file into the report store (a lease keeps a second runner out)."""
    return exports.run(job_id, timezone.now())


@worker_ready.connect
def start_polling_with_the_worker(**_kwargs):
    """An LMS worker that starts (after a deploy, a crash) makes sure the chain runs."""
    if background.in_studio():
        return
    try:
        background.ensure_polling()
    except Exception:
        log.exception("could not start the upstream_xblock poll")
