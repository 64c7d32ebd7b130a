"""Progress-table rows as JSON for mentors and staff, in the mentor's language.

Forge- and learner-written text (titles, user names, annotations) goes out as
JSON strings; the page writes it with ``textContent`` only.
"""

from ..annotations import notes as note_rules
from ..i18n import gettext_noop as _
from ..staff.learners import verdict_of
from .presenters import contribution_json
from .timeline import iso

VERDICT_LABELS = {"accepted": _("Completed"), "pending": _("In progress"),
                  "rejected": _("Needs a new contribution")}


def _days_since(moment, now):
    return max((now - moment).days, 0) if moment else None


def waiting_on(contributions):
    """What the learner's pending contributions wait for: the reasons of their waiting checks."""
    return [check["reason"] for contribution in contributions
            if contribution["verdict"] == "pending"
            for check in contribution["checks"] if check["outcome"] == "waiting"]


def stuck_reason(row, now, gettext):
    if not row["stuck"]:
        return ""
    if row["pending"] == 0:
        return gettext("Nothing is pending and the requirement is not met.")
    return gettext("No activity for %(days)s days.") % {
        "days": _days_since(row["last_activity"], now)}


def award_json(award):
    if award is None:
        return None
    return {"awarded_at": iso(award.awarded_at), "score": award.score,
            "published": award.published, "contributions": list(award.contributions or [])}


def progress_row(row, records, notes, award, gettext, now, actor=("", False)):
    """One learner's row: ``learner`` {id, username}, ``contributions``, ``annotations``...

    ``actor`` is (the mentor's learner id, whether they are staff): it says which
    annotations they may change.
    """
    contributions = [contribution_json(record, gettext, now) for record in records]
    verdict = verdict_of(row)
    return {
        "learner": {"id": row["learner_id"], "username": row["username"] or row["learner_id"]},
        "verdict": verdict, "verdict_label": gettext(VERDICT_LABELS[verdict]),
        "stuck": row["stuck"], "stuck_reason": stuck_reason(row, now, gettext),
        "last_activity": iso(row["last_activity"]),
        "waiting_since": iso(row["waiting_since"]),
        "waiting_days": _days_since(row["waiting_since"], now),
        "waiting_on": waiting_on(contributions),
        "counts": {"contributions": row["contributions"], "accepted": row["accepted"],
                   "pending": row["pending"]},
        "contributions": contributions,
        "annotations": note_rules.for_mentors(notes if isinstance(notes, list) else [], gettext,
                                              *actor),
        "award": award_json(award),
    }
