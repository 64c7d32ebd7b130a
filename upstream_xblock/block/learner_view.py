"""The learner's page: the contributions, their timeline and checks, the form to register one."""

import json

from django.utils import translation
from web_fragments.fragment import Fragment

from .. import platform
from ..forges import forges_for
from ..tracking.schedule import schedule_for
from ..forges import ConfigurationError
from .learner_strings import js_strings
from .resources import load_text, page_uid, render_template
from .url_examples import accepted_host_names, example_url

SETTLED_POLL_S = 60


class LearnerViewMixin:
    """``student_view`` for learners (and signed-out visitors)."""

    def student_view(self, context=None):  # pylint: disable=unused-argument
        gettext = platform.gettext(self)
        signed_out = not platform.learner_id(self)
        initial, configuration_error, example, hosts, tracker = None, False, "", [], None
        check_interval_s = 0
        try:
            bucket = platform.settings_bucket(self)
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
                "language": translation.get_language() or "en", "text": js_strings(gettext)}
        html = render_template("learner.html", {
            "block": self, "configuration_error": configuration_error, "signed_out": signed_out,
            "display_name": self._default_translated("display_name", gettext),
            "instructions": self._default_translated("instructions", gettext),
            "url_example": example, "accepted_hosts": ", ".join(hosts),
            "uid": page_uid(self),
            "init_json": json.dumps(init),
            # Another module's panel (verified forge accounts) renders inside this page.
            "identity_panel": ("" if signed_out or configuration_error
                               else self.identity_panel_html(gettext, tracker)),
        }, self.runtime.service(self, "i18n"))
        fragment = Fragment(html)
        fragment.add_css(load_text("static", "css/learner.css"))
        fragment.add_css(load_text("static", "css/identity.css"))
        fragment.add_javascript(load_text("static", "js/common.js"))
        fragment.add_javascript(load_text("static", "js/learner_render.js"))
        fragment.add_javascript(load_text("static", "js/learner.js"))
        fragment.add_javascript(load_text("static", "js/identity.js"))
        # Starts the learner's view and the identity panel (identity.js).
        fragment.initialize_js("UpstreamContributionBlockView")
        return fragment

    def _default_translated(self, name, gettext):
        """A field's value; its untouched default is shown in the learner's language."""
        value = getattr(self, name)
        return gettext(value) if value == self.fields[name].default else value
