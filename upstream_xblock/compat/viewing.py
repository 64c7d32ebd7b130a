"""Where a request stands: Studio's preview, the LMS preview site, a masquerading staff member,
the instructor dashboard's task and who asked for it."""

import logging

from .runtime import learner_id, username

log = logging.getLogger(__name__)


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
