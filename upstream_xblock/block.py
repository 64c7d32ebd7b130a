"""The XBlock: fields, views and JSON handlers. It stays thin.

Requests become calls on the tracking layer; results become JSON or HTML.
It never talks to a forge itself.
"""

import hashlib
import json

from django.utils import timezone
from web_fragments.fragment import Fragment
from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.fields import Dict, Float, Integer, List, Scope, String
from xblock.utils.studio_editable import StudioEditableXBlockMixin

from . import platform
from .config import forges_for, schedule_for
from .forges import ConfigurationError
from .handlers import json_api
from .ownership import ownership_code
from .policy import gettext_noop as _  # marks text for catalogs; the runtime translates it
from .presenters import status_json
from .resources import load_text, render_template
from .rules_fields import RULE_FIELDS, AcceptanceRulesMixin
from .scenarios import workbench_scenarios
from .tracking import block_config
from .tracking.awards import NoAward, revoke_award
from .tracking.service import BlockContext, ContributionTracker, TrackingError
from .validation import validate_settings


MAX_REQUIRED = 10


@XBlock.needs("i18n")
@XBlock.wants("settings", "user")
class UpstreamContributionBlock(AcceptanceRulesMixin, StudioEditableXBlockMixin,
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
    earned_score = Float(scope=Scope.user_state, default=None,
                         help="The score awarded (0..1), also when awarded in the background")
    forge_usernames = Dict(scope=Scope.preferences, default={},
                           help="The learner's user name on each forge host, remembered "
                                "across blocks")

    editable_fields = ("display_name", "instructions", "weight", "required_count",
                       "accepted_hosts", *RULE_FIELDS)

    workbench_scenarios = staticmethod(workbench_scenarios)

    # -- plumbing -----------------------------------------------------------
    def max_score(self):
        # Raw points; the LMS scales them to ``weight`` ("Points") itself.
        return 1.0

    def _context(self):
        usage, learner = platform.usage_key(self), platform.learner_id(self)
        return BlockContext(
            usage_key=usage, learner_id=learner, course_key=platform.course_key(self),
            anonymous_id=platform.anonymous_id(self), required_count=self.required_count,
            accepted_hosts=tuple(self.accepted_hosts or ()),
            rules=self.rules(course_start=platform.course_start(self)),
            ownership_code=ownership_code(usage, learner))

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

    # -- views ----------------------------------------------------------------
    def student_view(self, context=None):  # pylint: disable=unused-argument
        gettext = platform.gettext(self)
        signed_out = not platform.learner_id(self)
        initial, configuration_error = None, False
        try:
            if not signed_out:
                tracker = self._tracker()
                rows = tracker.rows()
                initial = self._status(tracker, rows, tracker.award(rows))
        except ConfigurationError:
            configuration_error = True
        # The initial state holds forge-written text (titles): it travels in an
        # HTML-escaped attribute, never in the runtime's unescaped JSON <script>.
        init = {"status": initial, "usernames": self.forge_usernames or {},
                "text": js_strings(gettext)}
        html = render_template("learner.html", {
            "block": self, "configuration_error": configuration_error, "signed_out": signed_out,
            "uid": hashlib.sha1(platform.usage_key(self).encode()).hexdigest()[:12],
            "init_json": json.dumps(init),
        }, self.runtime.service(self, "i18n"))
        fragment = Fragment(html)
        fragment.add_css(load_text("static", "css/learner.css"))
        fragment.add_javascript(load_text("static", "js/learner.js"))
        fragment.initialize_js("UpstreamContributionLearnerView")
        return fragment

    # -- handlers -------------------------------------------------------------
    @XBlock.handler
    @json_api
    def register(self, data):
        url = data.get("url")
        username = data.get("forge_username", "")
        if not isinstance(url, str) or not isinstance(username, str):
            raise TrackingError("bad_request", _("Send the address as text."))
        tracker = self._tracker()
        row, rows, award = tracker.register(url, username)
        platform.ensure_background_polling()
        if username.strip():
            self.forge_usernames = {**(self.forge_usernames or {}), row.host: username.strip()}
        status = self._status(tracker, rows, award)
        stored = next(c for c in status["contributions"] if c["url"] == row.url)
        return {"contribution": stored, "status": status}

    @XBlock.handler
    @json_api
    def status(self, data):  # pylint: disable=unused-argument
        tracker = self._tracker()
        return self._status(tracker, *tracker.status())

    @XBlock.handler
    @json_api
    def check_now(self, data):  # pylint: disable=unused-argument
        tracker = self._tracker()
        return self._status(tracker, *tracker.check_now())

    @XBlock.handler
    @json_api
    def withdraw(self, data):
        url = data.get("url")
        if not isinstance(url, str):
            raise TrackingError("bad_request", _("Send the address as text."))
        tracker = self._tracker()
        tracker.withdraw(url)
        rows = tracker.rows()
        return self._status(tracker, rows, tracker.award(rows))

    @XBlock.handler
    @json_api
    def revoke(self, data):
        """Course staff take a learner's award back, with a reason that is recorded."""
        if not platform.is_staff(self):
            raise TrackingError("forbidden", _("Only course staff can do this."), status=403)
        learner, reason = data.get("learner_id"), data.get("reason")
        if not isinstance(learner, str) or not learner or not isinstance(reason, str) \
                or not reason.strip():
            raise TrackingError("bad_request", _("Give the learner and a reason."))
        try:
            revocation, award = revoke_award(platform.usage_key(self), learner,
                                             platform.learner_id(self), reason.strip(),
                                             timezone.now())
        except NoAward:
            raise TrackingError("not_awarded", _("This learner has no award here."),
                                status=404) from None
        platform.publish_revocation(award)
        return {"revoked": True, "learner_id": learner,
                "revoked_at": revocation.revoked_at.isoformat()}

    # -- Studio -----------------------------------------------------------------
    def validate_field_data(self, validation, data):
        bucket = platform.settings_bucket(self)
        for message in validate_settings(data, bucket, platform.gettext(self)):
            validation.add(message)


def js_strings(gettext):
    """The page's own strings, translated on the server (the JS has no catalog of its own)."""
    return {
        "registering": gettext("Registering…"),
        "checking": gettext("Checking…"),
        "withdraw": gettext("Withdraw"),
        "withdraw_label": gettext("Withdraw %(title)s"),
        "withdraw_confirm": gettext("Withdraw this contribution?"),
        "open_link": gettext("%(title)s (opens on the forge in a new tab)"),
        "times": gettext("Last checked: %(last)s · Next check: %(next)s"),
        "never": gettext("never"),
        "settled": gettext("no more checks needed"),
        "repository": gettext("Repository: %(repository)s #%(number)s"),
        "counted": gettext("Counted for your grade"),
        "network_error": gettext("Could not reach the course server. Retrying…"),
        "passed": gettext("Passed:"),
        "failed": gettext("Not met:"),
        "waiting": gettext("Waiting:"),
        "no_contributions": gettext("You have not registered a contribution yet."),
        "untitled": gettext("(title not known yet)"),
        "ownership_code": gettext("Your ownership code is %(code)s: put it in the description of "
                                  "your contribution so that we know it is yours."),
    }
