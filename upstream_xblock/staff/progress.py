"""One page of the progress table, and its summary, in a fixed number of queries.

Queries for one page, whatever the number of learners and records: the
count of matching learners, the page's learners (aggregated, sorted, sliced
in the database), the page's contributions, their awards, and the summary;
the caller adds one for the page's annotations. Nothing here loops over learners with a query.
"""

import math
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import F

from ..models import ContributionAward
from ..i18n import gettext_noop as _
from .filters import Filters, FilterError, apply_filters, parse_filters, whole_number
from .learners import VERDICT_RANK, learners, records_by_learner

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
DEFAULT_SORT = "-waiting"


def _ascending(key):
    """The order_by expressions of a sort key, ascending; ties broken by learner id."""
    return {
        "username": [F("username").asc(nulls_last=True)],
        "last_activity": [F("last_activity").asc(nulls_first=True)],
        # Waiting time ascending is the waiting start descending; not waiting counts as 0.
        "waiting": [F("waiting_since").desc(nulls_first=True)],
        "verdict": [F("verdict_rank").asc()],
    }[key]


SORT_KEYS = ("last_activity", "waiting", "verdict", "username")


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
                          {"keys": ", ".join(SORT_KEYS)})
    return PageRequest(page=whole_number(data.get("page"), 1, "page", 10 ** 6),
                       page_size=whole_number(data.get("page_size"), DEFAULT_PAGE_SIZE,
                                           "page_size", MAX_PAGE_SIZE),
                       sort=sort, filters=parse_filters(data.get("filters")))


def order_by(sort):
    descending, key = sort.startswith("-"), sort.lstrip("-")
    expressions = _ascending(key)
    if descending:
        expressions = [expression.copy() for expression in expressions]
        for expression in expressions:
            expression.reverse_ordering()
    tie = F("learner_id").desc() if descending else F("learner_id").asc()
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


def progress_page(usage_key, request, username, now):
    selected = matching_learners(usage_key, request.filters, username, now)
    count = selected.count()
    pages = max(1, math.ceil(count / request.page_size))
    page = min(request.page, pages)
    start = (page - 1) * request.page_size
    rows = list(selected.order_by(*order_by(request.sort))[start:start + request.page_size])
    ids = [row["learner_id"] for row in rows]
    by_learner, awards = records_by_learner(usage_key, ids), {}
    if ids:
        awards = {award.learner_id: award for award in ContributionAward.objects.filter(
            usage_key=usage_key, learner_id__in=ids)}
    return ProgressPage(rows=rows, contributions=by_learner, awards=awards, count=count,
                        page=page, pages=pages, summary=summary(usage_key, username, now))


SUMMARY_SQL = (
    "SELECT COUNT(*), "
    "COALESCE(SUM(CASE WHEN learner.verdict_rank = %(accepted)d THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN learner.verdict_rank = %(pending)d THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN learner.verdict_rank = %(rejected)d THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN learner.stuck THEN 1 ELSE 0 END), 0) "
    "FROM ({inner}) learner" % VERDICT_RANK)


def summary(usage_key, username, now):
    """Learners of the whole block: registered, pending, accepted, rejected, stuck (one query).

    Counted over the per-learner rows in a subquery (Django's ORM cannot yet
    aggregate conditionally over another aggregation's aliases).
    """
    query = learners(usage_key, username, now).values("verdict_rank", "stuck")
    inner, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(SUMMARY_SQL.format(inner=inner), params)
        counts = cursor.fetchone()
    return dict(zip(("registered", "accepted", "pending", "rejected", "stuck"),
                    (int(value) for value in counts)))
