"""Field values made safe where they are used.

Studio's editor validates what an author types, but values also arrive from
OLX imports, the REST API and older versions: every use goes through these,
so ``required_count="0"`` or ``weight="-3"`` can never grade anyone.
"""

import math
from datetime import datetime, time, timezone

MAX_REQUIRED = 10
MAX_WAITING_DAYS = 365
MAX_LIST_ITEMS = 100
MAX_ITEM_LENGTH = 300


def _number(value, cast):
    """``cast(value)``, or None when ``value`` is not a number (a bool is not one)."""
    if isinstance(value, bool):
        return None
    try:
        return cast(value)
    except (TypeError, ValueError, OverflowError):
        return None


def bounded_int(value, low, high, default):
    """``value`` as an int within [low, high]; ``default`` if it is not a number."""
    number = _number(value, int)
    return default if number is None else min(max(number, low), high)


def required_count(value):
    return bounded_int(value, 1, MAX_REQUIRED, 1)


def points(value, default=1.0):
    """The block's points: a finite number ≥ 0 (the default if it is not a number)."""
    number = _number(value, float)
    return max(number, 0.0) if number is not None and math.isfinite(number) else default


def string_tuple(value):
    """A list field as a tuple of non-empty strings (anything else is dropped)."""
    if not isinstance(value, (list, tuple)):
        return ()
    items = (item.strip() for item in value[:MAX_LIST_ITEMS] if isinstance(item, str))
    return tuple(item[:MAX_ITEM_LENGTH] for item in items if item)


# The block's fields that hold acceptance rules (``policy.Rules``), in Studio's order.
RULE_FIELDS = ("count_merged", "count_approved", "accept_labels", "count_landed_by_commit",
               "deny_labels", "require_author", "require_ownership_code", "opened_after",
               "allowed_repositories", "denied_repositories", "distinct_repositories",
               "waiting_days")


def parse_date(text):
    """'YYYY-MM-DD' as the start of that day in UTC; None for ''; ValueError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    return datetime.combine(datetime.strptime(text, "%Y-%m-%d").date(), time.min,
                            tzinfo=timezone.utc)

