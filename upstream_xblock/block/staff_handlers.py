"""Handlers for course staff (mentors join them with the mentors' issue)."""

from django.utils import timezone
from xblock.core import XBlock

from .. import platform
from ..policy import gettext_noop as _
from ..tracking import outbox
from ..tracking.awards import NoAward, revoke_award
from ..tracking.service import TrackingError
from .guards import staff_only


class StaffHandlersMixin:
    """Handlers only course staff may call (403 ``forbidden`` for everyone else)."""

    @XBlock.handler
    @staff_only
    def revoke(self, data):
        """Course staff take a learner's award back, with a reason that is recorded."""
        learner, reason = data.get("learner_id"), data.get("reason")
        if not isinstance(learner, str) or not learner or not isinstance(reason, str) \
                or not reason.strip():
            raise TrackingError("bad_request", _("Give the learner and a reason."))
        try:
            revocation = revoke_award(platform.usage_key(self), learner,
                                       platform.learner_id(self), reason.strip(),
                                       timezone.now())[0]
        except NoAward:
            raise TrackingError("not_awarded", _("This learner has no award here."),
                                status=404) from None
        # The grade the award published is reset now, or by the next sweep if this fails.
        outbox.reset(revocation, platform.reset_published, timezone.now())
        return {"revoked": True, "learner_id": learner,
                "revoked_at": revocation.revoked_at.isoformat()}
