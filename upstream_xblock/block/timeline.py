"""A contribution's life as the learner's page draws it: one step per milestone.

Registered here, opened, first review, changes requested, approved, merged or
closed, counted. Each step says whether it happened and, where the registry or
the forge knows it, when. Review steps appear only once they happened (many
contributions are merged without a formal review); a review the forge reports
without a date (a review decision only) shows as done with no date.
"""

from datetime import datetime

from ..i18n import gettext_noop as _

STEP_LABELS = {
    "registered": _("Registered here"),
    "opened": _("Opened"),
    "first_review": _("First review"),
    "changes_requested": _("Changes requested"),
    "approved": _("Approved"),
    "merged": _("Merged"),
    "closed": _("Closed"),
    "counted": _("Counted for your grade"),
}


def _when(text):
    return datetime.fromisoformat(text)


def iso(moment):
    """A moment as ISO 8601 text, None for none (the pages' JSON)."""
    return moment.isoformat() if moment else None


def _step(step_id, gettext, at=None, done=True):
    return {"id": step_id, "label": gettext(STEP_LABELS[step_id]), "at": at, "done": done}


def _review_steps(snapshot, gettext):
    decision = snapshot.get("review_decision")
    steps = []
    if snapshot.get("first_review_at"):
        steps.append(_step("first_review", gettext, snapshot["first_review_at"]))
    if snapshot.get("changes_requested_at") or decision == "changes_requested":
        steps.append(_step("changes_requested", gettext, snapshot.get("changes_requested_at")))
    if snapshot.get("approved_at") or decision == "approved":
        steps.append(_step("approved", gettext, snapshot.get("approved_at")))
    return steps


def _place_registration(life, registered):
    """Registration goes where it happened among the forge's steps (often after the merge)."""
    for index, step in enumerate(life):
        if step["done"] and step["at"] and _when(step["at"]) > _when(registered["at"]):
            return [*life[:index], registered, *life[index:]]
        if not step["done"]:
            return [*life[:index], registered, *life[index:]]
    return [*life, registered]


def timeline_of(row, gettext):
    """The steps of one registry record, in the order a contribution lives them."""
    snapshot = row.snapshot or {}
    checked = bool(row.state)
    life = [_step("opened", gettext, snapshot.get("created_at"), done=checked)]
    life.extend(_review_steps(snapshot, gettext))
    if row.state == "closed":
        life.append(_step("closed", gettext, snapshot.get("closed_at")))
    else:
        life.append(_step("merged", gettext, snapshot.get("merged_at"), done=row.state == "merged"))
    steps = _place_registration(life, _step("registered", gettext, iso(row.registered_at)))
    if row.awarded_at or row.verdict != "rejected":  # a rejected one has no "counted" to come
        steps.append(_step("counted", gettext, iso(row.awarded_at), done=bool(row.awarded_at)))
    return steps
