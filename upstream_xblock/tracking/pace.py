"""How long a target repository usually takes: CHAOSS figures from a cached sample and our records.

Figures over the last 90 days (CHAOSS "Time to First Response", "Time to
Close" for merged contributions, "Change Request Acceptance Ratio"): median and
80th percentile, with the sample size; none below ``MIN_SAMPLE`` contributions.
The sample is each repository's recent contributions as one forge read returns
them (``forges/samples.py``), cached in ``RepositorySample`` and read again at
most daily, within a share of the host's hourly budget; the course's own
records of the same repository join it (their forge snapshots).
"""

import logging
import math
from datetime import timedelta

from django.db import IntegrityError
from django.db.models import Count, Q

from ..forges import ForgeError
from ..forges.samples import SampleItem, sample_reader
from ..forges.snapshot import parse_time
from ..models import RepositorySample, TrackedContribution

log = logging.getLogger(__name__)

WINDOW = timedelta(days=90)
MIN_SAMPLE = 10
REFRESH_AFTER = timedelta(days=1)
RETRY_AFTER = timedelta(hours=1)
BUDGET_SHARE = 0.10  # of a host's hourly budget, at most, in any hour
SPREAD_HOURS = 20  # a host's repositories are read again over this many hours, not at once
# The documented hourly budgets (GitHub's GraphQL: 5,000 points; one sample query costs 1).
HOURLY_BUDGET = {"github": 5000, "gitlab": 30000}
DEFAULT_HOURLY_BUDGET = 3600  # forges that publish none: one request a second


def _days(delta):
    return delta.total_seconds() / 86400


def percentile(values, share):
    """The nearest-rank percentile of ``values`` (a non-empty list)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _median(values):
    ordered, middle = sorted(values), len(values) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _rounded(value):
    return None if value is None else round(value, 1)


def figures(items, now):
    """The repository's figures from ``items`` (SampleItem), or None below MIN_SAMPLE."""
    recent = [i for i in items if i.created_at and now - WINDOW <= i.created_at <= now]
    if len(recent) < MIN_SAMPLE:
        return None
    responses = [_days(i.first_response_at - i.created_at) for i in recent
                 if i.first_response_at and i.first_response_at >= i.created_at]
    merges = [_days(i.merged_at - i.created_at) for i in recent
              if i.state == "merged" and i.merged_at and i.merged_at >= i.created_at]
    settled = sum(1 for i in recent if i.state in ("merged", "closed"))
    return {
        "sample_size": len(recent),
        "first_response_days_median": _rounded(_median(responses)) if responses else None,
        "first_response_days_p80": _rounded(percentile(responses, 0.8)) if responses else None,
        "merge_days_median": _rounded(_median(merges)) if merges else None,
        "merge_days_p80": _rounded(percentile(merges, 0.8)) if merges else None,
        "acceptance_ratio": round(len(merges) / settled, 2) if settled else None,
    }


def _record_item(snapshot):
    """A SampleItem from one of our records' snapshots, or None."""
    try:
        item = SampleItem.from_dict({
            "number": snapshot["number"], "state": snapshot["state"],
            "created_at": snapshot.get("created_at"), "merged_at": snapshot.get("merged_at"),
            "closed_at": snapshot.get("closed_at"),
            "first_response_at": snapshot.get("first_review_at")})
    except (KeyError, TypeError, ValueError):
        return None
    state = "open" if item.state == "draft" else item.state
    return SampleItem(item.number, item.created_at, state, item.merged_at, item.closed_at,
                      item.first_response_at) if item.created_at else None


PAIRS_A_QUERY = 100


def _joined(mine, sample):
    """The sample's items joined with the course's own (the forge's read wins on a number)."""
    items = dict(mine)
    for data in sample:
        try:
            item = SampleItem.from_dict(data)
        except (KeyError, TypeError, ValueError):
            continue
        if item.created_at:
            ours = items.get(item.number)
            items[item.number] = item if ours is None or item.first_response_at else \
                SampleItem(item.number, item.created_at, item.state, item.merged_at,
                           item.closed_at, ours.first_response_at)
    return list(items.values())


