"""Everything that differs between the LMS/Studio and the xblock-sdk workbench.

This is the only module allowed to import Open edX code (``lms.*``,
``common.*``, ``xmodule.*``, ``completion``, ``submissions``, ``social_django``), and only
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


def username(block):
    """The current user's name: the LMS user service's, else (the workbench) the student id."""
    user = _current_user(block)
    name = user.opt_attrs.get("edx-platform.username") if user else None
    return str(name) if name else learner_id(block)


def _lms_learners():
    """Learner ids are auth_user ids and block state is StudentModule (LMS and Studio)."""
    from django.apps import apps  # pylint: disable=import-outside-toplevel
    return apps.is_installed("lms.djangoapps.courseware")


def username_expression():
    """A query expression giving a registry row's learner's user name, in the same query.

    In the LMS a correlated subquery on auth_user (learner ids are its ids), so
    that a page of the progress table sorts and searches by user name without
    one query per learner; in the workbench the learner id is the user name.
    """
    from django.db.models import F  # pylint: disable=import-outside-toplevel
    return auth_username_expression() if _lms_learners() else F("learner_id")


def auth_username_expression():
    """The user name of a row's ``learner_id`` read as an auth_user id (by primary key)."""
    # pylint: disable=import-outside-toplevel
    from django.contrib.auth import get_user_model
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Cast
    users = get_user_model().objects.filter(pk=Cast(OuterRef("learner_id"), IntegerField()))
    return Subquery(users.values("username")[:1])


def _workbench_key(usage, learner, field_name):
    # pylint: disable=import-outside-toplevel
    from xblock.fields import Scope
    from xblock.runtime import KeyValueStore
    return KeyValueStore.Key(scope=Scope.user_state, user_id=learner, block_scope_id=usage,
                             field_name=field_name)


def learner_states(block, learner_ids, field_name):
    """{learner id: value} of one ``Scope.user_state`` field for many learners, in one query.

    Learners without a stored value are absent.
    """
    usage, wanted = usage_key(block), [str(i) for i in learner_ids]
    if not wanted:
        return {}
    # pylint: disable=import-outside-toplevel
    if _lms_learners():
        from lms.djangoapps.courseware.models import StudentModule
        from opaque_keys.edx.keys import UsageKey
        key = UsageKey.from_string(usage)
        rows = StudentModule.objects.filter(
            course_id=key.course_key, module_state_key=key,
            student_id__in=[int(i) for i in wanted if i.isdigit()]).values_list("student_id",
                                                                                 "state")
    else:
        from workbench.models import XBlockState
        rows = XBlockState.objects.filter(scope="usage", scope_id=usage,
                                          user_id__in=wanted).values_list("user_id", "state")
    states = {}
    for learner, state in rows:
        try:
            value = json.loads(state or "{}").get(field_name)
        except (ValueError, AttributeError):
            continue
        if value is not None:
            states[str(learner)] = value
    return states


def read_learner_state(block, learner, field_name, default=None):
    """One ``Scope.user_state`` field of another learner's state of this block."""
    return learner_states(block, [learner], field_name).get(str(learner), default)


def write_learner_state(block, learner, field_name, value):
    """Write one ``Scope.user_state`` field of another learner's state of this block.

    In the LMS through the platform's user state client (StudentModule, keyed
    by user name); in the workbench through its key-value store. Call it in a
    transaction that serializes writers (the store holds a row lock).
    """
    usage = usage_key(block)
    # pylint: disable=import-outside-toplevel
    if _lms_learners():
        from django.contrib.auth import get_user_model
        from lms.djangoapps.courseware.user_state_client import DjangoXBlockUserStateClient
        from opaque_keys.edx.keys import UsageKey
        user = get_user_model().objects.get(pk=int(learner))
        # Given the user, the client does not look them up again by name.
        DjangoXBlockUserStateClient(user).set(user.username, UsageKey.from_string(usage),
                                              {field_name: value})
        return
    from workbench.runtime import WORKBENCH_KVS
    WORKBENCH_KVS.set(_workbench_key(usage, str(learner), field_name), value)


# -- where a request stands ------------------------------------------------------------

def in_studio_preview(block):
    """Studio renders the block for its author (the preview runtime sets ``is_author_mode``)."""
    return bool(getattr(block.runtime, "is_author_mode", False))


