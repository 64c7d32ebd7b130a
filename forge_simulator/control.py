"""The simulator's control API: act on the world by hand or from a test.

``POST /_sim/{action}`` with a JSON body ``{"kind", "project", "number", ...}``;
``GET /_sim/requests`` and ``GET /_sim/contributions`` to look.
"""

from datetime import datetime

from .shapes import iso
from .state import KINDS


def _describe(c):
    return {"kind": c.kind, "project": c.project, "number": c.number, "author": c.author,
            "title": c.title, "state": c.state, "draft": c.draft, "labels": list(c.labels),
            "review": c.review, "created_at": iso(c.created_at), "merged_at": iso(c.merged_at)}


def _open(world, body):
    fields = {k: body[k] for k in ("author", "title", "state", "draft", "labels", "body",
                                   "target_branch") if k in body}
    if "created_at" in body:
        fields["created_at"] = datetime.fromisoformat(body["created_at"].replace("Z", "+00:00"))
    return world.open(body["kind"], body["project"], body["number"], **fields)


_ACTIONS = {
    "open": _open,
    "merge": lambda w, b: w.merge(b["kind"], b["project"], b["number"]),
    "close": lambda w, b: w.close(b["kind"], b["project"], b["number"]),
    "reopen": lambda w, b: w.reopen(b["kind"], b["project"], b["number"]),
    "land": lambda w, b: w.land(b["kind"], b["project"], b["number"]),
    "draft": lambda w, b: w.set_draft(b["kind"], b["project"], b["number"], True),
    "ready": lambda w, b: w.set_draft(b["kind"], b["project"], b["number"], False),
    "approve": lambda w, b: w.approve(b["kind"], b["project"], b["number"]),
    "request_changes": lambda w, b: w.approve(b["kind"], b["project"], b["number"],
                                              "changes_requested"),
    "label": lambda w, b: w.label(b["kind"], b["project"], b["number"], b["label"]),
    "edit": lambda w, b: w.edit(b["kind"], b["project"], b["number"],
                                **{k: b[k] for k in ("title", "author", "body", "created_at")
                                   if k in b}),
}


def handle_control(world, method, action, body):
    """(HTTP status, JSON body) for one control call."""
    if method == "GET" and action == "requests":
        return 200, [{"kind": k, "method": m, "path": p, "status": s}
                     for k, m, p, s in world.requests_for()]
    if method == "GET" and action == "contributions":
        return 200, [_describe(c) for c in world.contributions.values()]
    if method != "POST" or not isinstance(body, dict):
        return 400, {"message": "POST a JSON object"}
    try:
        if action == "clear_log":
            world.clear_log()
            return 200, {}
        if body.get("kind") not in KINDS:
            return 400, {"message": f"kind must be one of {', '.join(KINDS)}"}
        if action == "rename":
            world.rename(body["kind"], body["project"], body["new_project"])
            return 200, {}
        if action == "rate_limit":
            world.set_rate_limit(body["kind"], body["remaining"], body.get("limit"),
                                 body.get("reset_in_s", 3600))
            return 200, {}
        if action == "fail_next":
            world.fail_next(body["kind"], body.get("status", 503), body.get("times", 1))
            return 200, {}
        handler = _ACTIONS.get(action)
        if handler is None:
            return 404, {"message": f"unknown action {action!r}"}
        return 200, _describe(handler(world, body))
    except KeyError as exc:
        return 400, {"message": f"missing or unknown: {exc}"}
    except (TypeError, ValueError) as exc:
        return 400, {"message": str(exc)}
