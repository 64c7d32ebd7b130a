"""The learner's identity panel (its HTML and handlers), and staff vouching for an account."""

import json

from django.utils import timezone
from xblock.core import XBlock

from .. import platform
from ..forges import forges_for
from ..forges import ForgeError, Snapshot
from ..identity import api as identity_api
from ..identity.code_method import verify_by_code
from ..identity.linked import verify_linked_accounts
from ..identity.panel import panel_json
from ..i18n import gettext_noop as _
from ..tracking.service import BlockContext, ContributionTracker, TrackingError
from .guards import mentors_only
from .json_api import json_api
from .mentor_handlers import _learner_of
from .resources import page_uid, render_template

MAX_TEXT = 500


def _text(data, key, required=True):
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise TrackingError("bad_request", _("Send %(field)s as text."), params={"field": key})
    return value.strip()


class IdentityHandlersMixin:
    """The learner proves forge accounts are theirs; staff can vouch for one."""

    def identity_panel(self, tracker=None):
        """The panel's data; from the learner's ``tracker`` where one was built already (its
        context read their verified accounts, it holds the forges)."""
        if tracker is None:
            learner_id = platform.learner_id(self)
            accounts = identity_api.accounts_of(learner_id)
            registry = forges_for(platform.settings_bucket(self)).registry
        else:
            learner_id, accounts = tracker.context.learner_id, tracker.context.verified_accounts
            registry = tracker.forges.registry
        return panel_json(learner_id, accounts, registry, tuple(self.accepted_hosts or ()))

    def identity_panel_html(self, gettext, tracker):
        """The panel, rendered inside the learner's page (identity.js drives it).

        Only where the block checks authorship; open until the learner has verified an
        account (several blocks in a unit each have it: once verified, it stays closed).
        """
        if not self.require_author:
            return ""
        panel = self.identity_panel(tracker)
        init = {"identity": panel, "text": identity_js_strings(gettext)}
        return render_template("identity.html", {
            "open": not panel["accounts"],
            "uid": page_uid(self),
            "identity_json": json.dumps(init),
            "linked_available": platform.has_third_party_auth(),
        }, self.runtime.service(self, "i18n"))

    def _identity_call(self, action):
        """Run ``action``; answer the panel and the status, both from one tracker."""
        action()
        tracker = self._tracker()
        rows, award = tracker.settle()
        return {"identity": self.identity_panel(tracker),
                "status": self._status(tracker, rows, award)}

    @XBlock.handler
    @json_api
    def identity(self, data):  # pylint: disable=unused-argument
        """The panel's data: verified accounts, the learner's code, ways to verify."""
        return {"identity": self.identity_panel()}

    @XBlock.handler
    @json_api
    def verify_code(self, data):
        """``{"url"}``: the learner posted their code on that contribution."""
        url = _text(data, "url")
        forges = forges_for(platform.settings_bucket(self))
        return self._identity_call(
            lambda: verify_by_code(forges, platform.learner_id(self), url, timezone.now()))

    @XBlock.handler
    @json_api
    def verify_linked(self, data):  # pylint: disable=unused-argument
        """The accounts the learner linked to the site (third-party auth)."""
        registry = forges_for(platform.settings_bucket(self)).registry
        return self._identity_call(
            lambda: verify_linked_accounts(platform.learner_id(self), registry, timezone.now()))

    @XBlock.handler
    @json_api
    def forget_account(self, data):
        """``{"host", "account_id"}``: the learner removes one of their verified accounts."""
        host, account_id = _text(data, "host"), _text(data, "account_id")

        def forget():
            if not identity_api.forget(platform.learner_id(self), host, account_id):
                raise TrackingError("not_found", _("This account is not verified for you."),
                                    status=404)

        return self._identity_call(forget)

    @XBlock.handler
    @mentors_only
    def vouch_identity(self, data):
        """Mentors and staff: ``{"learner_id", "reason", "url"}`` (the author of that learner's
        registered contribution) or ``{"learner_id", "reason", "host", "account_id",
        "username"}``. A listed mentor vouches only for learners of this block; course staff
        for any learner of the site."""
        if platform.is_staff(self):
            learner = _text(data, "learner_id")
        else:
            learner = _learner_of(self, data)
        reason = _text(data, "reason")
        if data.get("url") is not None:
            host, account_id, username = self._author_of(learner, _text(data, "url"))
        else:
            host, username = _text(data, "host"), _text(data, "username")
            account_id = _text(data, "account_id")
            if host not in forges_for(platform.settings_bucket(self)).registry:
                raise TrackingError("unsupported_host", _("This forge is not configured."))
        account = identity_api.vouch(learner, host, account_id, username,
                                     platform.learner_id(self), reason, timezone.now())
        return {"vouched": True, "learner_id": learner,
                "account": {"host": account.host, "account_id": account.account_id,
                            "username": account.username, "method": account.method}}

    def _author_of(self, learner, url):
        """(host, account id, user name) of the author of ``learner``'s registered ``url``."""
        forges = forges_for(platform.settings_bucket(self))
        try:
            canonical = forges.parse(url).url
        except ForgeError as error:
            raise TrackingError.from_forge(error) from None
        row = self._registered(learner, canonical)
        if row is None or not row.snapshot:
            raise TrackingError("not_registered", _(
                "This learner has no checked contribution at this address here."), status=404)
        snapshot = Snapshot.from_dict(row.snapshot)
        account_id = snapshot.author_id or f"name:{snapshot.author.casefold()}"
        return snapshot.host, account_id, snapshot.author

    def _registered(self, learner, canonical_url):
        context = BlockContext(usage_key=platform.usage_key(self), learner_id=learner)
        rows = ContributionTracker(context, forges=None).rows()
        return next((row for row in rows if row.url == canonical_url), None)


def identity_js_strings(gettext):
    """The panel's own strings, translated on the server."""
    return {
        "account_line": gettext("%(username)s on %(host)s (%(method)s)"),
        "methods": {
            "oauth": gettext("signed in on the forge"),
            "linked": gettext("linked to your profile"),
            "comment_code": gettext("code posted in a comment"),
            "description_code": gettext("code in a description"),
            "vouched": gettext("vouched for by your course team"),
        },
        "remove": gettext("Remove"),
        "remove_label": gettext("Remove %(username)s on %(host)s"),
        "remove_confirm": gettext("Remove %(username)s on %(host)s from your verified accounts? "
                                  "Its contributions will not count until you verify it again."),
        "removed": gettext("%(username)s on %(host)s is no longer verified."),
        "verify_with": gettext("Verify with %(forge)s (opens in a new tab)"),
        "verified": gettext("Verified: %(username)s on %(host)s. Your contributions are checked "
                            "again with it."),
        "nothing_new": gettext("No new account was verified."),
        "checking": gettext("Checking…"),
        "url_needed": gettext("Give the address of the contribution where you posted your code."),
        "network_error": gettext("Could not reach the course server. Try again."),
    }
