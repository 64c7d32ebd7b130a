"""The course around the blocks: who a page's visitor is, who is course staff, the course tab,
where reports are stored, the way back to a unit.

- ``visitor(request)``: the signed-in user of a Django view (in the workbench, which
  has no sign-in, the ``?student=`` it names its users with);
- ``is_course_staff(user, course_key)``: the LMS's ``has_access(user, "staff",
  course_key)`` (read in openedx-platform's lms/djangoapps/courseware/access.py: a
  CourseKey object is checked by ``_has_access_course_key``); in the workbench the
  demo's staff ids;
- ``WorkspaceTab``: the course tab the LMS lists (entry point ``openedx.course_tab``,
  read by openedx-platform's ``CourseTabPluginManager``). It is a dynamic tab like
  the instructor dashboard's: never stored in the course, offered to whoever
  ``is_enabled`` accepts. The class derives from ``xmodule.tabs.CourseTab``, so it is
  made on first use (this module's ``__getattr__``); the product says who may open
  the workspace and what the tab is called through ``configure_tab`` (compat imports
  nothing of the product);
- the report store: in the LMS the instructor dashboard's (``ReportStore.from_config(
  "GRADES_DOWNLOAD")``: the file also shows among its reports), elsewhere a folder;
- ``unit_url(usage_key)``: the LMS's ``jump_to`` page of a block, the workbench's
  scenario page.
"""

import hashlib
import os
from functools import lru_cache
from urllib.parse import urlencode

TAB_TYPE = "upstream_contributions"
URL_NAME = "upstream_xblock:workspace:page"
WORKBENCH_COURSE = "workbench"  # the workbench's blocks have no course: its URL says this
_TAB = {"may_open": None, "name": None}


def _in_the_lms():
    from django.apps import apps
    return apps.is_installed("lms.djangoapps.courseware")


def _demo_users():
    """Whether ``?student=`` names the visitor: only where a site says so (the workbench demo
    and the tests), never by default, so that the views mounted anywhere else fail closed."""
    from django.conf import settings
    return getattr(settings, "UPSTREAM_XBLOCK_DEMO_USERS", False) is True


def visitor(request):
    """(user id, user name) of who asks, or None if nobody is signed in."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return str(user.pk), str(user.username)
    if _in_the_lms() or not _demo_users():
        return None
    student = request.GET.get("student", "")  # the workbench's way of naming its users
    return (student, student) if student and len(student) <= 150 else None


def visitor_query(request):
    """What the workspace's own links carry to name the visitor: nothing in the LMS (its
    session does), the workbench's ``?student=`` elsewhere."""
    student = request.GET.get("student", "")
    if _in_the_lms() or not _demo_users() or not student or getattr(request, "user", None) \
            and request.user.is_authenticated:
        return ""
    return "?" + urlencode({"student": student})


def is_course_staff(user_id, course_key):
    """Course staff (or instructors, or global staff) of the course."""
    if not _in_the_lms():
        from django.conf import settings
        return str(user_id) in getattr(settings, "UPSTREAM_XBLOCK_DEMO_STAFF", ())
    from django.contrib.auth import get_user_model
    from lms.djangoapps.courseware.access import has_access
    from opaque_keys.edx.keys import CourseKey
    user = get_user_model().objects.filter(pk=int(user_id)).first() \
        if str(user_id).isdigit() else None
    return bool(user is not None and has_access(user, "staff", CourseKey.from_string(course_key)))


def course_key_of_url(text):
    """The course key a workspace URL names ('' for the workbench), or None if it is none."""
    if text == WORKBENCH_COURSE and not _in_the_lms():
        return ""
    try:
        from opaque_keys import InvalidKeyError
        from opaque_keys.edx.keys import CourseKey
    except ImportError:
        return None
    try:
        return str(CourseKey.from_string(text))
    except InvalidKeyError:
        return None


def course_url_id(course_key):
    """What a workspace URL says for ``course_key``."""
    return course_key or WORKBENCH_COURSE


def workspace_url(course_key):
    from django.urls import NoReverseMatch, reverse
    try:
        return reverse(URL_NAME, args=[course_url_id(course_key)])
    except NoReverseMatch:  # the app's URLs are not installed (a bare runtime)
        return None


