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
from ..annotations.notes import for_learner as annotations_for_learner
from ..forges import forges_for
from ..tracking.schedule import schedule_for
from ..identity import api as identity_api
from ..ownership import ownership_code
from ..i18n import gettext_noop as _  # marks text for catalogs; the runtime translates it
from ..tracking import block_config
from ..tracking.service import BlockContext, ContributionTracker, TrackingError
from . import clamps
from .author_view import AuthorViewMixin
from .instructor_tools import InstructorToolsMixin
from .identity_handlers import IdentityHandlersMixin
from .learner_handlers import LearnerHandlersMixin
from .learner_view import LearnerViewMixin
from .mentor_handlers import MentorHandlersMixin
from .mentor_view import MentorViewMixin
from .presenters import status_json
from .rules_fields import RULE_FIELDS, AcceptanceRulesMixin
from .scenarios import workbench_scenarios
from .staff_handlers import StaffHandlersMixin
from .studio import StudioMixin
from .vouch_handlers import VouchHandlersMixin

MAX_REQUIRED = clamps.MAX_REQUIRED


# "publish": the LMS's event service, whose user tells a masquerading staff member apart.
@XBlock.needs("i18n")
@XBlock.wants("settings", "user", "publish")
class UpstreamContributionBlock(AuthorViewMixin, MentorViewMixin, LearnerViewMixin,
                                LearnerHandlersMixin, IdentityHandlersMixin, MentorHandlersMixin,
                                StaffHandlersMixin, VouchHandlersMixin, InstructorToolsMixin,
                                StudioMixin,
                                AcceptanceRulesMixin, StudioEditableXBlockMixin,
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
                   values={"min": 0, "step": 1},
                   help=_("How many points this activity is worth in the course grade (a whole "
                          "number; 0: it counts for completion only)."))
    required_count = Integer(
        display_name=_("Accepted contributions required"), scope=Scope.settings, default=1,
        values={"min": 1, "max": MAX_REQUIRED, "step": 1},
        help=_("How many of the learner's contributions must be accepted to complete "
               "this activity (1 to 10)."))
    accepted_hosts = List(
        display_name=_("Accepted forges"), scope=Scope.settings, default=[],
        help=_("Hosts this activity accepts (for example github.com, gitlab.com, "
               "review.opendev.org). Empty: every forge this site is configured for."))
    mentors = List(
        display_name=_("Mentors"), scope=Scope.settings, default=[],
        help=_('User names of this activity\'s mentors, e.g. ["mia", "noah"]. They see every '
               "learner's progress and annotate it. Course staff are always mentors."))
    annotations = List(scope=Scope.user_state, default=[],
                       help="Mentors' annotations on this learner's work (written for the "
                            "learner by mentors, through the platform)")
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
                       "accepted_hosts", *RULE_FIELDS, "trust_typed_usernames", "mentors")

    workbench_scenarios = staticmethod(workbench_scenarios)

    def __repr__(self):
        # XBlock's repr prints every field, the learner's annotations included (some are
        # mentors-only), and the workbench shows it in the learner's page: name the block only.
        return f"<{type(self).__name__} {self.scope_ids.usage_id}>"

    # -- plumbing -----------------------------------------------------------
    def max_score(self):
        # Raw points; the LMS scales them to ``weight`` ("Points") itself.
        return 1.0

    def points(self):
        """The block's weight, clamped (an imported value may be anything)."""
        return clamps.points(self.weight)

    def rules(self, course_start=None):
        return replace(super().rules(course_start),
                       trust_typed_usernames=bool(self.trust_typed_usernames))

    def _context(self, learner=None, anonymous_id=""):
        """The block's context for ``learner`` (with their ``anonymous_id`` in the course);
        by default for the user the block is bound to."""
        if learner is None:
            learner, anonymous_id = platform.learner_id(self), platform.anonymous_id(self)
        usage = platform.usage_key(self)
        return BlockContext(
            usage_key=usage, learner_id=learner, course_key=platform.course_key(self),
            anonymous_id=anonymous_id,
            required_count=clamps.required_count(self.required_count),
            accepted_hosts=tuple(h.lower() for h in clamps.string_tuple(self.accepted_hosts)),
            rules=self.rules(course_start=platform.course_start(self)),
            ownership_code=ownership_code(usage, learner), points=self.points(),
            verified_accounts=identity_api.accounts_of(learner))

    def _tracker(self):
        """The learner's tracker; refused in Studio's preview, which must change nothing."""
        if platform.in_studio_preview(self):
            raise TrackingError("preview", _("This is a preview: register contributions in "
                                             "the course itself."), status=403)
        bucket = platform.settings_bucket(self)
        # A malformed setting is refused before anything is stored.
        forges, schedule = forges_for(bucket), schedule_for(bucket)
        context = self._context()
        if platform.shows_published_content(self):
            block_config.remember(context)  # the sweeps grade with the published rules only
        return ContributionTracker(context, forges, schedule,
                                   publisher=lambda award: platform.publish_award(award, self))

    def _status(self, tracker, rows, award):
        status = status_json(rows, award, tracker.context.required_count,
                             tracker.next_poll_in_s(rows),
                             platform.gettext(self), timezone.now())
        if self.require_ownership_code:
            status["ownership_code"] = tracker.context.ownership_code
        # Only the notes meant for this learner; mentors-only ones never leave the server.
        status["annotations"] = annotations_for_learner(self.annotations, platform.gettext(self))
        return status


BLOCK_TYPE = "upstream_contribution"


def store_published_rules(course_key):
    """Studio published a course: keep each block's published rules for the sweeps."""
    for block in platform.published_blocks(course_key, BLOCK_TYPE):
        block_config.store(platform.usage_key(block), str(course_key),
                           block.rules(course_start=platform.course_start(block)),
                           clamps.required_count(block.required_count), block.points())
