"""Field values made safe where they are used.

Studio's editor validates what an author types, but values also arrive from
OLX imports, the REST API and older versions: every use goes through these,
so ``required_count="0"`` or ``weight="-3"`` can never grade anyone.
"""

import math

MAX_REQUIRED = 10
MAX_WAITING_DAYS = 365
MAX_LIST_ITEMS = 100
MAX_ITEM_LENGTH = 300


def bounded_int(value, low, high, default):
    """``value`` as an int within [low, high]; ``default`` if it is not a number."""
    if isinstance(value, bool):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return min(max(number, low), high)


def required_count(value):
    return bounded_int(value, 1, MAX_REQUIRED, 1)


def points(value, default=1.0):
    """The block's points: a finite number ≥ 0 (the default if it is not a number)."""
    if isinstance(value, bool):
        return default
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return max(number, 0.0) if math.isfinite(number) else default


def string_tuple(value):
    """A list field as a tuple of non-empty strings (anything else is dropped)."""
    if not isinstance(value, (list, tuple)):
        return ()
    items = (item.strip() for item in value[:MAX_LIST_ITEMS] if isinstance(item, str))
    return tuple(item[:MAX_ITEM_LENGTH] for item in items if item)
