"""The block class: its fields, the one ``student_view``, and the plumbing every role uses.

The views and handlers themselves live in one mixin per role (see the package);
``student_view`` picks the role's view: Studio's preview, the mentors' progress
table (course staff and the block's mentors), or the learner's page.
"""

import json

from django.utils import timezone
from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, Float, Integer, List, Scope, String
from xblock.utils.studio_editable import StudioEditableXBlockMixin

from .. import compat
from ..forges import ConfigurationError, forges_for
from ..i18n import JS_NAMESPACE
from ..i18n import gettext_noop as _
from ..identity import api as identity_api
from ..identity.api import ownership_code
from ..policy import Rules
from ..staff.annotations import for_learner as annotations_for_learner
from ..tracking import block_config, notices
from ..tracking.schedule import schedule_for
from ..tracking.service import BlockContext, ContributionTracker, TrackingError
from . import clamps, learner
from .clamps import MAX_WAITING_DAYS, RULE_FIELDS, bounded_int, parse_date, string_tuple
from .handlers import is_mentor, listed_mentors
from .instructor import InstructorMixin
from .learner import LearnerMixin
from .mentor import MentorMixin
from .presenters import status_json
from .resources import workbench_scenarios
from .staff import StaffMixin
from .studio import StudioMixin
from .vouch import VouchMixin


