"""Handlers for a role: everyone else (signed-out visitors included) gets 403 ``forbidden``.

The role is checked before the request is read, so that someone refused
learns nothing, not even whether their request was well formed.
"""

import functools

from .. import platform
from ..i18n import gettext_noop as _
from ..staff import audit
from ..tracking.service import TrackingError
from .json_api import _error, json_api
from .roles import is_mentor


def refusing_all_but(allowed, message):
    """``json_api`` for the users ``allowed(block)`` accepts."""

    def decorate(method):
        api = json_api(method)

        @functools.wraps(method)
        def wrapper(self, request, suffix=""):
            if not allowed(self):
                return _error(self, TrackingError("forbidden", message, status=403))
            return api(self, request, suffix)

        wrapper.json_api = True  # a JSON handler like any other (the hostile-input tests)
        return wrapper

    return decorate


def actor(block):
    """Who acts, for the audit trail: the real user, even while masquerading as a learner."""
    return audit.Actor(*platform.acting_user(block))


def _is_signed_in_staff(block):
    # Staff actions change grades: never from Studio's preview, which shows drafts.
    return bool(platform.learner_id(block)) and platform.is_staff(block) \
        and not platform.in_studio_preview(block)


mentors_only = refusing_all_but(
    is_mentor, _("Only this activity's mentors and course staff can do this."))
staff_only = refusing_all_but(_is_signed_in_staff, _("Only course staff can do this."))
