"""The progress table: one row per learner, its filters, one page in a fixed number of queries.

- rows: one aggregated row per learner (what the table shows, sorts and filters
  on), computed in the database;
- filters: validated from JSON, applied as query conditions; the same conditions
  select "everything matching the filter" for bulk work;
- a page of rows, the page's contributions and the summary, in a number of
  queries that does not depend on the number of learners; the block's numbers
  at a glance for its author.
"""

import math
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from ..errors import UpstreamError
from ..i18n import gettext_noop as _
from ..models import ContributionAward, PaceStanding, TrackedContribution
from .aggregates import cached_summary
from .models import LearnerProgress

STUCK_AFTER_DAYS = 14
VERDICT_RANK = {"accepted": 0, "pending": 1, "rejected": 2}
VERDICTS = tuple(VERDICT_RANK)
ROW_FIELDS = ("learner_id", "contributions", "pending", "accepted", "last_activity",
              "waiting_since", "awarded", "annotated", "verdict_rank", "stuck_state")


STALLED, OPEN = 1, 2  # LearnerProgress.stuck_state: nothing pending / work pending


def stuck_condition(now):
    """Not complete, and nothing pending or no activity for STUCK_AFTER_DAYS: two ranges of
    the stuck index."""
    stuck_before = now - timedelta(days=STUCK_AFTER_DAYS)
    return Q(stuck_state=STALLED) | Q(stuck_state=OPEN, last_activity__lt=stuck_before)


def learners(usage_key, username, now):
    """The block's learners as a values() queryset of dicts, one per learner.

    Read from the maintained aggregate (``LearnerProgress``, see ``staff.aggregates``):
    every filter and sort is a condition on indexed columns. ``username`` is a query
    expression for a row's learner's user name (from ``compat.username_expression``).
    Keys: learner_id, username, contributions, pending, accepted, last_activity,
    waiting_since, awarded, annotated, verdict_rank, stuck.
    """
    return (LearnerProgress.objects.filter(usage_key=usage_key).values(*ROW_FIELDS)
            .annotate(username=username, overdue_days=overdue_days_of(usage_key=usage_key),
                      stuck=Case(When(stuck_condition(now), then=Value(True)),
                                 default=Value(False), output_field=BooleanField())))


def overdue_days_of(**scope):
    """The learner's most overdue contribution's days beyond its project's usual (0: none)
    among the standings of ``scope`` (the hourly scan's, tracking/overdue.py)."""
    most = PaceStanding.objects.filter(**scope, learner_id=OuterRef("learner_id")) \
        .values("learner_id").annotate(most=Max("overdue_days")).values("most")[:1]
    return Coalesce(Subquery(most), Value(0.0), output_field=FloatField())


def verdict_of(row):
    return VERDICTS[row["verdict_rank"]]


def learner_ids_with_contributions(usage_key, condition):
    """Learners with at least one contribution matching ``condition`` (a subquery); the
    contributions of the block ``usage_key``, or of the records a Q object selects."""
    scope = usage_key if isinstance(usage_key, Q) else Q(usage_key=usage_key)
    return TrackedContribution.objects.filter(scope).filter(condition).values("learner_id")


def records_by_learner(usage_key, learner_ids):
    """{learner id: [their records in the block, oldest first]} for each of ``learner_ids``
    (one query; none for no learner)."""
    by_learner = {learner: [] for learner in learner_ids}
    for record in TrackedContribution.objects.filter(
            usage_key=usage_key, learner_id__in=list(by_learner)).order_by("registered_at", "pk"):
        by_learner[record.learner_id].append(record)
    return by_learner


def awarded_learners(usage_key, learner_ids):
    """The ones of ``learner_ids`` holding the block's award (one query)."""
    return set(ContributionAward.objects.filter(
        usage_key=usage_key, learner_id__in=list(learner_ids)).values_list("learner_id",
                                                                            flat=True))


# -- filters ---------------------------------------------------------------------
STATES = ("open", "draft", "merged", "closed", "unknown")
MAX_DAYS = 3650
MAX_TEXT = 200


class FilterError(UpstreamError, ValueError):
    """A filter value the table does not understand (an English message id): ``bad_request``,
    with the filter's name as ``field`` (the page shows the message next to that field)."""

    def __init__(self, template, params=None, field=None):
        extra = {"field": field} if field else {}
        super().__init__("bad_request", template, params=params, **extra)


