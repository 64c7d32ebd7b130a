"""The staff pages' maintained aggregates: a learner's work per block and per course.

``LearnerProgress`` (one row per learner and block) is computed from the
learner's records, award and annotation index; ``CourseProgress`` (one row per
learner and course) from their ``LearnerProgress`` rows. Both are recomputed
for exactly the learners a write touched (``staff.changes`` reports them), in
one ``INSERT ... SELECT ... GROUP BY`` upsert each, reading the learners'
rows by index: the cost of a write does not grow with the course, and a page
of the progress table reads a few indexed rows instead of aggregating every
record of the block.

``rebuild(usage_keys=..., course_keys=...)`` recomputes everything of some
blocks or courses (the migration that adds the tables, and an operator's
repair after restoring a backup).
"""

import hashlib
from functools import reduce
from operator import or_

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import OperationalError, connection, connections, router
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from ..models import ContributionAward, TrackedContribution
from .changes import learners_changed
from .models import NOT_WAITING, AnnotationIndex, CourseProgress, LearnerProgress

PENDING = Q(verdict__in=("pending", ""))
WAITING_FOR_REVIEW = PENDING & ~Q(state="draft")
CHUNK = 500  # pairs recomputed per statement


def _pair_condition(pairs, usage="usage_key"):
    by_usage = {}
    for usage_key, learner in pairs:
        by_usage.setdefault(usage_key, set()).add(learner)
    return reduce(or_, (Q(**{usage: key, "learner_id__in": sorted(learners)})
                        for key, learners in sorted(by_usage.items())))


def _rank(awarded, pending):
    return Case(When(**{awarded: True}, then=Value(0)), When(**{f"{pending}__gt": 0},
                                                              then=Value(1)),
                default=Value(2), output_field=IntegerField())


def block_rows(condition):
    """The LearnerProgress values of the learners ``condition`` selects among the records."""
    awarded = Exists(ContributionAward.objects.filter(usage_key=OuterRef("usage_key"),
                                                      learner_id=OuterRef("learner_id")))
    annotated = Exists(AnnotationIndex.objects.filter(usage_key=OuterRef("usage_key"),
                                                      learner_id=OuterRef("learner_id"),
                                                      count__gt=0))
    return (TrackedContribution.objects.filter(condition).order_by()
            .values("usage_key", "learner_id")
            .annotate(course_key=Max("course_key"), contributions=Count("pk"),
                      pending=Count("pk", filter=PENDING),
                      accepted=Count("pk", filter=Q(verdict="accepted")),
                      last_activity=Max(Greatest("registered_at",
                                                 Coalesce("accepted_at", "registered_at"))),
                      waiting_since=Min("registered_at", filter=WAITING_FOR_REVIEW),
                      waiting_key=Coalesce(Min("registered_at", filter=WAITING_FOR_REVIEW),
                                           Value(NOT_WAITING)),
                      awarded=awarded, annotated=annotated)
            .annotate(verdict_rank=_rank("awarded", "pending"),
                      stuck_state=Case(When(awarded=True, then=Value(0)),
                                       When(pending=0, then=Value(1)), default=Value(2),
                                       output_field=IntegerField())))


def course_rows(condition):
    """The CourseProgress values of the learners ``condition`` selects among LearnerProgress."""
    open_work = Q(awarded=False, pending__gt=0)
    # The ones read from a column of the same name come last: an annotation hides its column.
    return (LearnerProgress.objects.filter(condition).order_by()
            .values("course_key", "learner_id")
            .annotate(activities=Count("pk"), completed=Count("pk", filter=Q(awarded=True)),
                      stalled=Count("pk", filter=Q(awarded=False, pending=0)),
                      oldest_active=Min("last_activity", filter=open_work),
                      waiting_key=Min("waiting_key"))
            .annotate(pending=Count("pk", filter=open_work),
                      contributions=Sum("contributions"), accepted=Sum("accepted"),
                      last_activity=Max("last_activity"), waiting_since=Min("waiting_since"),
                      annotated=Max(Case(When(annotated=True, then=Value(1)), default=Value(0),
                                         output_field=IntegerField())))
            .annotate(verdict_rank=Case(
                When(completed=F("activities"), then=Value(0)), When(pending__gt=0, then=Value(1)),
                default=Value(2), output_field=IntegerField())))


