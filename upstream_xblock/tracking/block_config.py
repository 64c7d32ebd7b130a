"""A published block's rules, kept for work done without the block (sweeps, outbox)."""

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


def remember(context):
    """Store the block's rules if they differ from the stored ones (one query when unchanged)."""
    store(context.usage_key, context.course_key, context.rules, context.required_count,
          context.points)


def store(usage_key, course_key, rules, required_count, points):
    """Keep the rules, written once however many requests bring them at the same moment.

    A block's first busy minute (twenty learners' first requests, or a publish beside them)
    each find no row: each inserts it with ``INSERT IGNORE`` (one statement, the first one
    stands) rather than ``update_or_create``, whose locking read and insert in a transaction
    MySQL and MariaDB chose as a deadlock's victim; a change is one ``UPDATE``. A deadlock's
    victim all the same reads and writes again.
    """
    rules = json.loads(json.dumps(rules.to_dict()))  # as stored: lists, not tuples
    wanted = {"course_key": course_key, "rules": rules, "required_count": required_count,
              "points": points}

    def write(_attempt):
        stored = BlockConfig.objects.filter(usage_key=usage_key).values_list(
            "rules", "required_count", "points").first()
        if stored == (rules, required_count, points):
            return
        if stored is None:
            BlockConfig.objects.bulk_create([BlockConfig(usage_key=usage_key, **wanted)],
                                            ignore_conflicts=True)
        else:
            BlockConfig.objects.filter(usage_key=usage_key).update(updated_at=timezone.now(),
                                                                   **wanted)

    retrying_deadlocks(write, "the block's rules")