def whole_number(value, default, name, upper):
    """A page or page size from JSON: ``default`` when absent, else a whole number 1..upper."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= upper:
        raise FilterError(_("Enter a whole number from 1 to %(upper)s."),
                          {"upper": upper}, field=name)
    return value


@dataclass(frozen=True)
class Filters:
    verdicts: tuple = ()
    states: tuple = ()
    forge: str = ""
    repository: str = ""
    waiting_days: int | None = None
    inactive_days: int | None = None
    has_annotations: bool | None = None
    stuck: bool | None = None
    search: str = ""
    overdue: bool | None = None  # waiting longer than the project usually takes


def _choices(value, allowed, name):
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or \
            not all(isinstance(v, str) and v in allowed for v in values):
        raise FilterError(_("Choose among the offered values."), field=name)
    return tuple(dict.fromkeys(values))


def _days(value, name):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
        raise FilterError(_("Enter a number of days from 0 to 3650."), field=name)
    return value


def _text(value, name):
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise FilterError(_("Enter at most 200 characters."), field=name)
    return value.strip()


def _flag(value, name):
    if not isinstance(value, bool):
        raise FilterError(_("Choose yes or no."), field=name)
    return value


PARSERS = {
    "verdict": ("verdicts", lambda v: _choices(v, tuple(VERDICT_RANK), "verdict")),
    "state": ("states", lambda v: _choices(v, STATES, "state")),
    "forge": ("forge", lambda v: _text(v, "forge").lower()),
    "repository": ("repository", lambda v: _text(v, "repository").strip("/")),
    "waiting_days": ("waiting_days", lambda v: _days(v, "waiting_days")),
    "inactive_days": ("inactive_days", lambda v: _days(v, "inactive_days")),
    "has_annotations": ("has_annotations", lambda v: _flag(v, "has_annotations")),
    "stuck": ("stuck", lambda v: _flag(v, "stuck")),
    "search": ("search", lambda v: _text(v, "search")),
    "overdue": ("overdue", lambda v: _flag(v, "overdue")),
}


def parse_filters(raw):
    """Filters from the request's ``filters`` object (None or {} for none)."""
    if raw is None:
        return Filters()
    if not isinstance(raw, dict):
        raise FilterError(_("Filters must be a JSON object."))
    unknown = sorted(set(raw) - set(PARSERS))
    if unknown:
        raise FilterError(_("Unknown filters: %(names)s."), {"names": ", ".join(unknown)})
    values = {}
    for key, value in raw.items():
        if value is None or value == "":
            continue
        attribute, parse = PARSERS[key]
        values[attribute] = parse(value)
    return Filters(**values)


def _contribution_condition(filters):
    condition = Q()
    if filters.states:
        states = [("" if s == "unknown" else s) for s in filters.states]
        condition &= Q(state__in=states)
    if filters.forge:
        condition &= Q(host=filters.forge)
    if filters.repository:
        condition &= Q(project__iexact=filters.repository)
    return condition


def apply_filters(learners, usage_key, filters, now, stuck=None):
    """``learners`` (from ``learners.learners``) narrowed to those matching ``filters``
    (``stuck(now)``: the stuck condition of these rows, the block's by default)."""
    stuck = stuck or stuck_condition
    condition = _contribution_condition(filters)
    if condition:
        learners = learners.filter(
            learner_id__in=learner_ids_with_contributions(usage_key, condition))
    if filters.search:
        by_url = learner_ids_with_contributions(usage_key, Q(url__icontains=filters.search))
        learners = learners.filter(Q(username__icontains=filters.search)
                                   | Q(learner_id__in=by_url))
    if filters.verdicts:
        learners = learners.filter(verdict_rank__in=[VERDICT_RANK[v] for v in filters.verdicts])
    if filters.waiting_days is not None:
        learners = learners.filter(
            waiting_since__lt=now - timedelta(days=filters.waiting_days))
    if filters.inactive_days is not None:
        learners = learners.filter(
            last_activity__lt=now - timedelta(days=filters.inactive_days))
    if filters.has_annotations is not None:
        learners = learners.filter(annotated=filters.has_annotations)
    if filters.stuck is not None:
        # The condition itself (not the annotation): it reads the stuck index's ranges.
        condition = stuck(now)
        learners = learners.filter(condition if filters.stuck else ~condition)
    if filters.overdue is not None:  # the hourly scan's standings, in this scope
        late = learner_ids_with_contributions(usage_key, Q(pace_standing__isnull=False))
        learners = learners.filter(learner_id__in=late) if filters.overdue else \
            learners.exclude(learner_id__in=late)
    return learners


# -- pages and summaries -----------------------------------------------------------
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
DEFAULT_SORT = "-waiting"


def _ascending(key):
    """The order_by expressions of a sort key, ascending; ties broken by learner id."""
    return {
        "username": [F("username").asc(nulls_last=True)],
        "last_activity": [F("last_activity").asc(nulls_first=True)],
        # Waiting time ascending is the waiting start descending; not waiting counts as 0
        # (its key is the far future: the order is the index's, with no NULL to place).
        "waiting": [F("waiting_key").desc()],
        "verdict": [F("verdict_rank").asc()],
        "overdue": [F("overdue_days").asc()],
    }[key]


SORT_KEYS = ("last_activity", "waiting", "verdict", "username", "overdue")


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    sort: str = DEFAULT_SORT
    filters: Filters = field(default_factory=Filters)


