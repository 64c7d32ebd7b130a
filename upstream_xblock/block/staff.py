"""Course staff's handlers: revoke, bulk actions and their progress, CSV out and in, audit.

Every handler here refuses anyone but course staff (403 ``forbidden``) before
reading the request. Staff act as themselves: while masquerading as a learner,
the real staff member is the one recorded (``compat.acting_user``).
"""

import json

from django.utils import timezone
from webob import Response
from xblock.core import XBlock

from .. import compat
from ..errors import UpstreamError
from ..i18n import gettext_noop as _
from ..staff import annotations, audit, bulk, csv_files
from ..staff.annotations import FIELD as ANNOTATIONS_FIELD
from ..staff.bulk import ChunkContext
from ..staff.progress import FilterError, matching_learners, parse_filters
from ..tracking import events
from ..tracking.awards import NoAward
from ..tracking.service import TrackingError
from .handlers import (
    _error,
    _is_signed_in_staff,
    actor,
    grading,
    is_valid_text,
    json_response,
    parse_json_body,
    refuse_self_grading,
    request_events,
    staff_only,
)

AUDIT_ACTIONS = {
    "accept": _("Accepted"), "revoke": _("Revoked"), "annotate": _("Annotated"),
    "edit_annotation": _("Edited an annotation"), "delete_annotation": _("Deleted an annotation"),
    "check_now": _("Checked now"), "bulk": _("Started a bulk action"),
    "score_override": _("Overrode the score"), "rescore": _("Rescored"),
    "clear_state": _("Deleted the learner's state"),
    "vouch": _("Accepted as a mentor"), "propose_vouch": _("Proposed as a mentor"),
    "confirm_vouch": _("Confirmed a mentor's proposal"),
    "revoke_vouch": _("Withdrew a mentor's acceptance"),
    "vouch_identity": _("Vouched for a forge account"),
}


MAX_REASON = 500
MAX_SELECTED = 10_000
GRADING_ACTIONS = ("accept", "revoke")  # no one does these to their own record
IMPORT_BODY_LIMIT = 3 * csv_files.MAX_BYTES  # JSON escaping can triple a CSV's size


def _reason(data, required=True):
    reason = data.get("reason")
    if reason is None and not required:
        return ""
    if not isinstance(reason, str) or not reason.strip():
        raise TrackingError("bad_request", _("Give a reason."))
    if len(reason) > MAX_REASON:
        raise TrackingError("bad_request", _("A reason is at most 500 characters long."))
    return reason.strip()


def _selected(block, data):
    """The learner ids of the request: ``learner_ids``, else everything matching ``filters``."""
    ids = data.get("learner_ids")
    usage = compat.usage_key(block)
    if ids is not None:
        if not isinstance(ids, list) or not ids or len(ids) > MAX_SELECTED or \
                not all(isinstance(i, str) and 0 < len(i) <= 255 for i in ids):
            raise TrackingError("bad_request", _("learner_ids is a list of learner ids."))
        known = matching_learners(usage, parse_filters(None), compat.username_expression(),
                                  timezone.now()).filter(learner_id__in=ids)
        return [row["learner_id"] for row in known.order_by("learner_id")]
    rows = matching_learners(usage, parse_filters(data.get("filters")),
                             compat.username_expression(), timezone.now())
    return list(rows.order_by("learner_id").values_list("learner_id", flat=True))


def _bulk_params(block, action, data):
    if action in ("accept", "revoke"):
        params = {"reason": _reason(data)}
        if action == "accept":
            params["points"] = block.points()
            url = data.get("url") or ""
            if not isinstance(url, str) or len(url) > 500:
                raise TrackingError("bad_request", _("Send the contribution's address as text."))
            params["url"] = url
        return params
    if action == "annotate":
        text = annotations.clean_text(data.get("text"))
        visibility, tag, _url = annotations.clean_choice(data.get("visibility") or "mentors",
                                                        data.get("tag"), "")
        return {"text": text, "visibility": visibility, "tag": tag}
    return {}