def _in_lms_preview():
    """The LMS's preview site, which shows draft content to course staff."""
    try:
        # pylint: disable-next=import-outside-toplevel
        from lms.djangoapps.courseware.access_utils import in_preview_mode
    except ImportError:
        return False
    try:
        return bool(in_preview_mode())
    except Exception:  # pylint: disable=broad-except
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
        # pylint: disable-next=import-outside-toplevel
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


# -- the grade path -----------------------------------------------------------------------

def _in_the_lms():
    from django.apps import apps  # pylint: disable=import-outside-toplevel
    return apps.is_installed("submissions") and apps.is_installed("completion")


def published_points(points):
    """The points edx-submissions can hold: whole numbers (it stores them as integers)."""
    return max(int(round(points or 0)), 0)


def publish_award(award, block=None):
    """Hand one award to the platform: the one grade path, in a request or in the background.

    Returns False when this request may not publish (Studio or LMS preview,
    masquerade): nothing is written and the award stays in the outbox. Raises
    if the platform failed; what was written before the failure is marked on
    ``award`` (``score_published``, ``completion_published``) so a retry does
    not write it twice.

    In the LMS: the score in edx-submissions (keyed by the learner's anonymous
    id; the LMS reads it as already weighted, so it is score × points out of
    points), then completion where completion tracking is on. A block with 0
    points publishes completion only. In the workbench: the learner's block state.
    """
    if block is not None and publishing_blocked(block):
        return False
    if _in_the_lms():
        _lms_publish(award)
    else:
        _workbench_publish(award, block)
    return True


def publish_award_in_background(award):
    """The same grade path for a learner who is not there (sweeps, tasks, outbox retries)."""
    return publish_award(award)


def _student_item(award, anonymous):
    return {"student_id": anonymous, "course_id": award.course_key,
            "item_id": award.usage_key, "item_type": "upstream_contribution"}


def _lms_publish(award):
    # pylint: disable=import-outside-toplevel
    from submissions import api as submissions_api
    points = published_points(award.points)
    if points and not award.score_published:
        anonymous = _anonymous_id_of(award)
        submission = submissions_api.create_submission(
            _student_item(award, anonymous), {"contributions": list(award.contributions)})
        submissions_api.set_score(submission["uuid"], int(round(award.score * points)), points)
        award.score_published = True
    if not award.completion_published and _completion_tracking_on():
        _submit_completion(award, 1.0)
        award.completion_published = True


def _completion_tracking_on():
    # pylint: disable-next=import-outside-toplevel
    from completion.waffle import ENABLE_COMPLETION_TRACKING_SWITCH
    return ENABLE_COMPLETION_TRACKING_SWITCH.is_enabled()


def _submit_completion(award, value):
    # pylint: disable=import-outside-toplevel
    from completion.models import BlockCompletion
    from opaque_keys.edx.keys import UsageKey
    BlockCompletion.objects.submit_completion(
        user=_user_of(award), block_key=UsageKey.from_string(award.usage_key), completion=value)


def _user_of(award):
    from django.contrib.auth import get_user_model  # pylint: disable=import-outside-toplevel
    return get_user_model().objects.get(pk=int(award.learner_id))


def _anonymous_id_of(award):
    """The learner's anonymous id in the course (stored at registration; else the LMS's)."""
    if award.anonymous_id:
        return award.anonymous_id
    # pylint: disable=import-outside-toplevel
    from common.djangoapps.student.models import anonymous_id_for_user
    from opaque_keys.edx.keys import CourseKey
    return anonymous_id_for_user(_user_of(award), CourseKey.from_string(award.course_key))


def _workbench_publish(award, block):
    """The workbench keeps no grades: the learner's block state carries the score."""
    if block is None:
        block = _workbench_block(award)
        block.earned_score = award.score
        block.save()
    else:
        block.earned_score = award.score
        # The workbench runtime's own events (raw score, scaled by the runtime like the LMS's).
        block.runtime.publish(block, "grade", {"value": award.score, "max_value": 1.0})
        block.runtime.publish(block, "completion", {"completion": 1.0})
    award.score_published = True