def load_items(pairs):
    """{(host, lowercase project): [SampleItem]}: each repository's cached sample and the
    course's own records of it, two queries for each hundred repositories."""
    pairs, found = sorted({(host, project.lower()) for host, project in pairs}), {}
    for start in range(0, len(pairs), PAIRS_A_QUERY):
        chunk = pairs[start:start + PAIRS_A_QUERY]
        wanted = Q()
        for host, project in chunk:
            wanted |= Q(host=host, project__iexact=project)
        mine = {pair: {} for pair in chunk}
        for host, project, snapshot in TrackedContribution.objects.filter(wanted).exclude(
                snapshot=None).values_list("host", "project", "snapshot"):
            item = _record_item(snapshot) if isinstance(snapshot, dict) else None
            if item is not None and (host, project.lower()) in mine:
                mine[(host, project.lower())][item.number] = item
        samples = {(host, project): items for host, project, items in
                   RepositorySample.objects.filter(
                       host__in={h for h, _ in chunk}, project__in={p for _, p in chunk})
                   .values_list("host", "project", "items")}
        found.update({pair: _joined(mine[pair], samples.get(pair) or []) for pair in chunk})
    return found


class PaceFigures:
    """Figures per repository, each computed once per instance (one request, one sweep)."""

    def __init__(self, now):
        self.now = now
        self._cache = {}

    def prefetch(self, pairs):
        """Compute the figures of many (host, project) at once (two queries a hundred)."""
        missing = {(h, p.lower()) for h, p in pairs if h and p} - set(self._cache)
        for pair, items in load_items(missing).items():
            self._cache[pair] = figures(items, self.now)
        return self

    def of(self, host, project):
        key = (host, project.lower())
        if key not in self._cache:
            self.prefetch([key])
        return self._cache[key]


def hourly_budget(forge):
    return HOURLY_BUDGET.get(forge.kind, DEFAULT_HOURLY_BUDGET)


def _stale_projects(host, now):
    """Target repositories on ``host`` our records know, whose sample may be read again."""
    known = {p.lower() for p in TrackedContribution.objects.filter(host=host).values_list(
        "project", flat=True).distinct()}
    fresh = set(RepositorySample.objects.filter(host=host, next_fetch_at__gt=now).values_list(
        "project", flat=True))
    stale = sorted(known - fresh)
    last = dict(RepositorySample.objects.filter(host=host, project__in=stale).values_list(
        "project", "attempted_at"))
    return sorted(stale, key=lambda p: (p in last, last.get(p))), len(known)


def host_quota(forge, known, now):
    """How many samples of ``forge``'s host may be read now (this hour's share left)."""
    spent = RepositorySample.objects.filter(host=forge.host,
                                            attempted_at__gt=now - timedelta(hours=1)).count()
    ceiling = int(hourly_budget(forge) * BUDGET_SHARE)
    spread = max(1, math.ceil(known / SPREAD_HOURS))
    return max(0, min(ceiling, spread) - spent)


def _store(forge, project, now, items=None, error_code=""):
    values = {"kind": forge.kind, "attempted_at": now,
              "next_fetch_at": now + (RETRY_AFTER if error_code else REFRESH_AFTER),
              "error_code": error_code}
    if items is not None:
        values.update(items=[i.to_dict() for i in items], fetched_at=now)
    try:
        RepositorySample.objects.update_or_create(host=forge.host, project=project,
                                                  defaults=values)
    except IntegrityError:  # another worker stored it at the same moment: theirs stands
        pass


