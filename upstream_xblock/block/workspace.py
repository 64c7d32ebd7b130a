"""The course-wide workspace: one page per course for its staff and mentors.

Each learner once, with their contributions and verdicts in every upstream
activity of the course; the block table's filters, sorts and pages, and for
course staff its bulk actions, CSV (exported by a background job, imported as
exported) and audit trail. Django views, not XBlock handlers: the LMS lists the
page as a course tab (``compat.WorkspaceTab``) and every block's mentor view
links to it. Built from the registry (``staff.course``), never by walking the
course's content.

Who may open it: course staff (``compat.is_course_staff``: the LMS's
``has_access(user, "staff", course_key)``) and the mentors an activity of the
course lists. The JSON endpoints answer like the block's handlers: errors are
``{"error": {"code", "message"}}`` with a 4xx status, 403 ``forbidden`` first.
"""

import csv
import io
import json
from dataclasses import dataclass
from functools import wraps

from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from .. import compat
from ..errors import UpstreamError
from ..i18n import gettext_noop as _
from ..identity.views import catalog, gettext
from ..staff import audit, bulk, course, exports
from ..staff.audit import Actor
from ..staff.csv_files import neutralise
from ..staff.progress import DEFAULT_PAGE_SIZE, DEFAULT_SORT, STATES, FilterError
from ..tracking import pace
from ..tracking.block_config import points_of
from ..tracking.service import TrackingError
from .handlers import MAX_BODY_BYTES, parse_json_body
from .presenters import COURSE_VERDICT_LABELS, STATE_LABELS, course_row
from .resources import load_text, render_template, shipped_catalog
from .staff import (
    AUDIT_ACTIONS,
    IMPORT_BODY_LIMIT,
    _export_id,
    _no_export,
    _too_large,
    bulk_progress,
    export_progress,
    labelled_audit,
    run_import,
    start_bulk,
)

MAX_SELECTED = 10_000


@dataclass(frozen=True)
class Visit:
    """Who opened which course's workspace, and as what."""

    course_key: str
    user_id: str
    username: str
    staff: bool
    query: str = ""  # what the page's own links carry to name the visitor (the workbench)

    @property
    def actor(self):
        return Actor(self.user_id, self.username)


def _forbidden():
    return TrackingError("forbidden", _("Only this course's staff and its activities' "
                                        "mentors can open this page."), status=403)


def visit_of(request, course_id):
    """The visit, or UpstreamError (404 for no such course, 403 for anyone else)."""
    course_key = compat.course_key_of_url(course_id)
    if course_key is None:
        raise TrackingError("not_found", _("There is no such course."), status=404)
    who = compat.visitor(request)
    if who is None:
        raise _forbidden()
    user_id, username = who
    staff = compat.is_course_staff(user_id, course_key)
    if not staff and not course.is_course_mentor(course_key, username):
        raise _forbidden()
    return Visit(course_key, user_id, username, staff, compat.visitor_query(request))


def may_open(course_key, user_id, username):
    """The course tab's check: staff or a mentor, of a course with an upstream activity."""
    if not (course.has_activity(course_key) or course.known_activities(course_key)):
        return False
    return compat.is_course_staff(user_id, course_key) or \
        course.is_course_mentor(course_key, username)


def _answer(payload, status=200):
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


def _error(error):
    return _answer({"error": error.as_dict(gettext)}, status=error.status)


def json_view(staff_only=False, max_bytes=MAX_BODY_BYTES, too_large=None):
    """A POST view taking ``{...}`` and answering JSON, for the visit's roles."""
    def decorate(method):
        @wraps(method)
        @never_cache
        @require_POST
        def view(request, course_id):
            try:
                visit = visit_of(request, course_id)
                if staff_only and not visit.staff:
                    raise TrackingError("forbidden", _("Only course staff can do this."),
                                        status=403)
                data = parse_json_body(request, max_bytes, too_large=too_large)
                return _answer(method(visit, data))
            except UpstreamError as error:
                return _error(error)
        return view
    return decorate


