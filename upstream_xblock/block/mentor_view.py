"""The page mentors and course staff see in the LMS: the progress table of a block.

``MentorViewMixin`` comes before the learner's view in the block's bases: its
``student_view`` shows the table to mentors and staff and hands everyone else
to the learner's view. The table's rows come from the ``progress`` handler.
"""

import json

from web_fragments.fragment import Fragment

from .. import platform
from ..annotations.notes import TAGS
from ..staff.filters import STATES
from ..staff.progress import DEFAULT_PAGE_SIZE, DEFAULT_SORT
from .mentor_presenters import VERDICT_LABELS
from .presenters import STATE_LABELS
from .resources import load_text, page_uid, render_template
from .roles import is_mentor
from .staff_strings import AUDIT_ACTIONS, staff_strings
from .vouch_view import MENTOR_VIEW_INIT, add_vouch_dialog


class MentorViewMixin:
    """``student_view`` for mentors and staff; learners get ``super().student_view``."""

    def student_view(self, context=None):
        if not is_mentor(self):
            return super().student_view(context)
        return self.progress_view(context)

    def progress_view(self, context=None):  # pylint: disable=unused-argument
        """The progress table, its filters, its summary and the annotation form."""
        gettext = platform.gettext(self)
        uid = page_uid(self)
        staff = platform.is_staff(self) and not platform.in_studio_preview(self)
        strings = progress_strings(gettext)
        if staff:
            strings.update(staff_strings(gettext))
        init = {"text": strings, "page_size": DEFAULT_PAGE_SIZE,
                "sort": DEFAULT_SORT, "me": platform.learner_id(self), "staff": staff}
        html = render_template("progress.html", {
            "block": self, "uid": uid, "init_json": json.dumps(init),
            "verdicts": [(key, gettext(label)) for key, label in VERDICT_LABELS.items()],
            "states": [(state, gettext(STATE_LABELS["" if state == "unknown" else state]))
                       for state in STATES],
            "tags": [(key, gettext(label)) for key, label in TAGS.items()],
            "staff": staff,
            "audit_actions": [(key, gettext(label)) for key, label in AUDIT_ACTIONS.items()],
        }, self.runtime.service(self, "i18n"))
        fragment = Fragment(html)
        fragment.add_css(load_text("static", "css/progress.css"))
        fragment.add_javascript(load_text("static", "js/common.js"))  # the modules' helpers
        if staff:  # defines the staff tools progress.js hands its helpers to
            fragment.add_javascript(load_text("static", "js/staff_tools.js"))
        fragment.add_javascript(load_text("static", "js/progress.js"))
        add_vouch_dialog(self, fragment)
        fragment.initialize_js(MENTOR_VIEW_INIT)
        return fragment


def progress_strings(gettext):
    """The table's own strings, translated on the server (the JS has no catalog of its own)."""
    return {
        "loading": gettext("Loading learners…"),
        "count": gettext("%(count)s learners match. Page %(page)s of %(pages)s."),
        "none": gettext("No learner matches these filters."),
        "error": gettext("Could not load the learners: %(message)s"),
        "network_error": gettext("Could not reach the course server."),
        "summary": gettext("Registered: %(registered)s · In progress: %(pending)s · "
                           "Completed: %(accepted)s · Need a new contribution: %(rejected)s · "
                           "Stuck: %(stuck)s"),
        "waiting": gettext("Waiting %(days)s days"),
        "not_waiting": gettext("Not waiting"),
        "never": gettext("never"),
        "stuck": gettext("Stuck: %(reason)s"),
        "awarded": gettext("Awarded on %(date)s"),
        "annotate": gettext("Annotate %(username)s"),
        "annotate_title": gettext("Annotation for %(username)s"),
        "edit": gettext("Edit"),
        "edit_label": gettext("Edit this annotation by %(author)s"),
        "delete": gettext("Delete"),
        "delete_label": gettext("Delete this annotation by %(author)s"),
        "delete_confirm": gettext("Delete this annotation?"),
        "saved": gettext("Annotation saved for %(username)s."),
        "deleted": gettext("Annotation deleted."),
        "for_learner": gettext("For the learner"),
        "for_mentors": gettext("Mentors only"),
        "by": gettext("%(author)s, %(date)s"),
        "edited": gettext("(edited)"),
        "no_annotations": gettext("No annotations."),
        "any_contribution": gettext("The learner's work in general"),
        "open_link": gettext("%(title)s (opens on the forge in a new tab)"),
        "untitled": gettext("(title not known yet)"),
        "sorted_by": gettext("Sorted by %(column)s, %(direction)s."),
        "ascending": gettext("ascending"),
        "descending": gettext("descending"),
    }