def _upsert(model, query, unique):
    """INSERT the rows ``query`` selects into ``model``'s table, updating those that exist."""
    connection = connections[router.db_for_write(model)]
    compiler = query.query.get_compiler(connection=connection)
    try:
        select_sql, params = compiler.as_sql()
    except EmptyResultSet:  # nothing can match (no course left): nothing to write
        return
    names = [alias or expression.target.column for expression, _sql, alias in compiler.select]
    # Django documents ``_meta`` (the Model _meta API) as public despite its underscore.
    table, quote = model._meta.db_table, connection.ops.quote_name  # noqa: SLF001
    columns = ", ".join(quote(name) for name in names)
    changed = [name for name in names if name not in unique]
    if connection.vendor == "mysql":
        tail = "ON DUPLICATE KEY UPDATE " + ", ".join(
            f"{quote(name)} = VALUES({quote(name)})" for name in changed)
    else:  # SQLite, PostgreSQL
        tail = (f"ON CONFLICT ({', '.join(quote(name) for name in unique)}) DO UPDATE SET "
                + ", ".join(f"{quote(name)} = excluded.{quote(name)}" for name in changed))
    # "WHERE true": without it SQLite would read ON CONFLICT's ON as a join's.
    sql = (f"INSERT INTO {quote(table)} ({columns}) SELECT * FROM ({select_sql}) AS fresh "
           f"WHERE 1 = 1 {tail}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def recompute(pairs, removed=False):
    """Bring the aggregates of these (usage key, learner id) pairs up to date."""
    pairs = sorted(pairs)
    for start in range(0, len(pairs), CHUNK):
        _recompute(pairs[start:start + CHUNK], removed)
    forget_summaries({usage for usage, _learner in pairs})


# -- the summaries: counted from the indexes when a write made them stale ---------------
SUMMARY_TTL_S = 60  # "stuck" moves with the clock; and a cache not shared across processes


def summary_key(kind, key):
    return f"upstream_xblock:summary:{kind}:{hashlib.sha1(key.encode()).hexdigest()}"


def cached_summary(kind, key, count):
    """A block's or course's summary: ``count()`` once, then kept until a write to it."""
    name = summary_key(kind, key)
    value = cache.get(name)
    if value is None:
        value = count()
        cache.set(name, value, timeout=SUMMARY_TTL_S)
    return value


def _course_of(usages):
    """{usage key: course key} (a block's course never changes: kept in the cache)."""
    names = {usage: f"upstream_xblock:course_of:{hashlib.sha1(usage.encode()).hexdigest()}"
             for usage in usages}
    known = cache.get_many(list(names.values()))
    found = {usage: known[name] for usage, name in names.items() if name in known}
    missing = [usage for usage in usages if usage not in found]
    if missing:
        rows = dict(LearnerProgress.objects.filter(usage_key__in=missing)
                    .values_list("usage_key", "course_key").distinct())
        cache.set_many({names[usage]: course for usage, course in rows.items()}, timeout=None)
        found.update(rows)
    return found


def forget_summaries(usages):
    """The writes to these blocks made their summaries, and their courses', stale."""
    courses = set(_course_of(sorted(usages)).values())
    cache.delete_many([summary_key("block", usage) for usage in usages]
                      + [summary_key("course", course) for course in courses])


def _recompute(pairs, removed):
    condition = _pair_condition(pairs)
    _upsert(LearnerProgress, block_rows(condition), ("usage_key", "learner_id"))
    learners = sorted({learner for _usage, learner in pairs})
    if removed:  # the courses are read before the rows of learners with no record go
        courses = set(LearnerProgress.objects.filter(condition).values_list("course_key",
                                                                            flat=True))
        LearnerProgress.objects.filter(condition).exclude(Exists(
            TrackedContribution.objects.filter(usage_key=OuterRef("usage_key"),
                                               learner_id=OuterRef("learner_id")))).delete()
    else:
        courses = TrackedContribution.objects.filter(condition).values("course_key")
    touched = Q(course_key__in=courses, learner_id__in=learners)
    _upsert(CourseProgress, course_rows(touched), ("course_key", "learner_id"))
    if removed:
        CourseProgress.objects.filter(touched).exclude(Exists(LearnerProgress.objects.filter(
            course_key=OuterRef("course_key"), learner_id=OuterRef("learner_id")))).delete()


def rebuild(usage_keys=(), course_keys=()):
    """Recompute every learner of these blocks and courses (a repair; the migration's fill)."""
    records = TrackedContribution.objects.filter(Q(usage_key__in=list(usage_keys))
                                                 | Q(course_key__in=list(course_keys)))
    pairs = set(records.order_by().values_list("usage_key", "learner_id").distinct())
    stale = LearnerProgress.objects.filter(Q(usage_key__in=list(usage_keys))
                                           | Q(course_key__in=list(course_keys)))
    pairs |= set(stale.values_list("usage_key", "learner_id"))
    recompute(pairs, removed=True)
    return len(pairs)


# MySQL/MariaDB: a deadlock, a lock wait timeout, and the auto-increment lock's failure
# that MariaDB reports for an INSERT ... SELECT caught in one.
RETRIED = (1213, 1205, 1467)
ATTEMPTS = 3


def _on_change(sender, pairs, removed=False, **kwargs):  # noqa: ARG001
    """Recompute; a statement on its own (autocommit) that lost a race is run again. Inside
    a transaction the database has already rolled it back: the caller's own retry decides."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return recompute(pairs, removed)
        except OperationalError as error:
            retry = bool(error.args) and error.args[0] in RETRIED
            if not retry or connection.in_atomic_block or attempt == ATTEMPTS:
                raise
    return None


def connect():
    """Listen to the registry's writes (the app's ``ready``)."""
    learners_changed.connect(_on_change, dispatch_uid="upstream_xblock.staff.aggregates")

