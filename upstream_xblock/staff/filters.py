"""The progress table's filters: validated from JSON, applied as query conditions.

``{"verdict", "state", "forge", "repository", "waiting_days", "inactive_days",
"has_annotations", "stuck", "search"}``, every key optional. Conditions on
contributions select learners who have at least one matching contribution
(a subquery on learner ids), so a learner's counts are never cut down by a
filter. The filtered queryset is what bulk actions reuse for "everything
matching the filter".
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q

from ..errors import LayerError
from ..i18n import gettext_noop as _
from .learners import VERDICT_RANK, learner_ids_with_contributions

STATES = ("open", "draft", "merged", "closed", "unknown")
MAX_DAYS = 3650
MAX_TEXT = 200


class FilterError(LayerError, ValueError):
    """A filter value the table does not understand (an English message id): ``bad_request``."""

    def __init__(self, template, params=None):
        super().__init__("bad_request", template, params=params)


def whole_number(value, default, name, upper):
    """A page or page size from JSON: ``default`` when absent, else a whole number 1..upper."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= upper:
        raise FilterError(_("%(name)s must be a whole number from 1 to %(upper)s."),
                          {"name": name, "upper": upper})
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


def _choices(value, allowed, name):
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or \
            not all(isinstance(v, str) and v in allowed for v in values):
        raise FilterError(_("The filter %(name)s takes one of: %(allowed)s."),
                          {"name": name, "allowed": ", ".join(allowed)})
    return tuple(dict.fromkeys(values))


def _days(value, name):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
        raise FilterError(_("The filter %(name)s takes a number of days (0 to 3650)."),
                          {"name": name})
    return value


def _text(value, name):
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise FilterError(_("The filter %(name)s takes a text of at most 200 characters."),
                          {"name": name})
    return value.strip()


def _flag(value, name):
    if not isinstance(value, bool):
        raise FilterError(_("The filter %(name)s takes true or false."), {"name": name})
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


def apply_filters(learners, usage_key, filters, now):
    """``learners`` (from ``learners.learners``) narrowed to those matching ``filters``."""
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
        learners = learners.filter(stuck=filters.stuck)
    return learners
