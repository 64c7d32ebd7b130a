"""Bulk jobs: started on a selection or a whole filter, run in bounded chunks, resumable.

What one chunk of a job does to its learners: accept, revoke, annotate, check now.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q

from .. import compat
from ..errors import UpstreamError
from ..i18n import gettext_noop as _
from ..models import ContributionAward, TrackedContribution
from ..policy import ACCEPTED, PASSED, Check
from ..tracking import awards, background, events
from ..tracking.awards import NoAward, publish_made, revoke_award
from . import annotations, audit
from .annotations import LearnerAnnotations
from .audit import learner_verdict
from .changes import progress_batch
from .models import BulkJob
from .progress import awarded_learners, records_by_learner

log = logging.getLogger(__name__)

CHUNK_SIZE = 200
LEASE = timedelta(minutes=2)
MAX_LEARNERS = 100_000


class JobError(UpstreamError, ValueError):
    """A bulk request that cannot be started (an English message id): ``bad_request``."""

    def __init__(self, template, params=None):
        super().__init__("bad_request", template, params=params)


def start(usage_key, course_key, action, learner_ids, params, actor, now):
    """Store a job on ``learner_ids`` (deduplicated, in order); one audit entry says who
    began it."""
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
    events.emit(events.BULK_ACTION_STARTED, {"action": action, "job": job.pk, "count": job.count},
                usage_key=usage_key, course_key=course_key, user_id=actor.id, actor_id=actor.id)
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


STAFF_CHECK = "staff"


def find_job(usage_key, job_id=None):
    """The block's job ``job_id``, or without one its latest unfinished job (None if none)."""
    jobs = BulkJob.objects.filter(usage_key=usage_key)
    if job_id is None:
        return jobs.exclude(status="done").order_by("-pk").first()
    return jobs.filter(pk=job_id).first()


def find_course_job(course_key, job_id):
    """A job of one of the course's blocks (None if none, or no ``job_id``)."""
    if job_id is None:
        return None
    return BulkJob.objects.filter(pk=job_id, course_key=course_key).first()


def advance(job, now):
    """The job's progress, after running its next chunk where no worker runs it (the staff
    page polls this, and resumes an unfinished job when it is opened again)."""
    if job.status != "done" and not enqueue(job.pk):
        if run_chunk(job.pk, now):
            job.refresh_from_db()
    return progress(job)


def revoke_one(usage_key, course_key, learner, actor, reason, now):
    """Course staff take one learner's award back (NoAward if there is none), on the record;
    the grade it published is reset now, or by the next sweep if that fails."""
    revocation = revoke_award(usage_key, learner, actor.id, reason, now)[0]
    after = learner_verdict(TrackedContribution.objects.filter(
        usage_key=usage_key, learner_id=learner), awarded=False)
    audit.record(usage_key, actor, "revoke", now, learner_id=learner, reason=reason,
                 before="accepted", after=after, course_key=course_key)
    awards.reset(revocation, compat.reset_published, now)
    return revocation


@dataclass
class ChunkContext:
    usage_key: str
    course_key: str
    actor: audit.Actor
    params: dict
    now: object
    job: object = None
    source: str = "bulk"


@dataclass
class ChunkResult:
    changed: int = 0
    skipped: int = 0
    failed: int = 0
    entries: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # (learner, url, before, after) for reports

    def add(self, other):
        self.changed += other.changed
        self.skipped += other.skipped
        self.failed += other.failed
        self.entries += other.entries
        self.changes += other.changes


def _counted(records, url):
    """The records an accepted learner's award lists: the one named, else the accepted ones,
    else every record not revoked."""
    live = [r for r in records if not r.revoked]
    if url:
        return [r for r in live if r.url == url]
    return [r for r in live if r.verdict == ACCEPTED] or live


def _entry(ctx, action, learner, **details):
    return audit.entry(ctx.usage_key, ctx.actor, action, ctx.now, learner_id=learner,
                       job=ctx.job, source=ctx.source, course_key=ctx.course_key, **details)


