"""What the fault server sends: each forge's rate headers, and healthy bodies bent out of shape."""

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

SHAPE_FAULTS = ("shape_list", "shape_nulls", "shape_merged_string", "shape_objects")


def _now():
    return datetime.now(timezone.utc)


def http_date(seconds_ahead):
    return format_datetime(_now() + timedelta(seconds=seconds_ahead), usegmt=True)


def rate_headers(kind, exhausted, reset_in_s=3600):
    """The rate-limit headers ``kind`` sends on every answer (none on Gerrit and Gitea)."""
    reset = str(int((_now() + timedelta(seconds=reset_in_s)).timestamp()))
    remaining = "0" if exhausted else "4999"
    if kind == "github":
        return {"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": remaining,
                "X-RateLimit-Reset": reset, "X-RateLimit-Used": "5000" if exhausted else "1",
                "X-RateLimit-Resource": "core"}
    if kind == "gitlab":
        return {"RateLimit-Limit": "2000", "RateLimit-Observed": "2000" if exhausted else "1",
                "RateLimit-Remaining": remaining, "RateLimit-Reset": reset,
                "RateLimit-ResetTime": http_date(reset_in_s)}
    return {}


def _nulls(value):
    if isinstance(value, dict):
        return {key: None for key in value}
    return None


def _objects(_kind, body):
    """Objects where the product reads plain values."""
    body = dict(body)
    for key in ("state", "title", "status", "subject", "merged", "created_at", "number",
                "_number", "iid", "id"):
        if key in body:
            body[key] = {"value": body[key]}
    for key in ("user", "author", "owner"):
        if isinstance(body.get(key), dict):
            body[key] = {name: {"value": value} for name, value in body[key].items()}
    return body


def wrong_shape(kind, fault, body):
    """The healthy ``body`` of ``kind`` bent into the shape ``fault`` names."""
    if fault == "shape_list":
        return [body]
    if fault == "shape_nulls":
        return _nulls(body)
    if fault == "shape_objects":
        return _objects(kind, body)
    body = dict(body)  # shape_merged_string
    if kind in ("github", "gitea"):
        body.update(state="closed", merged="false", merged_at=None)
    elif kind == "gitlab":
        body["iid"] = str(body.get("iid"))
    else:
        body["_number"] = str(body.get("_number"))
    return body


def graphql_wrong(fault, node):
    """A GraphQL pull request node bent into the shape ``fault`` names."""
    if fault == "shape_list":
        return [node]
    if fault == "shape_nulls":
        return _nulls(node)
    if fault == "shape_objects":
        return {**node, "state": {"value": node.get("state")}, "title": {"v": 1},
                "author": {"login": {"v": 1}}}
    return {**node, "state": "CLOSED", "isDraft": "false"}  # GraphQL has no "merged" boolean
