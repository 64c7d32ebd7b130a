"""The learner's role: their page, its JSON handlers and their identity panel.

The page shows the contributions, their timeline and checks, and the form to
register one. Register, withdraw and "Check now" are throttled per learner
(they spend the site's shared forge budget); where Celery runs, the checks they
need go to a task and the answer shows the contribution as being checked. The
identity panel lets the learner prove forge accounts are theirs.
"""

import json
import math

from django.utils import timezone, translation
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Scope, String

from .. import compat
from ..forges import ConfigurationError, forges_for
from ..i18n import gettext_noop, ngettext_noop, translated
from ..i18n import gettext_noop as _
from ..identity import api as identity_api
from ..identity.api import verify_by_code, verify_linked_accounts
from ..identity.views import panel_json
from ..throttle import Throttle, Throttled
from ..tracking import background, notices, pace
from ..tracking.notice_texts import DEFAULT_NEXT_STEPS
from ..tracking.schedule import schedule_for
from ..tracking.service import TrackingError, wake_settled
from .handlers import json_api, text_field
from .resources import add_js_catalog, load_text, page_uid, render_template

# One made-up address shape per forge kind, as learners paste them.
EXAMPLE_PATHS = {
    "github": "/owner/project/pull/123",
    "gitea": "/owner/project/pulls/123",
    "gitlab": "/group/project/-/merge_requests/123",
    "gerrit": "/c/project/+/123456",
}


def example_url(registry, accepted_hosts=()):
    """An address on the first accepted host (github.com first when every host is)."""
    hosts = [h for h in (accepted_hosts or ()) if h in registry]
    if not hosts:
        configured = registry.hosts()
        hosts = ["github.com"] if "github.com" in configured else configured[:1]
    if not hosts:
        return ""
    forge = registry.get(hosts[0])
    base = forge.web_url.rstrip("/") if forge.web_url else f"https://{forge.host}"
    return base + EXAMPLE_PATHS.get(forge.kind, "/")


def accepted_host_names(registry, accepted_hosts=()):
    """The hosts learners may use here, for "Accepted: a, b" (empty: any configured)."""
    return [h for h in (accepted_hosts or ()) if h in registry]


SETTLED_POLL_S = 60


