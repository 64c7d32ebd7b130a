"""Bulk jobs: started on a selection or a whole filter, run in bounded chunks, resumable.

``start`` resolves the learners once (so the number the confirmation showed is
the number worked on) and stores the job. ``run_chunk`` claims the job's next
chunk with a conditional update of its lease (two runners never work on one
chunk; a runner that died only delays the job until the lease lapses), does
it in one transaction per chunk (nothing stays locked longer), and moves the
cursor. Where Celery runs, a task runs the chunks one after another; elsewhere
the staff page's progress poll (and the request that started the job) runs
the next one. ``progress`` says how far a job is and what it changed.
"""

import logging
from datetime import timedelta

from django.db.models import F, Q

from ..errors import LayerError
from ..models import TrackedContribution
from ..tracking import background
from ..i18n import gettext_noop as _
from . import audit
from .bulk_actions import ACTIONS, ChunkContext
from .models import BulkJob

log = logging.getLogger(__name__)

CHUNK_SIZE = 200
LEASE = timedelta(minutes=2)
MAX_LEARNERS = 100_000


class JobError(LayerError, ValueError):
    """A bulk request that cannot be started (an English message id): ``bad_request``."""

    def __init__(self, template, params=None):
        super().__init__("bad_request", template, params=params)


def start(usage_key, course_key, action, learner_ids, params, actor, now):
    """Store a job on ``learner_ids`` (deduplicated, in order); one audit entry says who began it."""
    if action not in ACTIONS:
        raise JobError(_("The action is one of: %(actions)s."),
                       {"actions": ", ".join(sorted(ACTIONS))})
    learner_ids = list(dict.fromkeys(str(i) for i in learner_ids))
    if len(learner_ids) > MAX_LEARNERS:
        raise JobError(_("A bulk action works on at most 100,000 learners."))
    job = BulkJob.objects.create(
        usage_key=usage_key, course_key=course_key, action=action, params=params,
        learner_ids=learner_ids, count=len(learner_ids), actor_id=actor.id,
        actor_username=actor.username[:150], created_at=now,
        status="done" if not learner_ids else "queued", finished_at=None if learner_ids else now)
    audit.record(usage_key, actor, "bulk", now, reason=_summary(action, params, len(learner_ids)),
                 job=job, source="bulk", course_key=course_key)
    return job


def _summary(action, params, count):
    words = params.get("reason") or params.get("text") or ""
    return f"{action} × {count}" + (f": {words}" if words else "")


def _claim(job_id, now):
    """The job if this runner now holds its next chunk, else None."""
    claimed = BulkJob.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now), pk=job_id,
        cursor__lt=F("count")).exclude(status="done").update(lease_until=now + LEASE,
                                                               status="running")
    return BulkJob.objects.get(pk=job_id) if claimed else None


def run_chunk(job_id, now):
    """Do the next chunk of a job if nobody holds it; True if a chunk was done."""
    job = _claim(job_id, now)
    if job is None:
        return False
    chunk = job.learner_ids[job.cursor:job.cursor + CHUNK_SIZE]
    ctx = ChunkContext(usage_key=job.usage_key, course_key=job.course_key,
                       actor=audit.Actor(job.actor_id, job.actor_username), params=job.params,
                       now=now, job=job)
    try:
        result = ACTIONS[job.action](ctx, chunk)
    except Exception:
        # Let the next runner retry the chunk at once (every action is safe to repeat).
        BulkJob.objects.filter(pk=job.pk).update(lease_until=None)
        raise
    cursor = job.cursor + len(chunk)
    done = cursor >= job.count
    BulkJob.objects.filter(pk=job.pk).update(
        cursor=cursor, changed=F("changed") + result.changed,
        skipped=F("skipped") + result.skipped, failed=F("failed") + result.failed,
        lease_until=None, status="done" if done else "running",
        finished_at=now if done else None)
    return True


def run_all(job_id, now_fn):
    """Every remaining chunk, one after another (a Celery task's body)."""
    chunks = 0
    while run_chunk(job_id, now_fn()):
        chunks += 1
    return chunks


def enqueue(job_id):
    """Hand the job to a Celery worker where Celery runs (a broker, not eager); True if handed.

    Celery is the LMS's, not a dependency of the block: without it (or with the
    broker down) the staff page's polls run the chunks.
    """
    return background.send_bulk_job(job_id)


def progress(job):
    """A job's progress for the staff page (one more query for a check-now job's checks)."""
    answer = {"job": job.pk, "action": job.action, "status": job.status, "count": job.count,
              "done": job.cursor, "changed": job.changed, "skipped": job.skipped,
              "failed": job.failed, "created_at": job.created_at.isoformat(),
              "finished_at": job.finished_at.isoformat() if job.finished_at else None}
    if job.action == "check_now":
        # How many of the queued learners' records a check has reached since.
        answer["checked"] = TrackedContribution.objects.filter(
            usage_key=job.usage_key, learner_id__in=job.learner_ids,
            last_checked_at__gte=job.created_at).count()
    return answer