def parse_page_request(data):
    """A PageRequest from the handler's JSON (``page``, ``page_size``, ``sort``, ``filters``)."""
    sort = data.get("sort") or DEFAULT_SORT
    if not isinstance(sort, str) or sort.lstrip("-") not in SORT_KEYS:
        raise FilterError(_("Sort by one of: %(keys)s (with a leading - for descending)."),
                          {"keys": ", ".join(SORT_KEYS)}, field="sort")
    return PageRequest(page=whole_number(data.get("page"), 1, "page", 10 ** 6),
                       page_size=whole_number(data.get("page_size"), DEFAULT_PAGE_SIZE,
                                           "page_size", MAX_PAGE_SIZE),
                       sort=sort, filters=parse_filters(data.get("filters")))


def order_by(sort):
    """The sort's expressions, ties broken by learner id in the same direction (one index
    read in order, forwards or backwards, with no sort of its own)."""
    descending, key = sort.startswith("-"), sort.lstrip("-")
    expressions = [expression.copy() for expression in _ascending(key)]
    if descending:
        for expression in expressions:
            expression.reverse_ordering()
    tie = F("learner_id").desc() if expressions[-1].descending else F("learner_id").asc()
    return [*expressions, tie]


def matching_learners(usage_key, filters, username, now):
    """Every learner matching ``filters`` (unsorted): for bulk work on "the whole filter"."""
    return apply_filters(learners(usage_key, username, now), usage_key, filters, now)


@dataclass
class ProgressPage:
    rows: list  # aggregated learner dicts (see learners.learners)
    contributions: dict  # learner id -> [TrackedContribution], oldest first
    awards: dict  # learner id -> ContributionAward (learners holding one)
    count: int
    page: int
    pages: int
    summary: dict


def page_of(selected, count, request):
    """(page number, pages, the page's rows) of a sorted selection of ``count`` rows.

    Read in index order: a page in the second half is read from the other end (the last
    page costs what the first does, not a walk over every row before it).
    """
    pages = max(1, math.ceil(count / request.page_size))
    page = min(request.page, pages)
    start, end = (page - 1) * request.page_size, min(page * request.page_size, count)
    order = order_by(request.sort)
    if start <= count - end:
        return page, pages, list(selected.order_by(*order)[start:end])
    reverse = [expression.copy() for expression in order]
    for expression in reverse:
        expression.reverse_ordering()
    return page, pages, list(selected.order_by(*reverse)[count - end:count - start])[::-1]


def progress_page(usage_key, request, username, now):
    selected = matching_learners(usage_key, request.filters, username, now)
    totals = summary(usage_key, username, now)
    # Unfiltered, the summary's learners are the count (no second walk of the index).
    count = totals["registered"] if request.filters == Filters() else selected.count()
    page, pages, rows = page_of(selected, count, request)
    ids = [row["learner_id"] for row in rows]
    by_learner, awards = records_by_learner(usage_key, ids), {}
    if ids:
        awards = {award.learner_id: award for award in ContributionAward.objects.filter(
            usage_key=usage_key, learner_id__in=ids)}
    return ProgressPage(rows=rows, contributions=by_learner, awards=awards, count=count,
                        page=page, pages=pages, summary=totals)


def summary_counts(rows, stalled, stale):
    """{registered, accepted, pending, rejected, stuck} of aggregate ``rows``, by index: a
    count per verdict (one index range each, in one query) and the stuck ones as two
    disjoint index ranges (``stalled``: stuck at any date; ``stale``: the others that are)."""
    by_rank = dict(rows.order_by().values_list("verdict_rank").annotate(n=Count("pk")))
    counts = {verdict: by_rank.get(rank, 0) for verdict, rank in VERDICT_RANK.items()}
    counts["registered"] = sum(by_rank.values())
    # One query: the two ranges' rows counted together (disjoint, so none twice).
    counts["stuck"] = rows.filter(stalled).values("pk").union(
        rows.filter(stale).values("pk"), all=True).count()
    return counts


def summary(usage_key, username, now):  # noqa: ARG001  (one signature with the course's)
    """Learners of the whole block: registered, pending, accepted, rejected, stuck: two
    queries over the maintained aggregate's indexes when a write made the last count stale
    (``aggregates.cached_summary``), none otherwise."""
    stuck_before = now - timedelta(days=STUCK_AFTER_DAYS)
    return cached_summary("block", usage_key, lambda: summary_counts(
        LearnerProgress.objects.filter(usage_key=usage_key), Q(stuck_state=STALLED),
        Q(stuck_state=OPEN, last_activity__lt=stuck_before)))


def block_summary(usage_key):
    """Learners who registered, their contributions, how many are accepted, who was awarded.

    One query over the maintained aggregate, whatever the number of learners.
    """
    counts = LearnerProgress.objects.filter(usage_key=usage_key).aggregate(
        n_learners=Count("pk"), n_contributions=Sum("contributions"),
        n_accepted=Sum("accepted"), n_awarded=Count("pk", filter=Q(awarded=True)))
    return {key[2:]: int(value or 0) for key, value in counts.items()}
