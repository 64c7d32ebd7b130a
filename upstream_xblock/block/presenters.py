"""Registry records to the JSON the learner's page reads, in the learner's language.

Forge-supplied text (titles, user names) goes out as JSON strings; the page
writes it with ``textContent``, never as HTML.
"""

from ..i18n import gettext_noop
from ..tracking.vouched import is_vouched
from .timeline import iso, timeline_of

# What a learner is told about the last failed check of a contribution, by error code.
CHECK_ERRORS = {
    "not_found": gettext_noop("The forge says this contribution does not exist or is private."),
    "forge_unavailable": gettext_noop("The forge could not be reached. We will try again."),
    "rate_limited": gettext_noop("The forge asked us to slow down. We will try again later."),
    "auth_failed": gettext_noop("The forge refused this site's credentials. "
                                "Your course team can fix this; we will try again."),
}
STATE_LABELS = {
    "open": gettext_noop("Open"), "draft": gettext_noop("Draft"),
    "merged": gettext_noop("Merged"), "closed": gettext_noop("Closed"),
    "": gettext_noop("Not checked yet"),
}
ACCEPTED_BY_MENTOR = gettext_noop("Accepted by a mentor")
# A record whose every check so far failed has no state: say so, not "Not checked yet".
UNCHECKED_AFTER_ERROR = gettext_noop("Could not be checked")


def translate_check(check, gettext):
    template = gettext(check["reason"])
    params = check.get("params") or {}
    return {"id": check["id"], "outcome": check["outcome"],
            "reason": template % params if params else template}


def next_check_of(row, now):
    """When a record will be checked; one a sweep holds right now is being checked now."""
    if row.next_check_at is None:
        return None
    return now if row.claim_token else row.next_check_at


def contribution_json(row, gettext, now):
    snapshot = row.snapshot or {}
    error = None
    if row.error_code:
        template = CHECK_ERRORS.get(row.error_code, CHECK_ERRORS["forge_unavailable"])
        error = {"code": row.error_code, "message": gettext(template)}
    return {
        "url": row.url, "kind": row.kind, "host": row.host, "number": row.number,
        "project": row.project,
        "repository": snapshot.get("target_repository") or row.project,
        "web_url": snapshot.get("web_url") or row.url,
        "state": row.state or "unknown", "state_label": gettext(_state_label(row)),
        "title": row.title, "author": snapshot.get("author", ""),
        "forge_username": row.forge_username,
        "verdict": row.verdict or "pending",
        "checks": [translate_check(check, gettext) for check in row.checks or []],
        "registered_at": iso(row.registered_at), "last_checked": iso(row.last_checked_at),
        "next_check": iso(next_check_of(row, now)), "counted": bool(row.awarded_at),
        "error": error, "timeline": timeline_of(row, gettext),
        # Only actions the server would accept are offered: a contribution that
        # counted in an award cannot be withdrawn.
        "can_withdraw": not row.awarded_at and not row.vouched_at,
        "vouch": vouch_json(row),
    }


def _state_label(row):
    if is_vouched(row) and not row.state:  # nothing a forge could say: the mentor's word
        return ACCEPTED_BY_MENTOR
    if not row.state and row.error_code:
        return UNCHECKED_AFTER_ERROR
    return STATE_LABELS.get(row.state, "")


def vouch_json(row):
    """A mentor's acceptance of the record (None if none): the learner sees the reason."""
    if not row.vouched_at:
        return None
    return {"reason": row.vouch_reason, "description": row.description,
            "vouched_at": iso(row.vouched_at), "withdrawn": bool(row.vouch_withdrawn_at)}


def status_json(rows, award, required_count, next_poll_in_s, gettext, now):
    """The ``status`` handler's answer (also the page's initial state)."""
    accepted = sum(1 for row in rows if row.verdict == "accepted")
    summary = gettext("%(accepted)s of %(required)s accepted") % {
        "accepted": min(accepted, required_count), "required": required_count}
    message = ""
    if award is not None:
        message = gettext("Well done: your contribution was accepted upstream. "
                          "This activity is complete.")
    return {
        "completed": award is not None,
        "required": required_count, "accepted": accepted, "summary": summary,
        "message": message,
        "contributions": [contribution_json(row, gettext, now) for row in rows],
        "next_check_in_s": next_poll_in_s,
        # The server's clock: the page measures "3 minutes ago" against it, not the browser's.
        "now": iso(now),
    }
