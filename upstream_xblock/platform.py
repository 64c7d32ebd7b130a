"""Everything that differs between the LMS/Studio and the xblock-sdk workbench.

This is the only module allowed to import Open edX code (``lms.*``,
``common.*``, ``xmodule.*``, ``completion``, ``submissions``), and only
inside functions, so the package imports cleanly without edx-platform.
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
    from django.conf import settings  # pylint: disable=import-outside-toplevel
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
        # pylint: disable-next=import-outside-toplevel
        from xmodule.modulestore.django import modulestore
    except ImportError:
        return None
    try:
        descriptor = modulestore().get_course(course)
    except Exception:  # pylint: disable=broad-except
        log.warning("could not read the start date of %s", course)
        return None
    return getattr(descriptor, "start", None)


def is_staff(block):
    """Course staff (the LMS says so through the user service; never in the workbench)."""
    user = _current_user(block)
    return bool(user and user.opt_attrs.get("edx-platform.user_is_staff"))


def publish_revocation(award):
    """Staff revoked a learner's award: in the LMS their score for the block is reset.

    (The LMS's grade event only grades the current user, so the reset goes
    through edx-submissions, keyed by the learner's anonymous id.)
    Returns True if a platform score was reset.
    """
    from django.apps import apps  # pylint: disable=import-outside-toplevel
    if not apps.is_installed("submissions"):
        return False  # the workbench keeps no grades for other learners
    from submissions import api as submissions_api  # pylint: disable=import-outside-toplevel
    anonymous = award.anonymous_id
    if not (anonymous and award.course_key):
        return False
    submissions_api.reset_score(anonymous, award.course_key, award.usage_key)
    return True


def publish_award(block, award):
    """Grade (fraction of the block's points) and completion, through the runtime."""
    block.earned_score = award.score
    block.runtime.publish(block, "grade", {"value": award.score, "max_value": 1.0})
    block.runtime.publish(block, "completion", {"completion": 1.0})


def _in_the_lms():
    from django.apps import apps  # pylint: disable=import-outside-toplevel
    return apps.is_installed("submissions") and apps.is_installed("completion")


def publish_award_in_background(award):
    """Grade and complete for a learner who is not there (sweeps, tasks).

    In the LMS: an edx-submissions submission keyed by the learner's anonymous
    id, then its score (the LMS grades app listens to it, as for ORA2), and the
    completion API. In the workbench: the learner's own block state.
    """
    if _in_the_lms():
        _lms_award(award)
    else:
        _workbench_award(award)


def _lms_award(award):
    # pylint: disable=import-outside-toplevel
    from completion.models import BlockCompletion
    from django.contrib.auth import get_user_model
    from opaque_keys.edx.keys import UsageKey
    from submissions import api as submissions_api

    student_item = {"student_id": award.anonymous_id, "course_id": award.course_key,
                    "item_id": award.usage_key, "item_type": "upstream_contribution"}
    submission = submissions_api.create_submission(
        student_item, {"contributions": list(award.contributions)})
    submissions_api.set_score(submission["uuid"], 1, 1)
    user = get_user_model().objects.get(pk=int(award.learner_id))
    BlockCompletion.objects.submit_completion(
        user=user, block_key=UsageKey.from_string(award.usage_key), completion=1.0)


def _workbench_award(award):
    # pylint: disable=import-outside-toplevel
    from workbench.runtime import WorkbenchRuntime
    from workbench.scenarios import get_scenarios
    get_scenarios()  # the workbench maps usage ids to blocks in memory, per process
    runtime = WorkbenchRuntime(award.learner_id)
    block = runtime.get_block(award.usage_key)
    block.earned_score = award.score
    block.save()


def ensure_background_polling():
    """Make sure a self-rescheduling Celery poll runs, where Celery runs.

    "Where Celery runs" is decided by the Celery app itself (a broker, not
    eager), whatever settings name gave it its broker (the LMS sets
    ``BROKER_URL``). Without celery installed there is nothing to start.
    """
    try:
        from . import tasks  # pylint: disable=import-outside-toplevel
    except ImportError:
        return False
    return tasks.ensure_polling()


def gettext(block):
    """The runtime's translation function (identity if the runtime has no i18n service)."""
    service = block.runtime.service(block, "i18n")
    return service.gettext if service is not None else (lambda text: text)
