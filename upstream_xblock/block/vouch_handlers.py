"""Mentors vouch for a learner's contribution; course staff withdraw that, with a reason.

``vouch`` (mentors and staff) and ``revoke_vouch`` (staff only) refuse
everyone else with 403 ``forbidden`` before reading the request. Both act on
another learner's records: the learner (``learner_id``, the ``learner.id`` of
a ``progress`` row) must have registered something in this block. The award
such an act makes is published for that learner in the background path (the
mentor's own request must not carry the learner's grade events), and never
from Studio's preview, which shows draft rules.
"""

import functools

from django.utils import timezone
from xblock.core import XBlock

from .. import platform
from ..forges import forges_for
from ..tracking.schedule import schedule_for
from ..models import TrackedContribution
from ..i18n import gettext_noop as _
from ..tracking import outbox, vouching
from ..tracking.service import ContributionTracker, TrackingError
from ..tracking.vouch_request import MAX_REASON, clean_text, parse_vouch
from .guards import mentors_only, staff_only
from .mentor_handlers import _learner_of
from .presenters import contribution_json


def refusing_studio_preview(method):
    """Refuse Studio's preview, which shows draft rules."""

    @functools.wraps(method)
    def wrapper(self, data):
        if platform.in_studio_preview(self):
            raise TrackingError("preview", _("Studio's preview shows draft rules: accept "
                                             "contributions in the course itself."), status=403)
        return method(self, data)

    return wrapper


class VouchHandlersMixin:
    """``vouch`` and ``revoke_vouch``."""

    @XBlock.handler
    @mentors_only
    @refusing_studio_preview
    def vouch(self, data):
        """``{"learner_id", "reason", "url"?, "description"?}`` → the accepted contribution."""
        learner = _learner_of(self, data)
        request = parse_vouch(data)
        tracker = self._tracker_of(learner)
        row, _rows, award = vouching.vouch(tracker, request, platform.learner_id(self),
                                           timezone.now())
        return {"learner_id": learner, "completed": award is not None,
                "contribution": contribution_json(row, platform.gettext(self), timezone.now())}

    @XBlock.handler
    @staff_only
    @refusing_studio_preview
    def revoke_vouch(self, data):
        """``{"learner_id", "url", "reason"}``: course staff withdraw a mentor's acceptance."""
        learner = _learner_of(self, data)
        url = clean_text(data.get("url"), "url", 500)
        reason = clean_text(data.get("reason"), "reason", MAX_REASON)
        now = timezone.now()
        revocation, award = vouching.withdraw(self._tracker_of(learner), url,
                                              platform.learner_id(self), reason, now)
        if revocation is not None:
            # The grade the award published is reset now, or by the next sweep if this fails.
            outbox.reset(revocation, platform.reset_published, now)
        return {"learner_id": learner, "withdrawn": True, "completed": award is not None,
                "award_revoked": revocation is not None}

    def _tracker_of(self, learner):
        """The tracker of another learner of this block, with this block's rules."""
        usage = platform.usage_key(self)
        anonymous = TrackedContribution.objects.filter(
            usage_key=usage, learner_id=learner).exclude(anonymous_id="").values_list(
            "anonymous_id", flat=True).first() or ""
        bucket = platform.settings_bucket(self)
        return ContributionTracker(self._context(learner, anonymous), forges_for(bucket),
                                   schedule_for(bucket),
                                   publisher=platform.publish_award_in_background)