def unit_url(usage_key, learner_id=""):
    """The page that shows the block ``usage_key`` to a learner (None if unknown); in the
    workbench, as ``learner_id`` (its ``?student=``)."""
    from django.urls import NoReverseMatch, reverse
    if _in_the_lms():
        from opaque_keys.edx.keys import UsageKey
        key = UsageKey.from_string(usage_key)
        return reverse("jump_to", kwargs={"course_id": str(key.course_key),
                                          "location": str(key)})
    # The workbench's usage ids are "<scenario>.<block type>.d<n>.u<n>".
    scenario = ".".join(str(usage_key).split(".")[:-3])
    try:
        url = reverse("workbench_show_scenario", args=[scenario])
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode({'student': learner_id})}" if learner_id else url


def configure_tab(may_open, name):
    """``may_open(course_key, user_id, username)`` says who sees the tab; ``name()`` is its
    title in the viewer's language (the product's catalog)."""
    _TAB.update(may_open=may_open, name=name)


@lru_cache(maxsize=1)
def _tab_class():
    from xmodule.tabs import CourseTab

    class WorkspaceTab(CourseTab):
        """The course's upstream contributions, for its staff and mentors."""

        type = TAB_TYPE
        title = "Upstream contributions"  # the LMS shows ``name``, translated below
        priority = None
        is_dynamic = True  # like the instructor dashboard's: added when enabled
        is_default = False
        is_hideable = False

        def __init__(self, tab_dict):
            tab_dict = dict(tab_dict)
            tab_dict["link_func"] = lambda course, reverse_func: reverse_func(
                URL_NAME, args=[course_url_id(str(course.id))])
            if _TAB["name"] is not None:
                tab_dict.setdefault("name", _TAB["name"]())
            super().__init__(tab_dict)

        @classmethod
        def is_enabled(cls, course, user=None):
            if user is None or not user.is_authenticated or _TAB["may_open"] is None:
                return False
            return bool(_TAB["may_open"](str(course.id), str(user.pk), str(user.username)))

    return WorkspaceTab


def __getattr__(name):  # the entry point loads ``WorkspaceTab`` in the LMS only
    if name == "WorkspaceTab":
        return _tab_class()
    raise AttributeError(name)


# -- the report store -----------------------------------------------------------------
REPORTS_CONFIG = "GRADES_DOWNLOAD"  # the instructor dashboard's reports


class _FolderStore:
    """The report store where the LMS's is not: files under a folder, one per course."""

    def __init__(self):
        from django.conf import settings
        from django.core.files.storage import FileSystemStorage
        root = getattr(settings, "UPSTREAM_XBLOCK_REPORTS_ROOT", None) or os.path.join(
            getattr(settings, "VAR_DIR", None) or os.getcwd(), "reports")
        self.storage = FileSystemStorage(location=root)

    @staticmethod
    def path_to(course_key, filename=""):
        return os.path.join(hashlib.sha1(str(course_key).encode()).hexdigest(), filename)

    def store(self, course_key, filename, binary_file):
        from django.core.files import File
        self.storage.save(self.path_to(course_key, filename), File(binary_file, name=filename))


def _report_store():
    from django.apps import apps
    if not apps.is_installed("lms.djangoapps.instructor_task"):
        return _FolderStore()
    from lms.djangoapps.instructor_task.models import ReportStore
    return ReportStore.from_config(config_name=REPORTS_CONFIG)


def store_report(course_key, filename, binary_file):
    """Store a finished report (a binary file, read from its start: streamed, not loaded)."""
    store = _report_store()
    if isinstance(store, _FolderStore):
        store.store(course_key, filename, binary_file)
        return
    from opaque_keys.edx.keys import CourseKey
    store.store(CourseKey.from_string(course_key), filename, binary_file)


def open_report(course_key, filename):
    """The stored report as a binary file object (raises OSError if it is not there)."""
    store = _report_store()
    key = course_key
    if not isinstance(store, _FolderStore):
        from opaque_keys.edx.keys import CourseKey
        key = CourseKey.from_string(course_key)
    return store.storage.open(store.path_to(key, filename), "rb")
