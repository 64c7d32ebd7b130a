"""The rules a block was last rendered with, kept for work done without the block."""

import json
from datetime import datetime

from ..models import BlockConfig
from ..policy import Rules


def rules_from_dict(data):
    values = {k: v for k, v in (data or {}).items() if k in Rules.__dataclass_fields__}
    for key in ("accept_labels", "deny_labels", "allowed_repositories", "denied_repositories"):
        if key in values:
            values[key] = tuple(values[key] or ())
    if values.get("opened_after"):
        values["opened_after"] = datetime.fromisoformat(values["opened_after"])
    return Rules(**values)


def remember(context):
    """Store the block's rules if they differ from the stored ones (one query when unchanged)."""
    rules = json.loads(json.dumps(context.rules.to_dict()))  # as stored: lists, not tuples
    stored = BlockConfig.objects.filter(usage_key=context.usage_key).values_list(
        "rules", "required_count").first()
    if stored == (rules, context.required_count):
        return
    BlockConfig.objects.update_or_create(
        usage_key=context.usage_key,
        defaults={"course_key": context.course_key, "rules": rules,
                  "required_count": context.required_count})
