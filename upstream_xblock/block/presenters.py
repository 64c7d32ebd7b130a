"""Registry records as the JSON the block's pages read, in the viewer's language.

The learner's contributions (their state, checks and timeline: one step per
milestone) and the mentors' progress-table rows.
"""

from datetime import datetime

from ..i18n import gettext_noop, ngettext_noop, translated
from ..i18n import gettext_noop as _
from ..staff import annotations
from ..staff.progress import verdict_of
from ..tracking.vouching import DESCRIBED, is_proposed, is_vouched

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
PROPOSED_BY_MENTOR = gettext_noop("Proposed by a mentor, waiting for course staff")
# A record whose every check so far failed has no state: say so, not "Not checked yet".
UNCHECKED_AFTER_ERROR = gettext_noop("Could not be checked")


OUTCOME_LABELS = {"passed": _("Passed"), "failed": _("Not met"), "waiting": _("Waiting")}
# What mentors and staff read where the learner reads words meant for them ("you", "your
# forge accounts"): the same facts, about the learner (%(learner)s: their user name).
FOR_THE_COURSE_TEAM = {
    "You are its author: %(author)s is your verified account on %(host)s.":
        _("Author: %(author)s on %(host)s, a verified account of %(learner)s."),
    "Its author is %(author)s, not %(username)s.":
        _("Author: %(author)s, not %(username)s as %(learner)s typed."),
    "You are its author.": _("Author: the user name %(learner)s typed."),
    "Tell us your user name on %(host)s so that we can check that you are the author.":
        _("Author not checked: %(learner)s has not given their user name on %(host)s."),
    "Its author is %(author)s on %(host)s. If this account is yours, verify it under "
    "\"Your forge accounts\" and it will count.":
        _("Author: %(author)s on %(host)s, not yet verified by %(learner)s."),
    "Your code is in its description.":
        _("The ownership code of %(learner)s is in its description."),
    "Add your code %(code)s to its description so that we know it is yours.":
        _("The ownership code of %(learner)s (%(code)s) is not in its description yet."),
    "It is a draft: mark it ready for review when it is done. Drafts never count.":
        _("It is a draft (drafts never count)."),
    "A reviewer asked for changes: update it and ask for another review.":
        _("A reviewer asked for changes."),
    "Another of your contributions to %(repository)s already counts; this activity wants "
    "contributions to different repositories.":
        _("Another contribution of %(learner)s to %(repository)s already counts; this "
          "activity wants different repositories."),
    "It is your only counted contribution to this repository.":
        _("The only counted contribution of %(learner)s to this repository."),
}


def translate_check(check, gettext, learner=None):
    """A check in the viewer's words: the learner's, or (``learner``: their user name) the
    course team's; with its outcome as a word too (not as a colour only)."""
    reason, params = check["reason"], dict(check.get("params") or {})
    if learner is not None and isinstance(reason, str) and reason in FOR_THE_COURSE_TEAM:
        reason, params = FOR_THE_COURSE_TEAM[reason], {**params, "learner": learner}
    return {"id": check["id"], "outcome": check["outcome"],
            "outcome_label": gettext(OUTCOME_LABELS.get(check["outcome"], "")),
            "reason": translated(gettext, reason, params)}


def next_check_of(row, now):
    """When a record will be checked; one a sweep holds right now is being checked now."""
    if row.next_check_at is None:
        return None
    return now if row.claim_token else row.next_check_at


