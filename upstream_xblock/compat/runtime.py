"""The runtime as the block sees it: settings bucket, who and where, translations, Studio.

Also Studio's side: the course-published signal and a course's published blocks.

Also where a request stands: Studio's preview, the LMS preview site, a masquerading staff
member, the instructor dashboard's task and who asked for it.
"""

import json
import logging
import os
from functools import lru_cache

log = logging.getLogger(__name__)

SETTINGS_BUCKET = "upstream_xblock"

CONFIG_ENV = "UPSTREAM_XBLOCK_CONFIG"

@lru_cache(maxsize=4)
def _bucket_from_file(path, _mtime):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)

def settings_bucket(block):
    """XBLOCK_SETTINGS["upstream_xblock"] through the settings service; else the env file."""
    service = block.runtime.service(block, "settings")
    if service is not None:
        bucket = service.get_settings_bucket(block, default={})
        if bucket:
            return bucket
    return _bucket_from_environment()

def global_settings_bucket():
    """The same bucket for work done without a block (sweeps, tasks, commands)."""
    from django.conf import settings
    bucket = (getattr(settings, "XBLOCK_SETTINGS", {}) or {}).get(SETTINGS_BUCKET)
    return bucket or _bucket_from_environment()

def _bucket_from_environment():
    path = os.environ.get(CONFIG_ENV)
    if path:
        try:
            return _bucket_from_file(path, os.stat(path).st_mtime)
        except (OSError, ValueError):
            log.error("cannot read the forge configuration named by %s", CONFIG_ENV)
    return {}

def _current_user(block):
    service = block.runtime.service(block, "user")
    return service.get_current_user() if service is not None else None

def learner_id(block):
    """The runtime's id for the learner, as a string ('' when anonymous)."""
    user_id = block.scope_ids.user_id
    return "" if user_id is None else str(user_id)

def anonymous_id(block):
    user = _current_user(block)
    return (user.opt_attrs.get("edx-platform.anonymous_user_id") or "") if user else ""

def course_key(block):
    return str(getattr(block.scope_ids.usage_id, "course_key", "") or "")

def usage_key(block):
    return str(block.scope_ids.usage_id)

def course_start(block):
    """The course's start date in the LMS and Studio; None in the workbench or if unknown."""
    course = getattr(block.scope_ids.usage_id, "course_key", None)
    if course is None:
        return None
    try:
        from xmodule.modulestore.django import modulestore
    except ImportError:
        return None
    try:
        descriptor = modulestore().get_course(course)
    except Exception:  # noqa: BLE001
        log.warning("could not read the start date of %s", course)
        return None
    return getattr(descriptor, "start", None)

def is_staff(block):
    """Course staff (the LMS says so through the user service; never in the workbench)."""
    user = _current_user(block)
    return bool(user and user.opt_attrs.get("edx-platform.user_is_staff"))

def username(block):
    """The current user's name: the LMS user service's, else (the workbench) the student id."""
    user = _current_user(block)
    name = user.opt_attrs.get("edx-platform.username") if user else None
    return str(name) if name else learner_id(block)

def course_event_context(course_key):
    """The context the LMS gives its own tasks' events about a course (``course_id``,
    ``org_id``...: its ``course_context_from_course_id``); the same keys elsewhere."""
    try:
        from common.djangoapps.track.contexts import course_context_from_course_id
        from opaque_keys.edx.keys import CourseKey
    except ImportError:  # not in the LMS (the workbench, the tests)
        text = str(course_key or "")
        org = text.removeprefix("course-v1:").partition("+")[0] if "+" in text else ""
        return {"course_id": text, "org_id": org, "enterprise_uuid": ""}
    try:
        return course_context_from_course_id(CourseKey.from_string(str(course_key)))
    except Exception:  # noqa: BLE001  (a key that is not a course's: the LMS's empty context)
        return course_context_from_course_id(None)


def gettext(block):
    """The runtime's translation function (identity if the runtime has no i18n service),
    with the service's ``ngettext`` as its attribute for messages that name a count."""
    service = block.runtime.service(block, "i18n")
    if service is None:
        def translate(text):
            return text

        translate.ngettext = lambda singular, plural, n: singular if n == 1 else plural
        return translate

    def translate_by_service(text):
        return service.gettext(text)

    translate_by_service.ngettext = service.ngettext
    return translate_by_service

