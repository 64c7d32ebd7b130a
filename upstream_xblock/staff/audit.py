"""The audit trail: who did what, when, on whom, why, and the verdict before and after.

Every staff and mentor action writes here (handlers, bulk jobs, CSV imports,
the instructor dashboard's tools), once per change: whoever acted (the real user
while masquerading), why, and the learner's verdict before and after.
``record_many`` writes a chunk's entries in one query. The list is paginated and
filtered like the progress table.
"""

import math
from dataclasses import dataclass

from django.db.models import Q

from ..i18n import gettext_noop as _
from ..models import ContributionAward, TrackedContribution
from .models import AuditEntry
from .progress import FilterError, whole_number

ACTIONS = ("accept", "revoke", "annotate", "edit_annotation", "delete_annotation",
           "check_now", "bulk", "score_override", "rescore", "clear_state", "import",
           "vouch", "propose_vouch", "confirm_vouch", "revoke_vouch", "vouch_identity")
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_TEXT = 200


@dataclass(frozen=True)
class Actor:
    """Who acts: the real staff member or mentor (never the learner they masquerade as)."""

    id: str
    username: str


def entry(usage_key, actor, action, now, *, learner_id="", url="", reason="", before="",
          after="", job=None, source="handler", course_key=""):
    """An unsaved entry (for ``record_many``)."""
    return AuditEntry(usage_key=usage_key, course_key=course_key, at=now, actor_id=actor.id,
                      actor_username=actor.username[:150], action=action,
                      learner_id=learner_id, url=url[:500], reason=(reason or "")[:2000],
                      verdict_before=before, verdict_after=after, job=job, source=source)


def record(usage_key, actor, action, now, **details):
    return entry(usage_key, actor, action, now, **details).save()


def learner_verdict(records, awarded):
    """The progress table's verdict of one learner (see ``progress.learners``), from their
    records: what an entry's ``verdict_before`` and ``verdict_after`` say."""
    if awarded:
        return "accepted"
    if any(r.verdict in ("pending", "") for r in records):
        return "pending"
    return "rejected"


def verdict_now(usage_key, learner_id):
    """``learner_verdict`` of one learner as the registry holds it now (two queries)."""
    awarded = ContributionAward.objects.filter(usage_key=usage_key,
                                               learner_id=learner_id).exists()
    return learner_verdict(TrackedContribution.objects.filter(
        usage_key=usage_key, learner_id=learner_id).only("verdict"), awarded)


def record_many(entries):
    """One query for a chunk's entries."""
    if entries:
        AuditEntry.objects.bulk_create(entries, batch_size=1000)


def as_json(row):
    answer = {"at": row.at.isoformat(),
              "actor": {"id": row.actor_id, "username": row.actor_username},
              "action": row.action, "learner_id": row.learner_id, "url": row.url,
              "reason": row.reason, "verdict_before": row.verdict_before,
              "verdict_after": row.verdict_after, "job": row.job_id, "source": row.source,
              "activity": row.usage_key}
    if row.action == "bulk" and row.job_id is not None:  # what the job did, to word it
        answer.update(job_action=row.job.action, job_count=row.job.count)
    return answer


MAX_ID = 2 ** 63 - 1  # the largest key a database's BigAutoField holds


def is_job_number(value):
    """A whole number a job's key can be (JSON's ints are unbounded; the database's are not)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _filters(raw):
    if raw is None:
        return Q()
    if not isinstance(raw, dict):
        raise FilterError(_("Filters must be a JSON object."))
    unknown = sorted(set(raw) - {"action", "actor", "learner_id", "search", "job", "activity"})
    if unknown:
        raise FilterError(_("Unknown filters: %(names)s."), {"names": ", ".join(unknown)})
    condition = Q()
    action = raw.get("action")
    if action:
        if action not in ACTIONS:
            raise FilterError(_("Choose among the offered values."), field="action")
        condition &= Q(action=action)
    for key, field in (("actor", "actor_username"), ("learner_id", "learner_id"),
                       ("activity", "usage_key")):
        value = raw.get(key)
        if value:
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                raise FilterError(_("Enter at most 200 characters."), field=key)
            condition &= Q(**{field: value.strip()})
    job = raw.get("job")
    if job is not None:
        if not is_job_number(job):  # 10**30 is no job, and no database integer either
            raise FilterError(_("Enter a job's number."), field="job")
        condition &= Q(job_id=job)
    search = raw.get("search")
    if search:
        if not isinstance(search, str) or len(search) > MAX_TEXT:
            raise FilterError(_("Enter at most 200 characters."), field="search")
        condition &= Q(reason__icontains=search) | Q(url__icontains=search) | \
            Q(learner_id__icontains=search)
    return condition


def audit_page(usage_key, data, course_key=None):
    """``{"page", "page_size", "filters"}`` → ``{"rows", "count", "page", "pages"}`` (2 queries):
    a block's entries, or (``course_key`` given, ``usage_key`` empty) a whole course's."""
    page_size = whole_number(data.get("page_size"), DEFAULT_PAGE_SIZE, "page_size", MAX_PAGE_SIZE)
    scope = Q(course_key=course_key) if course_key is not None and not usage_key \
        else Q(usage_key=usage_key)
    entries = AuditEntry.objects.filter(_filters(data.get("filters")), scope)
    count = entries.count()
    pages = max(1, math.ceil(count / page_size))
    page = min(whole_number(data.get("page"), 1, "page", 10 ** 6), pages)
    start = (page - 1) * page_size
    rows = entries.select_related("job").order_by("-at", "-pk")[start:start + page_size]
    return {"rows": [as_json(row) for row in rows], "count": count, "page": page,
            "pages": pages, "page_size": page_size}


def entries_of_many(usage_keys, learner_ids):
    """{(usage key, learner id): [entries oldest first]} for a chunk of learners in several
    blocks (one query; for course-wide exports)."""
    by_learner = {}
    for row in AuditEntry.objects.filter(usage_key__in=list(usage_keys),
                                         learner_id__in=list(learner_ids)).order_by("at", "pk"):
        by_learner.setdefault((row.usage_key, row.learner_id), []).append(row)
    return by_learner