def contribution_json(row, gettext, now, learner=None):
    """A record as the pages show it (``learner``: the user name, for the course team's
    words). A contribution a mentor only described has no address, repository or number to
    show: its description is its title."""
    snapshot = row.snapshot or {}
    described = row.kind == DESCRIBED
    error = None
    if row.error_code:
        template = CHECK_ERRORS.get(row.error_code, CHECK_ERRORS["forge_unavailable"])
        error = {"code": row.error_code, "message": gettext(template)}
    return {
        "url": row.url, "kind": row.kind, "host": row.host,
        "number": None if described else row.number,
        "project": "" if described else row.project,
        "repository": "" if described else snapshot.get("target_repository") or row.project,
        "web_url": None if described else snapshot.get("web_url") or row.url,
        "described": described,
        "state": row.state or "unknown", "state_label": gettext(_state_label(row)),
        "title": (row.description or row.title) if described else row.title,
        "author": snapshot.get("author", ""),
        "forge_username": row.forge_username,
        "verdict": row.verdict or "pending",
        "verdict_label": gettext(CONTRIBUTION_VERDICT_LABELS.get(row.verdict or "pending",
                                                                 "")),
        "checks": [translate_check(check, gettext, learner) for check in row.checks or []],
        "registered_at": iso(row.registered_at), "last_checked": iso(row.last_checked_at),
        "next_check": iso(next_check_of(row, now)), "counted": bool(row.awarded_at),
        "error": error, "timeline": timeline_of(row, gettext),
        # Only actions the server would accept are offered: a contribution that
        # counted in an award cannot be withdrawn.
        "can_withdraw": not row.awarded_at and not row.vouched_by,
        "vouch": vouch_json(row),
    }


def _state_label(row):
    if is_vouched(row) and not row.state:  # nothing a forge could say: the mentor's word
        return ACCEPTED_BY_MENTOR
    if is_proposed(row) and not row.state:
        return PROPOSED_BY_MENTOR
    if not row.state and row.error_code:
        return UNCHECKED_AFTER_ERROR
    return STATE_LABELS.get(row.state, "")


def vouch_json(row):
    """A mentor's acceptance of the record (None if none): the learner sees the reason.

    ``proposed``: the mentor's word waits for course staff (``mentor_vouches_need_staff``);
    ``vouched_at`` is then null until they confirm it.
    """
    if not row.vouched_by:
        return None
    return {"reason": row.vouch_reason, "description": row.description,
            "vouched_at": iso(row.vouched_at), "withdrawn": bool(row.vouch_withdrawn_at),
            "proposed": not row.vouched_at}


# "1 of 2 accepted": its form follows the accepted count (French: "1 sur 2 acceptée").
ACCEPTED_SUMMARY = ngettext_noop("%(accepted)s of %(required)s accepted",
                                 "%(accepted)s of %(required)s accepted", "accepted")


def status_json(rows, award, required_count, next_poll_in_s, gettext, now):
    """The ``status`` handler's answer (also the page's initial state)."""
    accepted = sum(1 for row in rows if row.verdict == "accepted")
    summary = translated(gettext, ACCEPTED_SUMMARY, {"accepted": min(accepted, required_count),
                                                     "required": required_count})
    message = ""
    if award is not None:
        message = gettext(completion_message(rows))
    return {
        "completed": award is not None,
        "required": required_count, "accepted": accepted, "summary": summary,
        "message": message,
        "contributions": [contribution_json(row, gettext, now) for row in rows],
        "next_check_in_s": next_poll_in_s,
        # The server's clock: the page measures "3 minutes ago" against it, not the browser's.
        "now": iso(now),
    }


VERDICT_LABELS = {"accepted": _("Completed"), "pending": _("In progress"),
                  "rejected": _("Needs a new contribution")}
CONTRIBUTION_VERDICT_LABELS = {"accepted": _("Accepted"), "pending": _("Pending"),
                               "rejected": _("Does not count")}


def completion_message(rows):
    """The learner's completion message, true to who accepted: the project upstream, a
    mentor (vouched), or course staff (an override on their behalf)."""
    counted = [row for row in rows if row.awarded_at]
    ids = {check.get("id") for row in counted for check in row.checks or []
           if check.get("outcome") == "passed"}
    if "staff" in ids:
        return _("Course staff accepted your work for this activity on your behalf. This "
                 "activity is complete.")
    if counted and all(is_vouched(row) for row in counted):
        return _("A mentor accepted your contribution. This activity is complete.")
    return _("Well done: your contribution was accepted upstream. This activity is complete.")


def _days_since(moment, now):
    return max((now - moment).days, 0) if moment else None