def accept(ctx, learner_ids):
    """Award each learner (an override with the staff member's reason)."""
    result, reason, url = ChunkResult(), ctx.params["reason"], ctx.params.get("url", "")
    records = records_by_learner(ctx.usage_key, learner_ids)
    awarded = awarded_learners(ctx.usage_key, learner_ids)
    check = Check(STAFF_CHECK, PASSED, _("Accepted by course staff: %(reason)s"),
                  {"reason": reason}).to_dict()
    awards, touched, verdicts_before = [], [], {}
    for learner in learner_ids:
        counted = _counted(records[learner], url)
        if learner == ctx.actor.id:  # no one grades themselves (the handlers refuse it first)
            result.failed += 1
            continue
        if learner in awarded or not counted:
            result.skipped += 1
            continue
        before = learner_verdict(records[learner], False)
        awards.append(ContributionAward(
            usage_key=ctx.usage_key, learner_id=learner,
            course_key=counted[0].course_key or ctx.course_key,
            anonymous_id=counted[0].anonymous_id, awarded_at=ctx.now, score=1.0,
            points=ctx.params.get("points", 1.0), contributions=[r.url for r in counted]))
        for record in counted:
            verdicts_before[record.pk] = record.verdict
            record.verdict, record.accepted_at = ACCEPTED, record.accepted_at or ctx.now
            record.awarded_at, record.next_check_at = ctx.now, None
            record.checks = [*record.checks, check]
        touched += counted
        result.changed += 1
        result.entries.append(_entry(ctx, "accept", learner, url=url, reason=reason,
                                     before=before, after="accepted"))
        result.changes.append((learner, url, before, "accepted"))
    with transaction.atomic(), progress_batch():
        # A concurrent award (the learner's own request, another job: the same accept
        # submitted twice) wins; ours is dropped, with its record updates and audit entries.
        ContributionAward.objects.bulk_create(awards, ignore_conflicts=True, batch_size=1000)
        _keep_only_ours(ctx, result, awards)
        won = {entry.learner_id for entry in result.entries}
        TrackedContribution.objects.bulk_update(
            [r for r in touched if r.learner_id in won],
            ["verdict", "accepted_at", "awarded_at", "next_check_at", "checks"], batch_size=1000)
        audit.record_many(result.entries)
    # Published with the job's chunk (what fails waits in the outbox for the next sweep).
    publish_made(ctx.usage_key, [award.learner_id for award in awards], ctx.now,
                 compat.publish_award_in_background, ctx.now,
                 publish_many=compat.publish_awards_in_background)
    _announce_awards(ctx, [a for a in awards if a.learner_id in won], touched, verdicts_before)
    return result


def _announce_awards(ctx, made, touched, verdicts_before):
    """What a staff award says, as a sweep's does, with the staff member as its actor (the
    events and signals of each award, the learners' notices queued together)."""
    rows = {}
    for record in touched:
        rows.setdefault(record.learner_id, []).append((record, verdicts_before.get(record.pk)))
    events.awards_stored(made, lambda award: rows.get(award.learner_id, []), ctx.actor.id)


def _keep_only_ours(ctx, result, awards):
    """Of the awards this chunk inserted, those it made (its time stamp): one change each."""
    ours = set(ContributionAward.objects.filter(
        usage_key=ctx.usage_key, learner_id__in=[a.learner_id for a in awards],
        awarded_at=ctx.now).values_list("learner_id", flat=True))
    lost = len(awards) - len(ours)
    result.changed -= lost
    result.skipped += lost
    result.entries = [e for e in result.entries if e.learner_id in ours]
    result.changes = [c for c in result.changes if c[0] in ours]


def revoke(ctx, learner_ids):
    """Take each learner's award back; what it published is reset through the outbox."""
    result, reason = ChunkResult(), ctx.params["reason"]
    for learner in learner_ids:
        if learner == ctx.actor.id:  # no one grades themselves (the handlers refuse it first)
            result.failed += 1
            continue
        try:
            revocation, _award = revoke_award(ctx.usage_key, learner, ctx.actor.id, reason,
                                              ctx.now)
        except NoAward:
            result.skipped += 1
            continue
        awards.reset(revocation, compat.reset_published, ctx.now)
        after = learner_verdict(list(TrackedContribution.objects.filter(
            usage_key=ctx.usage_key, learner_id=learner)), False)
        result.changed += 1
        result.entries.append(_entry(ctx, "revoke", learner, reason=reason, before="accepted",
                                     after=after))
        result.changes.append((learner, "", "accepted", after))
    audit.record_many(result.entries)
    return result


def annotate(ctx, learner_ids):
    """The same note on each learner (not twice: an identical live note by the actor is kept)."""
    result, params = ChunkResult(), ctx.params

    def same_note(note):  # checked under the learner's lock: a concurrent run adds it once
        return (note.get("author_id") == ctx.actor.id and note.get("text") == params["text"]
                and note.get("visibility") == params["visibility"])

    for learner in learner_ids:
        try:
            added = LearnerAnnotations(ctx.usage_key, learner).add(
                annotations.new_annotation(
                    author=ctx.actor.username, author_id=ctx.actor.id, text=params["text"],
                    visibility=params["visibility"], tag=params.get("tag", ""),
                    url=params.get("url", ""), now=ctx.now), ctx.now, unless=same_note)
        except annotations.AnnotationError:
            result.failed += 1  # this learner has as many notes as a block keeps
            continue
        if added is None:
            result.skipped += 1
            continue
        result.changed += 1
        result.entries.append(_entry(ctx, "annotate", learner, reason=params["text"]))
        result.changes.append((learner, params.get("url", ""), "", ""))
        events.annotation_added(added, ctx.usage_key, ctx.course_key, learner, ctx.actor.id)
    audit.record_many(result.entries)
    return result


def check_now(ctx, learner_ids):
    """Make the learners' unsettled records due now: the sweeps check them within the forges'
    rate budgets (two queries per chunk)."""
    result = ChunkResult()
    due = TrackedContribution.objects.filter(
        usage_key=ctx.usage_key, learner_id__in=list(learner_ids), next_check_at__isnull=False,
        claim_token="")
    queued = set(due.exclude(next_check_at__lte=ctx.now).values_list("learner_id", flat=True))
    due.exclude(next_check_at__lte=ctx.now).update(next_check_at=ctx.now)
    result.changed = len(queued)
    result.skipped = len(learner_ids) - len(queued)
    return result


ACTIONS = {"accept": accept, "revoke": revoke, "annotate": annotate, "check_now": check_now}
