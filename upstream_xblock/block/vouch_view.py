"""The vouch dialog added to the mentors' progress view (its HTML, strings and module).

``static/js/vouch.js`` drives it: a button on each learner's row opens a
dialog where a mentor accepts a contribution (an address or a description,
and a reason); course staff also withdraw a mentor's acceptance there. Not
in Studio's preview, where the handlers refuse (it shows draft rules).
"""

import json

from .. import platform
from ..tracking.vouch_request import MAX_DESCRIPTION, MAX_REASON, MAX_URL
from .resources import load_text, page_uid, render_template

# The initializer of the mentors' view: the progress table, then the vouch dialog.
MENTOR_VIEW_INIT = "UpstreamContributionMentorView"


def add_vouch_dialog(block, fragment):
    """Add the dialog's HTML, CSS and JS to the progress view's ``fragment``.

    The module is always added (``MENTOR_VIEW_INIT`` lives in it); without the
    dialog's HTML it does nothing.
    """
    fragment.add_javascript(load_text("static", "js/vouch.js"))
    if platform.in_studio_preview(block):
        return
    gettext = platform.gettext(block)
    init = {"text": vouch_strings(gettext), "staff": platform.is_staff(block)}
    fragment.add_content(render_template("vouch.html", {
        "init_json": json.dumps(init),
        "uid": page_uid(block),
        "max_reason": MAX_REASON,
        "max_description": MAX_DESCRIPTION, "max_url": MAX_URL,
    }, block.runtime.service(block, "i18n")))
    fragment.add_css(load_text("static", "css/vouch.css"))


def vouch_strings(gettext):
    """The dialog's own strings, translated on the server."""
    return {
        "open": gettext("Accept a contribution of %(username)s"),
        "title": gettext("Accept a contribution of %(username)s"),
        "need_url_or_description": gettext("Give the contribution's address or describe it."),
        "need_reason": gettext("Say why you accept it."),
        "accepted": gettext("Accepted for %(username)s."),
        "completed": gettext("Accepted for %(username)s: this activity is now complete for "
                             "them."),
        "withdraw": gettext("Withdraw"),
        "withdraw_label": gettext("Withdraw the acceptance of %(title)s"),
        "withdraw_reason": gettext("Why course staff withdraw it"),
        "withdrawn": gettext("The mentor's acceptance was withdrawn."),
        "none_vouched": gettext("No contribution of this learner was accepted by a mentor."),
        "network_error": gettext("Could not reach the course server."),
        "error": gettext("Not accepted: %(message)s"),
    }