def waiting_on(contributions):
    """What the learner's pending contributions wait for: the reasons of their waiting checks."""
    return [check["reason"] for contribution in contributions
            if contribution["verdict"] == "pending"
            for check in contribution["checks"] if check["outcome"] == "waiting"]


NO_ACTIVITY = ngettext_noop("No activity for %(days)s day.", "No activity for %(days)s days.",
                            "days")


def stuck_reason(row, now, gettext):
    if not row["stuck"]:
        return ""
    if row["pending"] == 0:
        return gettext("Nothing is pending and the requirement is not met.")
    return translated(gettext, NO_ACTIVITY, {"days": _days_since(row["last_activity"], now)})


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
    username = row["username"] or row["learner_id"]
    contributions = [contribution_json(record, gettext, now, username) for record in records]
    verdict = verdict_of(row)
    return {
        "learner": {"id": row["learner_id"], "username": row["username"] or row["learner_id"]},
        "verdict": verdict, "verdict_label": gettext(VERDICT_LABELS[verdict]),
        "stuck": row["stuck"], "stuck_reason": stuck_reason(row, now, gettext),
        "last_activity": iso(row["last_activity"]),
        "waiting_since": iso(row["waiting_since"]),
        "waiting_days": _days_since(row["waiting_since"], now),
        "waiting_on": waiting_on(contributions),
        # days beyond what the project usually takes, of the most overdue contribution (0: none)
        "overdue_days": row.get("overdue_days") or 0,
        "counts": {"contributions": row["contributions"], "accepted": row["accepted"],
                   "pending": row["pending"]},
        "contributions": contributions,
        "annotations": annotations.for_mentors(notes if isinstance(notes, list) else [], gettext,
                                              *actor),
        "award": award_json(award),
    }


def _activity_cell(usage, name, progress, records, award, gettext, now, learner):
    verdict = VERDICTS_BY_RANK[progress.verdict_rank]
    return {"id": usage, "name": name, "verdict": verdict,
            "verdict_label": gettext(VERDICT_LABELS[verdict]),
            "counts": {"contributions": progress.contributions, "accepted": progress.accepted,
                       "pending": progress.pending},
            "waiting_since": iso(progress.waiting_since),
            "contributions": [contribution_json(record, gettext, now, learner)
                              for record in records],
            "award": award_json(award)}


def course_row(row, page, gettext, now):
    """One learner's row of the course-wide workspace: the block table's keys, and their work
    in each activity (``activities``: the course's, in order; absent where they did none)."""
    learner = row["learner_id"]
    names = {usage: name for usage, name, _mentors in page.activities}
    order = {usage: index for index, usage in enumerate(names)}
    username = row["username"] or learner
    cells = [_activity_cell(usage, names.get(usage, ""), progress,
                            page.contributions[learner].get(usage, []),
                            page.awards.get((usage, learner)), gettext, now, username)
             for usage, progress in sorted(page.per_activity[learner].items(),
                                           key=lambda item: order.get(item[0], len(order)))]
    verdict = verdict_of(row)
    return {
        "learner": {"id": learner, "username": username},
        "verdict": verdict, "verdict_label": gettext(COURSE_VERDICT_LABELS[verdict]),
        "stuck": row["stuck"], "last_activity": iso(row["last_activity"]),
        "waiting_since": iso(row["waiting_since"]),
        "waiting_days": _days_since(row["waiting_since"], now),
        # days beyond what the project usually takes, of their most overdue contribution in
        # any activity of the course (0: none)
        "overdue_days": row.get("overdue_days") or 0,
        "counts": {key: row[key] for key in ("activities", "completed", "pending",
                                             "contributions", "accepted")},
        "annotated": bool(row["annotated"]), "activities": cells,
    }


VERDICTS_BY_RANK = ("accepted", "pending", "rejected")
COURSE_VERDICT_LABELS = {"accepted": _("Completed every activity started"),
                         "pending": _("In progress"),
                         "rejected": _("Needs a new contribution")}
