"""Handlers for course staff: revoke, bulk actions and their progress, CSV out and in, audit.

Every handler here refuses anyone but course staff (403 ``forbidden``)
before reading the request. Staff act as themselves: while masquerading as a
learner, the real staff member is the one recorded (``platform.acting_user``).
"""

import json

from django.utils import timezone
from webob import Response
from xblock.core import XBlock

from .. import platform
from ..annotations import notes as note_rules
from ..annotations.store import FIELD as ANNOTATIONS_FIELD
from ..i18n import gettext_noop as _
from ..staff import audit, csv_export, csv_import, jobs
from ..models import TrackedContribution
from ..staff.bulk_actions import ChunkContext, learner_verdict
from ..staff.filters import FilterError, parse_filters
from ..staff.models import BulkJob
from ..staff.progress import matching_learners
from ..tracking import outbox
from ..tracking.awards import NoAward, revoke_award
from ..tracking.service import TrackingError
from .guards import _is_signed_in_staff, actor, staff_only
from .json_api import _error, json_response, parse_json_body

MAX_REASON = 500
MAX_SELECTED = 10_000
IMPORT_BODY_LIMIT = 3 * csv_import.MAX_BYTES  # JSON escaping can triple a CSV's size


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
    usage = platform.usage_key(block)
    if ids is not None:
        if not isinstance(ids, list) or not ids or len(ids) > MAX_SELECTED or \
                not all(isinstance(i, str) and 0 < len(i) <= 255 for i in ids):
            raise TrackingError("bad_request", _("learner_ids is a list of learner ids."))
        known = matching_learners(usage, parse_filters(None), platform.username_expression(),
                                  timezone.now()).filter(learner_id__in=ids)
        return [row["learner_id"] for row in known.order_by("learner_id")]
    rows = matching_learners(usage, parse_filters(data.get("filters")),
                             platform.username_expression(), timezone.now())
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
        text = note_rules.clean_text(data.get("text"))
        visibility, tag, _url = note_rules.clean_choice(data.get("visibility") or "mentors",
                                                        data.get("tag"), "")
        return {"text": text, "visibility": visibility, "tag": tag}
    return {}