class StaffMixin:
    """``revoke``, ``bulk``, ``bulk_job``, ``export_csv``, ``import_csv``, ``audit``."""

    @XBlock.handler
    @staff_only
    @grading
    def revoke(self, data):
        """Course staff take a learner's award back, with a reason that is recorded."""
        learner = data.get("learner_id")
        if not isinstance(learner, str) or not learner:
            raise TrackingError("bad_request", _("Give the learner and a reason."))
        refuse_self_grading(self, [learner])
        reason, now = _reason(data), timezone.now()
        try:
            revocation = bulk.revoke_one(compat.usage_key(self), compat.course_key(self), learner,
                                         actor(self), reason, now)
        except NoAward:
            raise TrackingError("not_awarded", _("This learner has no award here."),
                                status=404) from None
        return {"revoked": True, "learner_id": learner,
                "revoked_at": revocation.revoked_at.isoformat()}

    @XBlock.handler
    @staff_only
    @grading
    def bulk(self, data):
        """``{"action", "learner_ids"?, "filters"?, "reason"?, "text"?}`` → ``{"job", "count"}``.

        An accept or revoke whose selection holds the staff member's own record is refused
        (403 ``self_grading``)."""
        action = data.get("action")
        if action not in ("check_now", "accept", "revoke", "annotate"):
            raise TrackingError("bad_request", _("The action is check_now, accept, revoke or "
                                                 "annotate."))
        params = _bulk_params(self, action, data)
        now, selected = timezone.now(), _selected(self, data)
        if action in GRADING_ACTIONS:
            refuse_self_grading(self, selected)
        job = bulk.start(compat.usage_key(self), compat.course_key(self), action,
                         selected, params, actor(self), now)
        if job.count and not bulk.enqueue(job.pk):
            bulk.run_chunk(job.pk, now)  # the first chunk now; polls do the rest
        return {"job": job.pk, "count": job.count}

    @XBlock.handler
    @staff_only
    def bulk_job(self, data):
        """``{"job"?}`` → the job's progress (without ``job``: the block's latest unfinished
        job, or ``{"job": null}``). Where no worker runs, this runs the job's next chunk:
        the staff page polls it, and resumes an unfinished job when it is opened again."""
        job_id = data.get("job")
        if job_id is not None and not audit.is_job_number(job_id):
            raise TrackingError("bad_request", _("Give the job's number."))
        job = bulk.find_job(compat.usage_key(self), job_id)
        if job is None:
            if job_id is None:
                return {"job": None}
            raise TrackingError("not_found", _("There is no such job here."), status=404)
        return bulk.advance(job, timezone.now())

    @XBlock.handler
    @staff_only
    def audit(self, data):
        """``{"page", "page_size", "filters"}`` → ``{"rows", "count", "page", "pages"}``."""
        return audit.audit_page(compat.usage_key(self), data)

    @XBlock.handler
    def import_csv(self, request, suffix=""):  # noqa: ARG002
        """``{"csv", "dry_run", "apply_valid"?}`` → ``{"changes", "errors", "applied"}``."""
        if not _is_signed_in_staff(self):
            return _error(self, TrackingError("forbidden", _("Only course staff can do this."),
                                              status=403))
        if (request.content_length or 0) > IMPORT_BODY_LIMIT:
            return _error(self, _too_large())
        return _import_csv_api(self, request)

    import_csv.json_api = True  # JSON in, JSON out (a larger body limit than json_api's)
    import_csv.changes_grades = True  # its accept and revoke lines are on the audit trail

    @XBlock.handler
    def export_csv(self, request, suffix=""):  # noqa: ARG002
        """GET ``?filters=<JSON>``: the filter's contributions as ``text/csv``, streamed."""
        if not _is_signed_in_staff(self):
            return _error(self, TrackingError("forbidden", _("Only course staff can do this."),
                                              status=403))
        try:
            raw = json.loads(request.GET.get("filters") or "null")
            if not is_valid_text(raw):
                raise ValueError("not text")
            filters = parse_filters(raw)
        except (ValueError, RecursionError, FilterError):  # deep nesting: RecursionError
            return _error(self, TrackingError("bad_request", _("The filters are not valid.")))
        gettext = compat.gettext(self)
        lines = csv_files.rows_of(
            compat.usage_key(self), filters, compat.username_expression(), timezone.now(),
            lambda ids: compat.learner_states(compat.usage_key(self), ids, ANNOTATIONS_FIELD),
            gettext)
        response = Response(content_type="text/csv", charset="utf-8")
        response.app_iter = (line.encode("utf-8") for line in lines)
        response.headers["Content-Disposition"] = 'attachment; filename="contributions.csv"'
        response.headers["Cache-Control"] = "no-store"
        return response


def _too_large():
    return TrackingError("file_too_large", _("The file is larger than an import takes (2 MB, "
                                             "5000 lines): split it."), status=413)


def _run_import(block, data):
    text, dry_run = data.get("csv"), data.get("dry_run", True)
    if not isinstance(text, str) or not isinstance(dry_run, bool):
        raise TrackingError("bad_request", _('Send {"csv": the file\'s text, "dry_run": true '
                                             'or false}.'))
    apply_valid = data.get("apply_valid") is True
    now, who = timezone.now(), actor(block)
    try:
        plan = csv_files.plan(compat.usage_key(block), text, compat.username_expression(),
                               now, compat.gettext(block))
        refuse_self_grading(block, [line.learner_id for line in plan.lines
                                    if line.action in GRADING_ACTIONS])
    except csv_files.ImportTooLarge:
        raise _too_large() from None
    except csv_files.ImportNotText:
        raise TrackingError("bad_request", _("The file is not UTF-8 text: save it as "
                                             "UTF-8.")) from None
    applied = not dry_run and plan.lines and (apply_valid or not plan.errors)
    if applied:
        def context_for(params):
            return ChunkContext(usage_key=compat.usage_key(block),
                                course_key=compat.course_key(block), actor=who,
                                params={**params, "points": block.points()}, now=now,
                                source="csv")
        csv_files.apply(plan, context_for)
    if not dry_run:
        events.emit(events.CSV_IMPORTED, {"applied": bool(applied), "changes": len(plan.changes),
                                          "errors": len(plan.errors)},
                    usage_key=compat.usage_key(block), course_key=compat.course_key(block),
                    user_id=who.id, actor_id=who.id)
    return {"changes": plan.changes, "errors": plan.errors, "applied": bool(applied),
            "dry_run": dry_run}


def _import_csv_api(block, request):
    """Like ``json_api``, with the import's larger body limit."""
    try:
        data = parse_json_body(request, IMPORT_BODY_LIMIT, too_large=_too_large(),
                               not_utf8=TrackingError("bad_encoding", _(
                                   "The file is not UTF-8 text: save it as UTF-8.")))
        with request_events(block):
            return json_response(_run_import(block, data))
    except UpstreamError as error:
        return _error(block, error)