# "publish": the LMS's event service, whose user tells a masquerading staff member apart.
@XBlock.needs("i18n")
@XBlock.wants("settings", "user", "publish")
class UpstreamContributionBlock(LearnerMixin, MentorMixin, VouchMixin, StaffMixin, StudioMixin,
                                InstructorMixin, StudioEditableXBlockMixin,
                                CompletableXBlockMixin, XBlock):
    """A learner registers a contribution; the unit completes when it is accepted upstream."""

    block_settings_key = compat.SETTINGS_BUCKET
    # OEP-58: the namespace of the pages' JS catalog (block/resources.py); the LMS's
    # compile_xblock_translations wraps the catalogs it builds for this block in it.
    i18n_js_namespace = JS_NAMESPACE
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
        values={"min": 1, "max": clamps.MAX_REQUIRED, "step": 1},
        help=_("How many of the learner's contributions must be accepted to complete "
               "this activity (1 to 10)."))
    accepted_hosts = List(
        display_name=_("Accepted forges"), scope=Scope.settings, default=[],
        help=_("Hosts this activity accepts (for example github.com, gitlab.com, "
               "review.opendev.org). Empty: every forge this site is configured for."))
    mentors = List(
        display_name=_("Mentors"), scope=Scope.settings, default=[],
        help=_("User names of this activity's mentors, one per line (for example mia). They "
               "see every learner's progress, annotate it and can accept a contribution no "
               "forge shows. Course staff are always mentors."))
    mentor_vouches_need_staff = Boolean(
        display_name=_("Mentors' acceptances need course staff"), scope=Scope.settings,
        default=False,
        help=_("When on, a mentor who accepts a contribution no forge shows makes a proposal: "
               "it counts only once course staff confirm it. Course staff's own acceptances "
               "count at once."))
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

    # -- the acceptance rules an author sets (policy.Rules) ----------------------
    count_merged = Boolean(display_name=_("Count merged contributions"), scope=Scope.settings,
                           default=True, help=_("A merged pull/merge request or change counts."))
    count_approved = Boolean(
        display_name=_("Count approved contributions"), scope=Scope.settings, default=False,
        help=_("An open contribution that a reviewer approved counts (GitHub reviews, GitLab "
               "approvals, Gerrit Code-Review, Gitea reviews)."))
    accept_labels = List(
        display_name=_("Labels that count"), scope=Scope.settings, default=[],
        help=_("A contribution with one of these labels (or Gerrit hashtags) counts, for "
               "example hacktoberfest-accepted."))
    count_landed_by_commit = Boolean(
        display_name=_("Count contributions landed by commit"), scope=Scope.settings,
        default=False,
        help=_("A pull request closed because its commits were pushed by hand counts "
               "(GitHub: the close event names a commit)."))
    deny_labels = List(
        display_name=_("Labels that disqualify"), scope=Scope.settings,
        default=["spam", "invalid"],
        help=_("A contribution with one of these labels never counts."))
    require_author = Boolean(
        display_name=_("The learner must be the author"), scope=Scope.settings, default=True,
        help=_("A contribution counts only if its author is one of the learner's verified "
               "forge accounts (signed in on the forge, a linked account, a code posted on "
               "the contribution, or an account a mentor vouched for)."))
    require_ownership_code = Boolean(
        display_name=_("Require an ownership code"), scope=Scope.settings, default=False,
        help=_("Each learner gets a short code to put in the contribution's description."))
    opened_after = String(
        display_name=_("Opened on or after"), scope=Scope.settings, default="",
        help=_("A date (YYYY-MM-DD). Empty: the course start date, when it is known."))
    allowed_repositories = List(
        display_name=_("Repositories that count"), scope=Scope.settings, default=[],
        help=_("Patterns such as github.com/openedx/* (one path segment) or "
               "gitlab.com/mooc-floss/** (any depth). Empty: any repository."))
    denied_repositories = List(
        display_name=_("Repositories that do not count"), scope=Scope.settings, default=[],
        help=_("Patterns, as above, of repositories whose contributions never count."))
    distinct_repositories = Boolean(
        display_name=_("Contributions must be to different repositories"),
        scope=Scope.settings, default=False,
        help=_("Only one contribution per repository counts."))
    waiting_days = Integer(
        display_name=_("Waiting period (days)"), scope=Scope.settings, default=0,
        values={"min": 0, "max": MAX_WAITING_DAYS, "step": 1},
        help=_("A contribution counts only after this many days in the accepted state."))

    # -- what learners see while the upstream takes its time (block/learner.py) ----
    next_step_waiting, next_step_changes_requested, next_step_overdue = \
        learner.next_step_fields()

    editable_fields = ("display_name", "instructions", "weight", "required_count",
                       "accepted_hosts", *RULE_FIELDS, "trust_typed_usernames", "mentors",
                       "mentor_vouches_need_staff", *learner.NEXT_STEP_FIELD_NAMES)

    workbench_scenarios = staticmethod(workbench_scenarios)

    def __repr__(self):
        # XBlock's repr prints every field, the learner's annotations included (some are
        # mentors-only), and the workbench shows it in the learner's page: name the block only.
        return f"<{type(self).__name__} {self.scope_ids.usage_id}>"

    @XBlock.supports("multi_device")  # the mobile apps show it (student_view_multi_device)
    def student_view(self, context=None):
        """The one view the LMS asks for: it picks the viewer's role's view."""
        if compat.in_studio_preview(self):
            return self.author_view(context)
        if is_mentor(self):
            return self.progress_view(context)
        return self.learner_view(context)

    def student_view_data(self, context=None):  # noqa: ARG002  (the Blocks API's signature)
        """The activity's settings for a mobile client (the LMS's Blocks API hands them out):
        JSON, nothing of any learner, no secret (no token, no forge API address, no mentor)."""
        hosts = [h.lower() for h in clamps.string_tuple(self.accepted_hosts)]
        try:
            registry = forges_for(compat.settings_bucket(self)).registry
            forges = [{"host": forge.host, "kind": forge.kind} for forge in registry
                      if not hosts or forge.host in hosts]
        except ConfigurationError:
            forges = []
        gettext = compat.gettext(self)
        return json.loads(json.dumps({  # JSON as the Blocks API serves it (lists, not tuples)
            "display_name": self._default_translated("display_name", gettext),
            "instructions": self._default_translated("instructions", gettext),
            "points": self.points(), "required_count": clamps.required_count(self.required_count),
            "accepted_hosts": hosts, "forges": forges, "rules": self.rules().to_dict(),
        }))

    # -- plumbing -----------------------------------------------------------
    def max_score(self):
        # Raw points; the LMS scales them to ``weight`` ("Points") itself.
        return 1.0

    def points(self):
        """The block's weight, clamped (an imported value may be anything)."""
        return clamps.points(self.weight)

    def rules(self, course_start=None):
        """The Rules these fields make; ``opened_after`` falls back to the course start."""
        try:
            opened_after = parse_date(self.opened_after)
        except (TypeError, ValueError, AttributeError):
            opened_after = None  # Studio refuses bad dates; an imported one is ignored
        return Rules(
            count_merged=bool(self.count_merged), count_approved=bool(self.count_approved),
            accept_labels=string_tuple(self.accept_labels),
            count_landed_by_commit=bool(self.count_landed_by_commit),
            deny_labels=string_tuple(self.deny_labels),
            require_author=bool(self.require_author),
            require_ownership_code=bool(self.require_ownership_code),
            opened_after=opened_after or course_start,
            allowed_repositories=string_tuple(self.allowed_repositories),
            denied_repositories=string_tuple(self.denied_repositories),
            distinct_repositories=bool(self.distinct_repositories),
            waiting_days=bounded_int(self.waiting_days, 0, MAX_WAITING_DAYS, 0),
            trust_typed_usernames=bool(self.trust_typed_usernames),
        )

    def _context(self, learner=None, anonymous_id=""):
        """The block's context for ``learner`` (with their ``anonymous_id`` in the course);
        by default for the user the block is bound to."""
        if learner is None:
            learner, anonymous_id = compat.learner_id(self), compat.anonymous_id(self)
        usage = compat.usage_key(self)
        return BlockContext(
            usage_key=usage, learner_id=learner, course_key=compat.course_key(self),
            anonymous_id=anonymous_id,
            required_count=clamps.required_count(self.required_count),
            accepted_hosts=tuple(h.lower() for h in clamps.string_tuple(self.accepted_hosts)),
            rules=self.rules(course_start=compat.course_start(self)),
            ownership_code=ownership_code(usage, learner), points=self.points(),
            verified_accounts=identity_api.accounts_of(learner))

    def _tracker(self):
        """The learner's tracker; refused in Studio's preview, which must change nothing."""
        if compat.in_studio_preview(self):
            raise TrackingError("preview", _("This is a preview: register contributions in "
                                             "the course itself."), status=403)
        bucket = compat.settings_bucket(self)
        # A malformed setting is refused before anything is stored.
        forges, schedule = forges_for(bucket), schedule_for(bucket)
        context = self._context()
        if compat.shows_published_content(self):
            # The sweeps grade with the published rules only; the workspace names the activity.
            block_config.remember(context, display_name=self.display_name,
                                  mentors=sorted(listed_mentors(self)))
        return ContributionTracker(context, forges, schedule,
                                   publisher=lambda award: compat.publish_award(award, self))

    def _status(self, tracker, rows, award):
        status = status_json(rows, award, tracker.context.required_count,
                             tracker.next_poll_in_s(rows),
                             compat.gettext(self), timezone.now())
        learner.add_upstream(status["contributions"], rows, self, compat.gettext(self),
                               timezone.now())
        status["emails"] = notices.emails_on(tracker.context.learner_id)
        if self.require_ownership_code:
            status["ownership_code"] = tracker.context.ownership_code
        # Only the notes meant for this learner; mentors-only ones never leave the server.
        status["annotations"] = annotations_for_learner(self.annotations, compat.gettext(self))
        return status


BLOCK_TYPE = "upstream_contribution"


def store_published_rules(course_key):
    """Studio published a course: keep each block's published rules for the sweeps."""
    for block in compat.published_blocks(course_key, BLOCK_TYPE):
        block_config.store(compat.usage_key(block), str(course_key),
                           block.rules(course_start=compat.course_start(block)),
                           clamps.required_count(block.required_count), block.points(),
                           display_name=block.display_name,
                           mentors=sorted(listed_mentors(block)))
        notices.store_next_steps(compat.usage_key(block), learner.texts_of(block))
