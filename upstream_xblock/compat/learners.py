"""Other learners' data: user names in queries, their block state, their ids, their linked accounts.

Functions take the block's usage key (a string), never a block: staff work and
tasks have no block at hand. Accounts linked through Open edX's third-party
auth (python-social-auth) are read here too.
"""

import json


def _lms_learners():
    """Learner ids are auth_user ids and block state is StudentModule (LMS and Studio)."""
    from django.apps import apps
    return apps.is_installed("lms.djangoapps.courseware")

def username_expression():
    """A query expression giving a registry row's learner's user name, in the same query.

    In the LMS a correlated subquery on auth_user (learner ids are its ids), so
    that a page of the progress table sorts and searches by user name without
    one query per learner; in the workbench the learner id is the user name.
    """
    from django.db.models import F
    return auth_username_expression() if _lms_learners() else F("learner_id")

def auth_username_expression():
    """The user name of a row's ``learner_id`` read as an auth_user id (by primary key)."""
    from django.contrib.auth import get_user_model
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Cast
    users = get_user_model().objects.filter(pk=Cast(OuterRef("learner_id"), IntegerField()))
    return Subquery(users.values("username")[:1])

def _workbench_key(usage, learner, field_name):
    from xblock.fields import Scope
    from xblock.runtime import KeyValueStore
    return KeyValueStore.Key(scope=Scope.user_state, user_id=learner, block_scope_id=usage,
                             field_name=field_name)

def learner_states(usage, learner_ids, field_name):
    """{learner id: value} of one ``Scope.user_state`` field for many learners, in one query.

    Learners without a stored value are absent.
    """
    usage, wanted = str(usage), [str(i) for i in learner_ids]
    if not wanted:
        return {}
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

def read_learner_state(usage, learner, field_name, default=None):
    """One ``Scope.user_state`` field of another learner's state of the block ``usage``."""
    return learner_states(usage, [learner], field_name).get(str(learner), default)

def write_learner_state(usage, learner, field_name, value):
    """Write one ``Scope.user_state`` field of another learner's state of the block ``usage``.

    In the LMS through the platform's user state client (StudentModule, keyed
    by user name); in the workbench through its key-value store. Call it in a
    transaction that serializes writers (the store holds a row lock).
    """
    usage = str(usage)
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

def learner_ids_of_usernames(usernames):
    """{user name: learner id} (one query in the LMS; the workbench's ids are its names)."""
    names = {str(name) for name in usernames if name}
    if not _lms_learners():
        return {name: name for name in names}
    from django.contrib.auth import get_user_model
    return {name: str(pk) for pk, name in get_user_model().objects.filter(
        username__in=names).values_list("pk", "username")}

def learner_of_anonymous_id(anonymous_id):
    """The user id (as a string) behind a course-specific anonymous id, or '' if unknown."""
    try:
        from common.djangoapps.student.models import user_by_anonymous_id
    except ImportError:
        return ""
    user = user_by_anonymous_id(anonymous_id)
    return str(user.pk) if user is not None else ""


def linked_forge_accounts(learner_id, providers):
    """The learner's accounts linked through third-party auth (python-social-auth).

    [{"provider", "uid", "username"}] for the given backend names; [] where the
    site has no third-party auth (the workbench) or the learner id is not a user id.
    """
    from django.apps import apps
    if not apps.is_installed("social_django") or not str(learner_id).isdigit():
        return []
    from social_django.models import UserSocialAuth
    links = UserSocialAuth.objects.filter(user_id=int(learner_id), provider__in=providers)
    return [{"provider": link.provider, "uid": str(link.uid),
             "username": str((link.extra_data or {}).get("login")
                             or (link.extra_data or {}).get("username") or "")[:100]}
            for link in links]

def has_third_party_auth():
    """Can learners have linked forge accounts here (python-social-auth installed)?"""
    from django.apps import apps
    return apps.is_installed("social_django")


# -- a notice's recipient (tracking/notices.py) ----------------------------------------
# In the LMS a learner id is an auth_user id, the language is the account's language
# preference (``openedx.core.djangoapps.user_api.preferences.api``, the ``pref-lang`` key
# of ``openedx.core.djangoapps.lang_pref``, as the LMS's own ACE emails read it), and the
# unit's address is LMS_ROOT_URL + /courses/<course>/jump_to/<usage>. In the workbench a
# learner id is a user name.

def _language_of(user):
    if not _lms_learners():
        return None
    from openedx.core.djangoapps.lang_pref import LANGUAGE_KEY
    from openedx.core.djangoapps.user_api.preferences.api import get_user_preference
    return get_user_preference(user, LANGUAGE_KEY)


def recipient_of(user_id):
    """{"id", "email", "username", "language"} of the user ``user_id``, or None (no address)."""
    from django.contrib.auth import get_user_model
    users = get_user_model().objects
    text = str(user_id)
    if _lms_learners():
        user = users.filter(pk=int(text)).first() if text.isdigit() else None
    else:
        user = users.filter(username=text).first()
    if user is None and not _lms_learners():
        return _demo_recipient(text)
    if user is None or not user.email or not user.is_active:
        return None
    return {"id": user.pk, "email": user.email, "username": user.username,
            "language": _language_of(user)}


def _demo_recipient(student_id):
    """The workbench demo's learners have no accounts: <id>@<the demo's domain>, if set."""
    from django.conf import settings
    domain = getattr(settings, "UPSTREAM_XBLOCK_DEMO_EMAIL_DOMAIN", "")
    if not domain or not student_id.replace("_", "").replace("-", "").isalnum():
        return None
    return {"id": student_id, "email": f"{student_id}@{domain}", "username": student_id,
            "language": None}


def unit_address(usage_key):
    """The unit's absolute address for an email (LMS_ROOT_URL + its ``jump_to``), or "" outside
    the LMS."""
    from django.conf import settings

    from .course import unit_url
    root = getattr(settings, "LMS_ROOT_URL", "") if _lms_learners() else ""
    path = unit_url(usage_key) if root and usage_key else None
    return f"{root.rstrip('/')}{path}" if path else ""


def platform_name():
    from django.conf import settings
    return getattr(settings, "PLATFORM_NAME", "") or "Open edX"
