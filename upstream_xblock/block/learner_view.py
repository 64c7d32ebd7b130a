"""The learner's page: the contributions, their checks, the form to register one."""

import hashlib
import json

from web_fragments.fragment import Fragment

from .. import platform
from ..forges import ConfigurationError
from .resources import load_text, render_template


class LearnerViewMixin:
    """``student_view`` for learners (and signed-out visitors)."""

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
        if not signed_out and not configuration_error:
            html += self.identity_panel_html(gettext)
        fragment = Fragment(html)
        fragment.add_css(load_text("static", "css/learner.css"))
        fragment.add_css(load_text("static", "css/identity.css"))
        fragment.add_javascript(load_text("static", "js/learner.js"))
        fragment.add_javascript(load_text("static", "js/identity.js"))
        # Starts the learner's view and the identity panel (identity.js).
        fragment.initialize_js("UpstreamContributionBlockView")
        return fragment


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