class StaffHandlersMixin:
    """``revoke``, ``bulk``, ``bulk_job``, ``export_csv``, ``import_csv``, ``audit``."""

    @XBlock.handler
    @staff_only
    def revoke(self, data):
        """Course staff take a learner's award back, with a reason that is recorded."""
        learner = data.get("learner_id")
        if not isinstance(learner, str) or not learner:
            raise TrackingError("bad_request", _("Give the learner and a reason."))
        reason, now, who = _reason(data), timezone.now(), actor(self)
        try:
            revocation = revoke_award(platform.usage_key(self), learner, who.id, reason, now)[0]
        except NoAward:
            raise TrackingError("not_awarded", _("This learner has no award here."),
                                status=404) from None
        after = learner_verdict(TrackedContribution.objects.filter(
            usage_key=platform.usage_key(self), learner_id=learner), awarded=False)
        audit.record(platform.usage_key(self), who, "revoke", now, learner_id=learner,
                     reason=reason, before="accepted", after=after,
                     course_key=platform.course_key(self))
        # The grade the award published is reset now, or by the next sweep if this fails.
        outbox.reset(revocation, platform.reset_published, now)
        return {"revoked": True, "learner_id": learner,
                "revoked_at": revocation.revoked_at.isoformat()}

    @XBlock.handler
    @staff_only
    def bulk(self, data):
        """``{"action", "learner_ids"?, "filters"?, "reason"?, "text"?}`` → ``{"job", "count"}``."""
        action = data.get("action")
        if action not in ("check_now", "accept", "revoke", "annotate"):
            raise TrackingError("bad_request", _("The action is check_now, accept, revoke or "
                                                 "annotate."))
        params = _bulk_params(self, action, data)
        now = timezone.now()
        job = jobs.start(platform.usage_key(self), platform.course_key(self), action,
                         _selected(self, data), params, actor(self), now)
        if job.count and not jobs.enqueue(job.pk):
            jobs.run_chunk(job.pk, now)  # the first chunk now; polls do the rest
        return {"job": job.pk, "count": job.count}

    @XBlock.handler
    @staff_only
    def bulk_job(self, data):
        """``{"job"?}`` → the job's progress (without ``job``: the block's latest unfinished
        job, or ``{"job": null}``). Where no worker runs, this runs the job's next chunk:
        the staff page polls it, and resumes an unfinished job when it is opened again."""
        job_id, usage = data.get("job"), platform.usage_key(self)
        jobs_here = BulkJob.objects.filter(usage_key=usage)
        if job_id is None:
            job = jobs_here.exclude(status="done").order_by("-pk").first()
            if job is None:
                return {"job": None}
        elif isinstance(job_id, bool) or not isinstance(job_id, int):
            raise TrackingError("bad_request", _("Give the job's number."))
        else:
            job = jobs_here.filter(pk=job_id).first()
            if job is None:
                raise TrackingError("not_found", _("There is no such job here."), status=404)
        if job.status != "done" and not jobs.enqueue(job.pk):
            if jobs.run_chunk(job.pk, timezone.now()):
                job.refresh_from_db()
        return jobs.progress(job)

    @XBlock.handler
    @staff_only
    def audit(self, data):
        """``{"page", "page_size", "filters"}`` → ``{"rows", "count", "page", "pages"}``."""
        return audit.audit_page(platform.usage_key(self), data)

    @XBlock.handler
    def import_csv(self, request, suffix=""):  # pylint: disable=unused-argument
        """``{"csv", "dry_run", "apply_valid"?}`` → ``{"changes", "errors", "applied"}``."""
        if not _is_signed_in_staff(self):
            return _error(self, TrackingError("forbidden", _("Only course staff can do this."),
                                              status=403))
        if (request.content_length or 0) > IMPORT_BODY_LIMIT:
            return _error(self, _too_large())
        return _import_csv_api(self, request)

    import_csv.json_api = True  # JSON in, JSON out (a larger body limit than json_api's)

    @XBlock.handler
    def export_csv(self, request, suffix=""):  # pylint: disable=unused-argument
        """GET ``?filters=<JSON>``: the filter's contributions as ``text/csv``, streamed."""
        if not _is_signed_in_staff(self):
            return _error(self, TrackingError("forbidden", _("Only course staff can do this."),
                                              status=403))
        try:
            filters = parse_filters(json.loads(request.GET.get("filters") or "null"))
        except (ValueError, RecursionError, FilterError):  # deep nesting: RecursionError
            return _error(self, TrackingError("bad_request", _("The filters are not valid.")))
        gettext = platform.gettext(self)
        lines = csv_export.rows_of(
            platform.usage_key(self), filters, platform.username_expression(), timezone.now(),
            lambda ids: platform.learner_states(platform.usage_key(self), ids, ANNOTATIONS_FIELD),
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
        plan = csv_import.plan(platform.usage_key(block), text, platform.username_expression(),
                               now, platform.gettext(block))
    except csv_import.ImportTooLarge:
        raise _too_large() from None
    applied = not dry_run and plan.lines and (apply_valid or not plan.errors)
    if applied:
        def context_for(params):
            return ChunkContext(usage_key=platform.usage_key(block),
                                course_key=platform.course_key(block), actor=who,
                                params={**params, "points": block.points()}, now=now,
                                source="csv")
        csv_import.apply(plan, context_for)
    return {"changes": plan.changes, "errors": plan.errors, "applied": bool(applied),
            "dry_run": dry_run}


def _import_csv_api(block, request):
    """Like ``json_api``, with the import's larger body limit."""
    try:
        data = parse_json_body(request, IMPORT_BODY_LIMIT, too_large=_too_large(),
                               not_utf8=TrackingError("bad_encoding", _(
                                   "The file is not UTF-8 text: save it as UTF-8.")))
        return json_response(_run_import(block, data))
    except TrackingError as error:
        return _error(block, error)
