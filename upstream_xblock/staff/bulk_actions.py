"""What one chunk of a bulk job does to its learners: accept, revoke, annotate, check now.

Each function takes a ``ChunkContext`` and the chunk's learner ids, and
returns a ``ChunkResult`` (learners changed, learners already so, failures,
and the audit entries to write). Repeating an action is harmless: a learner
who already holds the award is not accepted twice, one without an award is
not revoked, an identical note by the same author is not added twice, and a
record already due is not queued again.

``accept`` writes a fixed number of queries per chunk, whatever its size (the
records, the awards, the new awards, the records' update, the audit entries).
The award it makes goes through the one award path: it waits in the outbox
(``tracking/outbox.py``) until a sweep, or the learner's next visit, publishes
it. ``revoke`` and ``annotate`` cost queries per learner (a revoke resets
what was published, an annotation is a write to that learner's block state):
a chunk bounds how many run in one go.
"""

from dataclasses import dataclass, field

from django.db import transaction

from .. import platform
from ..annotations import notes as note_rules
from ..annotations.store import LearnerAnnotations
from ..models import ContributionAward, TrackedContribution
from ..policy import ACCEPTED, PASSED, Check
from ..i18n import gettext_noop as _
from ..tracking import outbox
from ..tracking.awards import NoAward, revoke_award
from . import audit
from .learners import awarded_learners, records_by_learner

STAFF_CHECK = "staff"


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


def learner_verdict(records, awarded):
    """The progress table's verdict of one learner (see ``learners``), from their records."""
    if awarded:
        return "accepted"
    if any(r.verdict in ("pending", "") for r in records):
        return "pending"
    return "rejected"


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
    awards, touched = [], []
    for learner in learner_ids:
        counted = _counted(records[learner], url)
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
            record.verdict, record.accepted_at = ACCEPTED, record.accepted_at or ctx.now
            record.awarded_at, record.next_check_at = ctx.now, None
            record.checks = [*record.checks, check]
        touched += counted
        result.changed += 1
        result.entries.append(_entry(ctx, "accept", learner, url=url, reason=reason,
                                     before=before, after="accepted"))
        result.changes.append((learner, url, before, "accepted"))
    with transaction.atomic():
        # A concurrent award (the learner's own request, another job) wins; ours is dropped.
        ContributionAward.objects.bulk_create(awards, ignore_conflicts=True, batch_size=1000)
        TrackedContribution.objects.bulk_update(
            touched, ["verdict", "accepted_at", "awarded_at", "next_check_at", "checks"],
            batch_size=1000)
        audit.record_many(result.entries)
    return result


def revoke(ctx, learner_ids):
    """Take each learner's award back; what it published is reset through the outbox."""
    result, reason = ChunkResult(), ctx.params["reason"]
    for learner in learner_ids:
        try:
            revocation, _award = revoke_award(ctx.usage_key, learner, ctx.actor.id, reason,
                                              ctx.now)
        except NoAward:
            result.skipped += 1
            continue
        outbox.reset(revocation, platform.reset_published, ctx.now)
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
                note_rules.new_annotation(
                    author=ctx.actor.username, author_id=ctx.actor.id, text=params["text"],
                    visibility=params["visibility"], tag=params.get("tag", ""),
                    url=params.get("url", ""), now=ctx.now), ctx.now, unless=same_note)
        except note_rules.AnnotationError:
            result.failed += 1  # this learner has as many notes as a block keeps
            continue
        if added is None:
            result.skipped += 1
            continue
        result.changed += 1
        result.entries.append(_entry(ctx, "annotate", learner, reason=params["text"]))
        result.changes.append((learner, params.get("url", ""), "", ""))
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