def refresh_samples(forges, now, hosts=None):
    """Read the stale samples each host's share of its budget allows; {host: reads}."""
    done = {}
    for forge in forges.registry:
        if hosts is not None and forge.host not in hosts:
            continue
        reader = sample_reader(forge)
        if reader is None:
            continue
        stale, known = _stale_projects(forge.host, now)
        for project in stale[:host_quota(forge, known, now)]:
            try:
                _store(forge, project, now, items=reader.read(project))
            except ForgeError as error:
                log.info("sample of %s/%s not read: %s", forge.host, project, error.code)
                _store(forge, project, now, error_code=error.code)
            done[forge.host] = done.get(forge.host, 0) + 1
    return done


def after_sweep(sweeper):
    """A sweep's pace work: the samples due (a failure here never fails the sweep)."""
    try:
        return refresh_samples(sweeper.forges, sweeper.clock())
    except Exception:  # noqa: BLE001  (figures are a courtesy: the sweep's work is done)
        log.exception("repository samples not refreshed")
        return {}


def _opened_at(row):
    snapshot = row.snapshot if isinstance(row.snapshot, dict) else {}
    return parse_time(snapshot.get("created_at")) or row.registered_at


def stage_of(row):
    """Where a contribution stands in the upstream's hands: its next step's stage, or None.

    ``waiting`` (no answer yet), ``changes_requested``, ``reviewed`` (answered, not merged);
    None once merged, closed or counted (there is nothing to wait for).
    """
    if row.state not in ("open", "draft") or row.awarded_at:
        return None
    snapshot = row.snapshot if isinstance(row.snapshot, dict) else {}
    if snapshot.get("review_decision") == "changes_requested":
        return "changes_requested"
    return "reviewed" if snapshot.get("first_review_at") else "waiting"


def usual_days(row, found):
    """What 80 % of the project's recent contributions took for the step ``row`` waits on."""
    return found["first_response_days_p80"] if stage_of(row) == "waiting" \
        else found["merge_days_p80"]


def upstream_of(row, found, now):
    """The ``upstream`` contract of one contribution in ``status``, or None (no figure).

    ``found``: the repository's figures (``figures``). ``waited_days``: whole days since
    it was opened (until its merge or close once settled). ``overdue``: still waiting
    and longer than 80 % of the project's contributions took for that step (the first
    answer while none came, else the merge).
    """
    if found is None:
        return None
    opened = _opened_at(row)
    snapshot = row.snapshot if isinstance(row.snapshot, dict) else {}
    ended = None
    if row.state in ("merged", "closed"):
        ended = parse_time(snapshot.get("merged_at") or snapshot.get("closed_at"))
    waited = max(0, ((ended or now) - opened).days) if opened else 0
    stage, usual = stage_of(row), usual_days(row, found)
    return {
        "first_response_days_median": found["first_response_days_median"],
        "first_response_days_p80": found["first_response_days_p80"],
        "merge_days_median": found["merge_days_median"],
        "sample_size": found["sample_size"],
        "waited_days": waited,
        "overdue": bool(stage and usual is not None and waited > usual),
    }



PROJECT_COLUMNS = ("host", "repository", "contributions", "accepted",
                   "first_response_days_median", "merge_days_median", "sample_size")


def course_projects(course_key, now, limit=1000):
    """The course's target projects, most contributions first: {"host", "repository",
    "contributions", "accepted", "first_response_days_median", "merge_days_median",
    "sample_size"} (figures null below 10). One grouped query, then two a hundred projects."""
    rows = list(TrackedContribution.objects.filter(course_key=course_key)
                .exclude(host="").values("host", "project")
                .annotate(contributions=Count("pk"),
                          accepted=Count("pk", filter=Q(verdict="accepted")))
                .order_by("-contributions", "host", "project")[:limit])
    figures_of = PaceFigures(now).prefetch((row["host"], row["project"]) for row in rows)
    found = []
    for row in rows:
        figures = figures_of.of(row["host"], row["project"]) or {}
        found.append({"host": row["host"], "repository": row["project"],
                      "contributions": row["contributions"], "accepted": row["accepted"],
                      **{key: figures.get(key) for key in PROJECT_COLUMNS[4:]}})
    return found