class LearnerMixin:
    """The learner's page, their JSON handlers and their identity panel."""

    def learner_view(self, context=None):  # noqa: ARG002
        """The learner's page (and a signed-out visitor's)."""
        gettext = compat.gettext(self)
        signed_out = not compat.learner_id(self)
        initial, configuration_error, example, hosts, tracker = None, False, "", [], None
        check_interval_s = 0
        try:
            bucket = compat.settings_bucket(self)
            if not signed_out:
                tracker = self._tracker()
                rows = tracker.rows()
                initial = self._status(tracker, rows, tracker.award(rows))
            forges, schedule = ((forges_for(bucket), schedule_for(bucket)) if tracker is None
                                else (tracker.forges, tracker.schedule))
            registry = forges.registry
            check_interval_s = schedule.manual_min_interval_s
            example = example_url(registry, self.accepted_hosts)
            hosts = accepted_host_names(registry, self.accepted_hosts)
        except ConfigurationError:
            configuration_error = True
        # The initial state holds forge-written text (titles): it travels in an
        # HTML-escaped attribute, never in the runtime's unescaped JSON <script>.
        init = {"status": initial, "usernames": self.forge_usernames or {},
                # "Check now" is offered only when the server would accept it.
                "check_now_interval_s": check_interval_s,
                # Once nothing is left to check, the page still asks this seldom, so that
                # a mentor's new note shows without a reload.
                "settled_poll_s": SETTLED_POLL_S,
                "language": translation.get_language() or "en"}
        html = render_template("learner.html", {
            "block": self, "configuration_error": configuration_error, "signed_out": signed_out,
            "display_name": self._default_translated("display_name", gettext),
            "instructions": self._default_translated("instructions", gettext),
            "url_example": example, "accepted_hosts": ", ".join(hosts),
            "uid": page_uid(self),
            "init_json": json.dumps(init),
            # Another module's panel (verified forge accounts) renders inside this page.
            "identity_panel": ("" if signed_out or configuration_error
                               else self.identity_panel_html(tracker)),
        }, self.runtime.service(self, "i18n"))
        fragment = Fragment(html)
        fragment.add_css(load_text("static", "css/learner.css"))
        fragment.add_css(load_text("static", "css/identity.css"))
        add_js_catalog(self, fragment)  # the page's strings, for the modules below
        fragment.add_javascript(load_text("static", "js/common.js"))
        fragment.add_javascript(load_text("static", "js/learner_render.js"))
        fragment.add_javascript(load_text("static", "js/learner.js"))
        fragment.add_javascript(load_text("static", "js/identity.js"))
        # learner.js starts the learner's view and the identity panel beside it.
        fragment.initialize_js("UpstreamContributionLearnerView")
        return fragment

    def _default_translated(self, name, gettext):
        """A field's value; its untouched default is shown in the learner's language."""
        value = getattr(self, name)
        return gettext(value) if value == self.fields[name].default else value

    def _throttle(self, action):
        throttle = Throttle.from_settings(compat.settings_bucket(self))
        try:
            throttle.hit(action, compat.learner_id(self))
        except Throttled as throttled:
            raise TrackingError(throttled.code, throttled.template, status=429,
                                params={"seconds": throttled.retry_in_s},
                                retry_in_s=throttled.retry_in_s) from None

    @XBlock.handler
    @json_api
    def register(self, data):
        url = data.get("url")
        username = data.get("forge_username", "")
        if not isinstance(url, str) or not isinstance(username, str):
            raise TrackingError("bad_request", _("Send the address as text."))
        tracker = self._tracker()
        # Counted only when the forge is about to be asked: a refused typo costs nothing.
        row, rows, award = tracker.register(url, username,
                                            before_forge=lambda: self._throttle("register"))
        background.ensure_polling()
        if username.strip():
            self.forge_usernames = {**(self.forge_usernames or {}), row.host: username.strip()}
        status = self._status(tracker, rows, award)
        stored = next(c for c in status["contributions"] if c["url"] == row.url)
        return {"contribution": stored, "status": status}

    @XBlock.handler
    @json_api
    def status(self, data):  # noqa: ARG002
        tracker = self._tracker()
        return self._status(tracker, *tracker.status())

    @XBlock.handler
    @json_api
    def check_now(self, data):  # noqa: ARG002
        self._throttle("check_now")
        tracker = self._tracker()
        return self._status(tracker, *tracker.check_now())

    @XBlock.handler
    @json_api
    def withdraw(self, data):
        url = data.get("url")
        if not isinstance(url, str):
            raise TrackingError("bad_request", _("Send the address as text."))
        self._throttle("withdraw")
        tracker = self._tracker()
        tracker.withdraw(url)
        rows = tracker.rows()
        return self._status(tracker, rows, tracker.award(rows))

    @XBlock.handler
    @json_api
    def notice_preferences(self, data):
        """``{"emails": true|false}`` → ``{"emails"}``: the learner's choice about the emails."""
        learner_id = compat.learner_id(self)
        if not learner_id or compat.in_studio_preview(self) or compat.is_masquerading(self):
            raise TrackingError("forbidden", _("Only the learner can choose their emails."),
                                status=403)
        if not isinstance(data.get("emails"), bool):
            raise TrackingError("bad_request", _("Say true or false."))
        notices.set_emails(learner_id, data["emails"])
        return {"emails": notices.emails_on(learner_id)}

    def identity_panel(self, tracker=None):
        """The panel's data; from the learner's ``tracker`` where one was built already (its
        context read their verified accounts, it holds the forges)."""
        if tracker is None:
            learner_id = compat.learner_id(self)
            accounts = identity_api.accounts_of(learner_id)
            registry = forges_for(compat.settings_bucket(self)).registry
        else:
            learner_id, accounts = tracker.context.learner_id, tracker.context.verified_accounts
            registry = tracker.forges.registry
        return panel_json(learner_id, accounts, registry, tuple(self.accepted_hosts or ()),
                          back=compat.unit_url(compat.usage_key(self), learner_id))

    def identity_panel_html(self, tracker):
        """The panel, rendered inside the learner's page (identity.js drives it).

        Only where the block checks authorship; open until the learner has verified an
        account (several blocks in a unit each have it: once verified, it stays closed).
        """
        if not self.require_author:
            return ""
        panel = self.identity_panel(tracker)
        init = {"identity": panel}
        return render_template("identity.html", {
            "open": not panel["accounts"],
            "uid": page_uid(self),
            "identity_json": json.dumps(init),
            "linked_available": compat.has_third_party_auth(),
        }, self.runtime.service(self, "i18n"))

    def _identity_call(self, action):
        """Run ``action``; answer the panel and the status, both from one tracker (and have
        the learner's other blocks re-evaluate what waited for a verified account)."""
        action()
        wake_settled(compat.learner_id(self), timezone.now())
        tracker = self._tracker()
        rows, award = tracker.settle()
        return {"identity": self.identity_panel(tracker),
                "status": self._status(tracker, rows, award)}

    @XBlock.handler
    @json_api
    def identity(self, data):  # noqa: ARG002
        """The panel's data: verified accounts, the learner's code, ways to verify (the panel
        asks when the learner comes back from the forge's sign-in: what waited for it is
        re-evaluated)."""
        wake_settled(compat.learner_id(self), timezone.now())
        return {"identity": self.identity_panel()}

    @XBlock.handler
    @json_api
    def verify_code(self, data):
        """``{"url"}``: the learner posted their code on that contribution."""
        url = text_field(data, "url")
        forges = forges_for(compat.settings_bucket(self))
        return self._identity_call(
            lambda: verify_by_code(forges, compat.learner_id(self), url, timezone.now()))

    @XBlock.handler
    @json_api
    def verify_linked(self, data):  # noqa: ARG002
        """The accounts the learner linked to the site (third-party auth)."""
        registry = forges_for(compat.settings_bucket(self)).registry
        return self._identity_call(
            lambda: verify_linked_accounts(compat.learner_id(self), registry, timezone.now()))

    @XBlock.handler
    @json_api
    def forget_account(self, data):
        """``{"host", "account_id"}``: the learner removes one of their verified accounts."""
        host, account_id = text_field(data, "host"), text_field(data, "account_id")

        def forget():
            if not identity_api.forget(compat.learner_id(self), host, account_id):
                raise TrackingError("not_found", _("This account is not verified for you."),
                                    status=404)

        return self._identity_call(forget)