def _workbench_block(award):
    # pylint: disable=import-outside-toplevel
    from workbench.runtime import WorkbenchRuntime
    from workbench.scenarios import get_scenarios
    get_scenarios()  # the workbench maps usage ids to blocks in memory, per process
    return WorkbenchRuntime(award.learner_id).get_block(award.usage_key)


def reset_published(revocation):
    """Undo exactly what an award published (``reset_score``, ``reset_completion``).

    In the LMS: edx-submissions' reset score and a completion of 0; in the
    workbench: the learner's block state. Raises if the platform failed.
    """
    if _in_the_lms():
        if revocation.reset_score:
            from submissions import api as submissions_api  # pylint: disable=C0415
            submissions_api.reset_score(_anonymous_id_of(revocation), revocation.course_key,
                                        revocation.usage_key)
        if revocation.reset_completion and _completion_tracking_on():
            _submit_completion(revocation, 0.0)
    elif revocation.reset_score:
        block = _workbench_block(revocation)
        block.earned_score = None
        block.save()


def learner_ids_of_usernames(usernames):
    """{user name: learner id} (one query in the LMS; the workbench's ids are its names)."""
    names = {str(name) for name in usernames if name}
    if not _lms_learners():
        return {name: name for name in names}
    from django.contrib.auth import get_user_model  # pylint: disable=import-outside-toplevel
    return {name: str(pk) for pk, name in get_user_model().objects.filter(
        username__in=names).values_list("pk", "username")}


def learner_of_anonymous_id(anonymous_id):
    """The user id (as a string) behind a course-specific anonymous id, or '' if unknown."""
    try:
        # pylint: disable-next=import-outside-toplevel
        from common.djangoapps.student.models import user_by_anonymous_id
    except ImportError:
        return ""
    user = user_by_anonymous_id(anonymous_id)
    return str(user.pk) if user is not None else ""


# -- rules of the published course --------------------------------------------------------

def connect_course_published(receiver):
    """Call ``receiver(course_key)`` when Studio publishes a course (Studio only)."""
    try:
        # pylint: disable-next=import-outside-toplevel
        from xmodule.modulestore.django import SignalHandler
    except ImportError:
        return False

    def on_course_published(sender, course_key, **kwargs):  # pylint: disable=unused-argument
        receiver(course_key)

    SignalHandler.course_published.connect(on_course_published, weak=False,
                                           dispatch_uid="upstream_xblock.course_published")
    return True


def published_blocks(course_key, block_type):
    """The published version of every block of ``block_type`` in a course."""
    # pylint: disable=import-outside-toplevel
    from xmodule.modulestore import ModuleStoreEnum
    from xmodule.modulestore.django import modulestore
    store = modulestore()
    with store.branch_setting(ModuleStoreEnum.Branch.published_only, course_key):
        return list(store.get_items(course_key, qualifiers={"category": block_type}))


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


def linked_forge_accounts(learner_id, providers):
    """The learner's accounts linked through third-party auth (python-social-auth).

    [{"provider", "uid", "username"}] for the given backend names; [] where the
    site has no third-party auth (the workbench) or the learner id is not a user id.
    """
    from django.apps import apps  # pylint: disable=import-outside-toplevel
    if not apps.is_installed("social_django") or not str(learner_id).isdigit():
        return []
    from social_django.models import UserSocialAuth  # pylint: disable=import-outside-toplevel
    links = UserSocialAuth.objects.filter(user_id=int(learner_id), provider__in=providers)
    return [{"provider": link.provider, "uid": str(link.uid),
             "username": str((link.extra_data or {}).get("login")
                             or (link.extra_data or {}).get("username") or "")[:100]}
            for link in links]


def has_third_party_auth():
    """Can learners have linked forge accounts here (python-social-auth installed)?"""
    from django.apps import apps  # pylint: disable=import-outside-toplevel
    return apps.is_installed("social_django")


def request_is_by_learner(request, learner_id):
    """Is this plain Django request (not a block handler) made by ``learner_id``?

    In the LMS a learner id is a user id and the request must be signed in as
    that user. The workbench has no sign-in (its learners are named by
    ``?student=``): there, a request signed in as nobody is taken as the learner's.
    """
    from django.apps import apps  # pylint: disable=import-outside-toplevel
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return str(user.pk) == str(learner_id)
    return not (apps.is_installed("lms.djangoapps.courseware") or str(learner_id).isdigit())