def ngettext(block):
    """The runtime's plural-aware translation function (English plurals without i18n)."""
    service = block.runtime.service(block, "i18n")
    if service is not None and hasattr(service, "ngettext"):
        return service.ngettext
    return lambda singular, plural, count: singular if count == 1 else plural

def request_is_by_learner(request, learner_id):
    """Is this plain Django request (not a block handler) made by ``learner_id``?

    In the LMS a learner id is a user id and the request must be signed in as
    that user. The workbench has no sign-in (its learners are named by
    ``?student=``): there, a request signed in as nobody is taken as the learner's.
    """
    from django.apps import apps
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return str(user.pk) == str(learner_id)
    return not (apps.is_installed("lms.djangoapps.courseware") or str(learner_id).isdigit())


def connect_course_published(receiver):
    """Call ``receiver(course_key)`` when Studio publishes a course (Studio only)."""
    try:
        from xmodule.modulestore.django import SignalHandler
    except ImportError:
        return False

    def on_course_published(sender, course_key, **kwargs):  # noqa: ARG001
        receiver(course_key)

    SignalHandler.course_published.connect(on_course_published, weak=False,
                                           dispatch_uid="upstream_xblock.course_published")
    return True

def published_blocks(course_key, block_type):
    """The published version of every block of ``block_type`` in a course."""
    from xmodule.modulestore import ModuleStoreEnum
    from xmodule.modulestore.django import modulestore
    store = modulestore()
    with store.branch_setting(ModuleStoreEnum.Branch.published_only, course_key):
        return list(store.get_items(course_key, qualifiers={"category": block_type}))


def in_studio_preview(block):
    """Studio renders the block for its author (the preview runtime sets ``is_author_mode``)."""
    return bool(getattr(block.runtime, "is_author_mode", False))

def _in_lms_preview():
    """The LMS's preview site, which shows draft content to course staff."""
    try:
        from lms.djangoapps.courseware.access_utils import in_preview_mode
    except ImportError:
        return False
    try:
        return bool(in_preview_mode())
    except Exception:  # noqa: BLE001
        log.warning("could not tell whether this is the LMS preview site")
        return True  # when in doubt, do not publish and do not store draft rules

def shows_published_content(block):
    """False in Studio's preview and on the LMS preview site (both show drafts)."""
    return not in_studio_preview(block) and not _in_lms_preview()

def is_masquerading(block):
    """Course staff viewing the course as a learner (or as the learner role).

    The LMS drops a masquerading user's grade and completion events; it hands
    the (masqueraded) Django user to the block through the ``publish`` service,
    and marks a specific-learner masquerade with ``real_user`` on it.
    """
    service = block.runtime.service(block, "publish")
    user = getattr(service, "user", None)
    if user is None:
        return False
    if getattr(user, "real_user", user) != user:
        return True
    try:
        from lms.djangoapps.courseware.masquerade import get_course_masquerade
    except ImportError:
        return False
    return get_course_masquerade(user, getattr(service, "course_id", None)) is not None

def acting_user(block):
    """(id, user name) of whoever acts: the real staff member while masquerading as a learner.

    The LMS hands a masquerading staff member's request the learner's user,
    with the staff member as ``real_user`` (on the publish service's user):
    staff actions are recorded and made as the staff member, never the learner.
    """
    service = block.runtime.service(block, "publish")
    user = getattr(service, "user", None)
    real = getattr(user, "real_user", None)
    if real is not None and real != user:
        return str(real.pk), str(real.username)
    return learner_id(block), username(block)

def publishing_blocked(block):
    """A request that must not publish a grade or mark one published (preview, masquerade)."""
    return not shows_published_content(block) or is_masquerading(block)


def dashboard_requester():
    """(user id, user name) of whoever asked for the instructor-dashboard task running now.

    The LMS runs a score override or a rescore in an instructor task: a Celery task
    whose id is its ``InstructorTask``'s ``task_id``, a row naming its ``requester``
    (``lms/djangoapps/instructor_task``); the block is then bound to the learner.
    None outside such a task (the workbench, a request).
    """
    try:
        from celery import current_task
        from lms.djangoapps.instructor_task.models import InstructorTask
    except ImportError:
        return None
    task_id = getattr(getattr(current_task, "request", None), "id", None)
    if not task_id:
        return None
    found = InstructorTask.objects.filter(task_id=task_id).values_list(
        "requester_id", "requester__username").first()
    return (str(found[0]), str(found[1])) if found else None