# -- the learner's card: how long this project usually takes, what to do meanwhile ----
# Each contribution of ``status`` gets ``upstream`` (the contract, tracking/pace.py),
# ``upstream_summary`` (one sentence, its counts in their plural forms) and ``next_step``
# (the author's text for its stage, else the shipped one, translated). Never blame.
ANSWERS = ngettext_noop("This project usually answers within %(days)s day",
                        "This project usually answers within %(days)s days", "days")
MERGES = ngettext_noop("This project usually merges within %(days)s day",
                       "This project usually merges within %(days)s days", "days")
SHARE = ngettext_noop("80 %% within %(p80)s, from %(count)s recent contribution",
                      "80 %% within %(p80)s, from %(count)s recent contributions", "count")
WAITED = ngettext_noop("yours has waited %(days)s day.", "yours has waited %(days)s days.",
                       "days")
SENTENCE = gettext_noop("%(usually)s (%(share)s); %(waited)s")

# The stage's Studio field (empty field: the shipped default, translated).
STAGE_FIELDS = {"waiting": "next_step_waiting", "reviewed": "next_step_waiting",
                "changes_requested": "next_step_changes_requested",
                "overdue": "next_step_overdue"}


def next_step_fields():
    """The Studio fields of the next steps, in ``STAGE_FIELDS``'s order (the class holds them)."""
    def field(label, help_text):
        return String(display_name=label, scope=Scope.settings, default="",
                      multiline_editor=True, help=help_text)
    return (
        field(_("Next step while waiting for the project"),
              _("What learners see while the project has not merged their contribution yet. "
                "Empty: a default text, in the learner's language.")),
        field(_("Next step when changes are requested"),
              _("What learners see when a reviewer asked for changes. Empty: a default text, "
                "in the learner's language.")),
        field(_("Next step when the wait is longer than usual"),
              _("What learners see when their contribution has waited longer than 80 % of "
                "this project's recent ones. Empty: a default text, in the learner's "
                "language.")),
    )


NEXT_STEP_FIELD_NAMES = ("next_step_waiting", "next_step_changes_requested", "next_step_overdue")


def _up(days):
    return max(1, math.ceil(days))


def summary(upstream, stage, gettext):
    """The card's sentence, or "" when the figure for the contribution's stage is unknown."""
    if upstream is None or stage is None:
        return ""
    waiting = stage == "waiting"
    median = upstream["first_response_days_median" if waiting else "merge_days_median"]
    p80 = upstream["first_response_days_p80"] if waiting else upstream.get("merge_days_p80")
    if median is None or p80 is None:
        return ""
    usually = translated(gettext, ANSWERS if waiting else MERGES, {"days": _up(median)})
    share = translated(gettext, SHARE, {"p80": _up(p80), "count": upstream["sample_size"]})
    waited = translated(gettext, WAITED, {"days": upstream["waited_days"]})
    return translated(gettext, SENTENCE, {"usually": usually, "share": share, "waited": waited})


def next_step(block, stage, overdue, gettext):
    """The author's text for the stage (overdue first), else the shipped one; "" if none."""
    if stage is None:
        return ""
    field = STAGE_FIELDS["overdue" if overdue else stage]
    written = (getattr(block, field, "") or "").strip()
    return written or gettext(DEFAULT_NEXT_STEPS[field])


def add_upstream(contributions, rows, block, gettext, now):
    """Give each contribution's JSON its ``upstream``, ``upstream_summary`` and ``next_step``."""
    figures = pace.PaceFigures(now).prefetch((row.host, row.project) for row in rows)
    for data, row in zip(contributions, rows, strict=True):
        found = figures.of(row.host, row.project) if row.host and row.project else None
        upstream = pace.upstream_of(row, found, now)
        stage = pace.stage_of(row)
        shown = dict(upstream, merge_days_p80=found["merge_days_p80"]) if upstream else None
        data["upstream"] = upstream
        data["upstream_summary"] = summary(shown, stage, gettext)
        data["next_step"] = next_step(block, stage, bool(upstream and upstream["overdue"]),
                                      gettext)
    return contributions


def texts_of(block):
    """The block's name and its author's next steps, for notices sent without the block."""
    texts = {name: (getattr(block, name, "") or "").strip() for name in NEXT_STEP_FIELD_NAMES}
    return {"display_name": block.display_name, **{k: v for k, v in texts.items() if v}}
