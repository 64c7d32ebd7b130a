"""Who a notice goes to, in which language, and where the unit is: the LMS's, else Django's.

In the LMS a learner id is an ``auth_user`` id, the language is the account's
language preference (``openedx.core.djangoapps.user_api.preferences.api``, the
``pref-lang`` key of ``openedx.core.djangoapps.lang_pref``, as the LMS's own ACE
emails read it), and the unit's address is ``LMS_ROOT_URL`` + ``/courses/<course>/
jump_to/<usage>``. In the workbench a learner id is a user name.
"""


def _lms():
    from django.apps import apps
    return apps.is_installed("lms.djangoapps.courseware")


def _language_of(user):
    if not _lms():
        return None
    from openedx.core.djangoapps.lang_pref import LANGUAGE_KEY
    from openedx.core.djangoapps.user_api.preferences.api import get_user_preference
    return get_user_preference(user, LANGUAGE_KEY)


def recipient_of(user_id):
    """{"id", "email", "username", "language"} of the user ``user_id``, or None (no address)."""
    from django.contrib.auth import get_user_model
    users = get_user_model().objects
    text = str(user_id)
    if _lms():
        user = users.filter(pk=int(text)).first() if text.isdigit() else None
    else:
        user = users.filter(username=text).first()
    if user is None and not _lms():
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


def unit_url(course_key, usage_key):
    """The learner's way back to the unit (the LMS's ``jump_to``), or "" outside the LMS."""
    from django.conf import settings
    root = getattr(settings, "LMS_ROOT_URL", "") if _lms() else ""
    if not (root and course_key and usage_key):
        return ""
    from urllib.parse import quote
    return f"{root.rstrip('/')}/courses/{quote(course_key, safe=':+@')}/jump_to/" \
           f"{quote(usage_key, safe=':+@')}"


def platform_name():
    from django.conf import settings
    return getattr(settings, "PLATFORM_NAME", "") or "Open edX"