def get_view(staff_only=False, refused=_error):
    """A GET view of ``method(visit, **the URL's other arguments)`` for the visit's roles; an
    UpstreamError (the visit refused, or raised by ``method``) is answered by ``refused``."""
    def decorate(method):
        @wraps(method)
        @never_cache
        @require_GET
        def view(request, course_id, **kwargs):
            try:
                visit = visit_of(request, course_id)
                if staff_only and not visit.staff:
                    raise _forbidden()
                return method(visit, **kwargs)
            except UpstreamError as error:
                return refused(error)
        return view
    return decorate


def _activity(visit, data):
    """The ``activity`` a staff action names: one of the course's."""
    usage = data.get("activity")
    if not isinstance(usage, str) or len(usage) > 255 or \
            not course.has_activity(visit.course_key, usage):
        raise FilterError(_("Choose an activity of this course."), field="activity")
    return usage


def _activities_json(page_activities):
    return [{"id": usage, "name": name or usage.rsplit("@", 1)[-1],
             "url": compat.unit_url(usage)} for usage, name, _mentors in page_activities]


@json_view()
def progress(visit, data):
    """One page: ``{"rows", "count", "page", "pages", "page_size", "sort", "summary",
    "activities"}``."""
    request = course.parse_course_request(data, visit.course_key)
    now = timezone.now()
    page = course.course_page(visit.course_key, request, compat.username_expression(), now)
    return {"rows": [course_row(row, page, gettext, now) for row in page.rows],
            "count": page.count, "page": page.page, "pages": page.pages,
            "page_size": request.page.page_size, "sort": request.page.sort,
            "summary": page.summary, "activities": _activities_json(page.activities)}


def _selected(visit, usage, data):
    """The learners of ``usage`` the request names (``learner_ids``), else its filter's."""
    ids = data.get("learner_ids")
    if ids is not None:
        if not isinstance(ids, list) or not ids or len(ids) > MAX_SELECTED or \
                not all(isinstance(i, str) and 0 < len(i) <= 255 for i in ids):
            raise TrackingError("bad_request", _("learner_ids is a list of learner ids."))
        return course.learners_of_activity(usage, learner_ids=ids)
    request = course.parse_course_request({"filters": data.get("filters")}, visit.course_key)
    matching = course.matching_learners(visit.course_key, request.page.filters,
                                        compat.username_expression(), timezone.now(),
                                        request.activity)
    return course.learners_of_activity(usage, matching=matching)


@json_view(staff_only=True)
def bulk_start(visit, data):
    """``{"action", "activity", "learner_ids"?, "filters"?, "reason"?, "text"?}`` →
    ``{"job", "count"}``: the activity's learners among those selected."""
    usage = _activity(visit, data)
    return start_bulk(data, usage_key=usage, course_key=visit.course_key, who=visit.actor,
                      points=points_of(usage, default=1.0),
                      select=lambda: _selected(visit, usage, data))


@json_view(staff_only=True)
def bulk_job(visit, data):
    """``{"job"}`` → the job's progress (run here where no worker runs it)."""
    return bulk_progress(data, lambda job_id: bulk.find_course_job(visit.course_key, job_id))


@json_view(staff_only=True)
def audit_trail(visit, data):
    """The course's audit trail (``filters.activity`` for one activity)."""
    return labelled_audit(audit.audit_page("", data, course_key=visit.course_key), gettext,
                          gettext.ngettext)


@json_view(staff_only=True, max_bytes=IMPORT_BODY_LIMIT, too_large=_too_large())
def import_csv(visit, data):
    """``{"csv", "dry_run", "apply_valid"?}``: each line acts in its ``activity``."""
    usages = [usage for usage, _name, _mentors in course.known_activities(visit.course_key)]
    return run_import(data, usage_key="", course_key=visit.course_key, who=visit.actor,
                      gettext=gettext, points_of=lambda usage: points_of(usage, default=1.0),
                      activities=usages)


@json_view(staff_only=True)
def export_start(visit, data):
    """``{"filters"?}`` → a course-wide export job."""
    filters = data.get("filters") or {}
    if isinstance(filters, dict) and filters.get("activity"):
        course.parse_course_request({"filters": filters}, visit.course_key)
    job = exports.start(course_key=visit.course_key, usage_key="", filters=filters,
                        actor=visit.actor, now=timezone.now(),
                        language=translation.get_language())
    return exports.progress(job)


