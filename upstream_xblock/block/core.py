"""The block class: its fields and the plumbing every role's views and handlers use.

The views and handlers themselves live in one mixin per role (see the package).
"""

from dataclasses import replace

from django.utils import timezone
from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, Float, Integer, List, Scope, String
from xblock.utils.studio_editable import StudioEditableXBlockMixin

from .. import platform
from ..config import forges_for, schedule_for
from ..identity import api as identity_api
from ..ownership import ownership_code
from ..policy import gettext_noop as _  # marks text for catalogs; the runtime translates it
from ..tracking import block_config
from ..tracking.service import BlockContext, ContributionTracker
from .identity_handlers import IdentityHandlersMixin
from .learner_handlers import LearnerHandlersMixin
from .learner_view import LearnerViewMixin
from .presenters import status_json
from .rules_fields import RULE_FIELDS, AcceptanceRulesMixin
from .scenarios import workbench_scenarios
from .staff_handlers import StaffHandlersMixin
from .studio import StudioMixin


MAX_REQUIRED = 10


@XBlock.needs("i18n")
@XBlock.wants("settings", "user")
class UpstreamContributionBlock(LearnerViewMixin, LearnerHandlersMixin, IdentityHandlersMixin,
                                StaffHandlersMixin, StudioMixin, AcceptanceRulesMixin,
                                StudioEditableXBlockMixin,
                                CompletableXBlockMixin, XBlock):
    """A learner registers a contribution; the unit completes when it is accepted upstream."""

    block_settings_key = platform.SETTINGS_BUCKET
    has_score = True
    icon_class = "problem"

    display_name = String(display_name=_("Display name"), scope=Scope.settings,
                          default=_("Upstream contribution"),
                          help=_("The name learners see in the course navigation."))
    instructions = String(
        display_name=_("Instructions"), scope=Scope.settings, multiline_editor=True,
        default=_("Contribute to a free software project, then register the address of your "
                  "pull request, merge request or change here. This activity is complete when "
                  "the project accepts it."),
        help=_("What learners should do. Plain text."))
    weight = Float(display_name=_("Points"), scope=Scope.settings, default=1.0,
                   values={"min": 0, "step": 0.5},
                   help=_("How many points this activity is worth in the course grade."))
    required_count = Integer(
        display_name=_("Accepted contributions required"), scope=Scope.settings, default=1,
        values={"min": 1, "max": MAX_REQUIRED, "step": 1},
        help=_("How many of the learner's contributions must be accepted to complete "
               "this activity (1 to 10)."))
    accepted_hosts = List(
        display_name=_("Accepted forges"), scope=Scope.settings, default=[],
        help=_("Hosts this activity accepts (for example github.com, gitlab.com, "
               "review.opendev.org). Empty: every forge this site is configured for."))
    trust_typed_usernames = Boolean(
        display_name=_("Trust typed user names"), scope=Scope.settings, default=False,
        help=_("Risky: when on, a learner who types a forge user name is taken at their word, "
               "so anyone can claim someone else's contribution by typing that person's name. "
               "Off (recommended): the author must be a forge account the learner verified "
               "(signing in on the forge, a linked account, a code posted on the "
               "contribution, or a mentor vouching)."))
    earned_score = Float(scope=Scope.user_state, default=None,
                         help="The score awarded (0..1), also when awarded in the background")
    forge_usernames = Dict(scope=Scope.preferences, default={},
                           help="The learner's user name on each forge host, remembered "
                                "across blocks")

    editable_fields = ("display_name", "instructions", "weight", "required_count",
                       "accepted_hosts", *RULE_FIELDS, "trust_typed_usernames")

    workbench_scenarios = staticmethod(workbench_scenarios)

    # -- plumbing -----------------------------------------------------------
    def max_score(self):
        # Raw points; the LMS scales them to ``weight`` ("Points") itself.
        return 1.0

    def rules(self, course_start=None):
        return replace(super().rules(course_start),
                       trust_typed_usernames=bool(self.trust_typed_usernames))

    def _context(self):
        usage, learner = platform.usage_key(self), platform.learner_id(self)
        return BlockContext(
            usage_key=usage, learner_id=learner, course_key=platform.course_key(self),
            anonymous_id=platform.anonymous_id(self), required_count=self.required_count,
            accepted_hosts=tuple(self.accepted_hosts or ()),
            rules=self.rules(course_start=platform.course_start(self)),
            ownership_code=ownership_code(usage, learner),
            verified_accounts=identity_api.accounts_of(learner))

    def _tracker(self):
        bucket = platform.settings_bucket(self)
        context = self._context()
        block_config.remember(context)
        return ContributionTracker(context, forges_for(bucket), schedule_for(bucket),
                                   publisher=lambda award: platform.publish_award(self, award))

    def _status(self, tracker, rows, award):
        status = status_json(rows, award, self.required_count, tracker.next_poll_in_s(rows),
                             platform.gettext(self), timezone.now())
        if self.require_ownership_code:
            status["ownership_code"] = tracker.context.ownership_code
        return status
