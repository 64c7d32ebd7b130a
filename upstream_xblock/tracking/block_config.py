"""A published block's rules, kept for work done without the block (sweeps, outbox), and its
name and mentors for the course-wide workspace."""

import json
from datetime import datetime

from django.utils import timezone

from ..models import BlockConfig
from ..policy import Rules
from .recording import retrying_deadlocks

LIST_RULES = ("accept_labels", "deny_labels", "allowed_repositories", "denied_repositories")


def rules_from_dict(data):
    values = {k: v for k, v in (data or {}).items() if k in Rules.__dataclass_fields__}
    for key in LIST_RULES:
        if key in values:
            items = values[key] if isinstance(values[key], (list, tuple)) else ()
            values[key] = tuple(item for item in items if isinstance(item, str))
    if values.get("opened_after"):
        values["opened_after"] = datetime.fromisoformat(values["opened_after"])
    return Rules(**values)


def remember(context, display_name=None, mentors=None):
    """Store the block's rules (and its name and mentors, when given) if they differ from the
    stored ones (one query when unchanged)."""
    store(context.usage_key, context.course_key, context.rules, context.required_count,
          context.points, display_name=display_name, mentors=mentors)


def store(usage_key, course_key, rules, required_count, points, display_name=None,
          mentors=None):
    """Keep a block's published rules, written once however many requests bring them at the
    same moment; ``display_name`` and ``mentors`` (None: unchanged) are what the course-wide
    workspace shows and who may open it.

    A block's first busy minute (twenty learners' first requests, or a publish beside them)
    each find no row: each inserts it with ``INSERT IGNORE`` (one statement, the first one
    stands) rather than ``update_or_create``, whose locking read and insert in a transaction
    MySQL and MariaDB chose as a deadlock's victim; a change is one ``UPDATE``. A deadlock's
    victim all the same reads and writes again.
    """
    rules = json.loads(json.dumps(rules.to_dict()))  # as stored: lists, not tuples
    wanted = {"rules": rules, "required_count": required_count, "points": points}
    if display_name is not None:
        wanted["display_name"] = str(display_name)[:255]
    if mentors is not None:
        wanted["mentors"] = sorted({str(name) for name in mentors})
    fields = ("rules", "required_count", "points", "display_name", "mentors")

    def write(_attempt):
        stored = BlockConfig.objects.filter(usage_key=usage_key).values_list(*fields).first()
        if stored is not None and all(dict(zip(fields, stored, strict=True))[key] == value
                                      for key, value in wanted.items()):
            return
        if stored is None:
            BlockConfig.objects.bulk_create(
                [BlockConfig(usage_key=usage_key, course_key=course_key, **wanted)],
                ignore_conflicts=True)
        else:
            BlockConfig.objects.filter(usage_key=usage_key).update(
                updated_at=timezone.now(), course_key=course_key, **wanted)

    retrying_deadlocks(write, "the block's rules")


def activities(course_key):
    """The course's published activities: [(usage key, display name, mentors)], by name."""
    rows = BlockConfig.objects.filter(course_key=course_key).values_list(
        "usage_key", "display_name", "mentors")
    return sorted(((usage, name or "", list(mentors or [])) for usage, name, mentors in rows),
                  key=lambda row: (row[1].casefold(), row[0]))


def points_of(usage_key, default=None):
    """A published block's points (``default`` if it was never stored; 0 is a block's own)."""
    points = BlockConfig.objects.filter(usage_key=usage_key).values_list("points",
                                                                         flat=True).first()
    return default if points is None else points