@json_view(staff_only=True)
def export_job(visit, data):
    """``{"export"}`` → its progress, with ``download_url`` once written."""
    return export_progress(
        data, lambda job_id: exports.find(job_id, course_key=visit.course_key),
        lambda job: compat.workspace_url(visit.course_key) + f"export/{job.pk}/{visit.query}")


@get_view(staff_only=True)
def export_file(visit, export):
    """The finished export's CSV file (course staff)."""
    job = exports.find(_export_id(export), course_key=visit.course_key)
    if job is None or job.status != "done":
        raise _no_export()
    return FileResponse(exports.open_file(job), as_attachment=True, filename=job.filename,
                        content_type="text/csv; charset=utf-8")


@json_view()
def projects(visit, data):  # noqa: ARG001
    """The course's target projects: ``{"projects": [{"host", "repository", "contributions",
    "accepted", "first_response_days_median", "merge_days_median", "sample_size"}]}``."""
    return {"projects": pace.course_projects(visit.course_key, timezone.now())}


@get_view()
def projects_csv(visit):
    """The same table as CSV (staff and the course's mentors)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(pace.PROJECT_COLUMNS)
    for project in pace.course_projects(visit.course_key, timezone.now()):
        writer.writerow([neutralise("" if project[key] is None else project[key])
                         for key in pace.PROJECT_COLUMNS])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="target-projects.csv"'
    return response


def _page_refused(error):
    """The page's answer to a refused visit: Django's 404, or the reason in plain text."""
    if error.status == 404:
        raise Http404
    return HttpResponse(gettext(error.template), status=error.status,
                        content_type="text/plain; charset=utf-8")


@ensure_csrf_cookie
@get_view(refused=_page_refused)
def page(visit):
    """The workspace's page."""
    return HttpResponse(_page_html(visit, visit.query), content_type="text/html; charset=utf-8")


def _urls(course_key, query):
    base = compat.workspace_url(course_key)
    names = {"progress": "progress", "bulk": "bulk", "bulk_job": "bulk_job", "audit": "audit",
             "import_csv": "import_csv", "export_start": "export", "export_job": "export_job",
             "projects": "projects"}
    urls = {name: f"{base}{path}/{query}" for name, path in names.items()}
    urls["projects_csv"] = f"{base}projects.csv{query}"
    return urls


def _page_html(visit, query):
    activities = _activities_json(course.known_activities(visit.course_key))
    language = translation.get_language() or "en"
    init = {"urls": _urls(visit.course_key, query), "staff": visit.staff,
            "activities": activities, "page_size": DEFAULT_PAGE_SIZE, "sort": DEFAULT_SORT}
    _locale, js_catalog = shipped_catalog(language)
    return render_template("workspace.html", {
        "init_json": json.dumps(init), "staff": visit.staff, "activities": activities,
        "course": visit.course_key, "language": language, "uid": "ws",
        "verdicts": [(key, gettext(label)) for key, label in COURSE_VERDICT_LABELS.items()],
        "states": [(state, gettext(STATE_LABELS["" if state == "unknown" else state]))
                   for state in STATES],
        "audit_actions": [(key, gettext(label)) for key, label in AUDIT_ACTIONS.items()],
        "styles": _inline(load_text("static", "css/progress.css")
                          + load_text("static", "css/workspace.css")),
        "scripts": [_inline(script) for script in (
            js_catalog, load_text("static", "js/common.js"),
            load_text("static", "js/tables.js"),  # the parts it shares with a block's table
            load_text("static", "js/staff_tools.js") if visit.staff else "",
            load_text("static", "js/workspace.js")) if script],
    }, catalog())


def _inline(text):
    """A script or style sheet as the page's own text: no "</" to end its element early."""
    return text.replace("</", "<\\/")


app_name = "workspace"
urlpatterns = [
    path("", page, name="page"),
    path("progress/", progress, name="progress"),
    path("bulk/", bulk_start, name="bulk"),
    path("bulk_job/", bulk_job, name="bulk_job"),
    path("audit/", audit_trail, name="audit"),
    path("import_csv/", import_csv, name="import_csv"),
    path("export/", export_start, name="export"),
    path("export_job/", export_job, name="export_job"),
    path("export/<str:export>/", export_file, name="export_file"),
    path("projects/", projects, name="projects"),
    path("projects.csv", projects_csv, name="projects_csv"),
]
