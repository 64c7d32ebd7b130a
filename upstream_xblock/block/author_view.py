"""Studio's preview of the block: its rules and a short summary, and nothing else.

Rendering it registers nothing, awards nothing and stores no rules (the rules
the sweeps grade with come from the published block only): it reads. Course
staff (and the block's mentors) also get the learners' progress table there,
without the staff tools that change grades.
"""

from web_fragments.fragment import Fragment

from .. import platform
from ..tracking.summary import block_summary
from . import clamps
from .resources import render_template
from .roles import is_mentor
from .rules_fields import RULE_FIELDS


class AuthorViewMixin:
    """``author_view`` for Studio; a ``student_view`` asked for in Studio shows the same."""

    def author_view(self, context=None):  # pylint: disable=unused-argument
        gettext = platform.gettext(self)
        html = render_template("author.html", {
            "block": self,
            "settings": self._author_settings(gettext),
            "summary": block_summary(platform.usage_key(self)),
        }, self.runtime.service(self, "i18n"))
        fragment = Fragment(html)
        if is_mentor(self):  # course staff (and listed mentors) see the learners' progress too
            table = self.progress_view(context)
            fragment.add_content(table.content)
            fragment.add_fragment_resources(table)
            fragment.initialize_js(table.js_init_fn, table.json_init_args)
        return fragment

    def student_view(self, context=None):
        if platform.in_studio_preview(self):
            return self.author_view(context)
        return super().student_view(context)

    def _author_settings(self, gettext):
        """(label, value as text) for each setting that decides the grade, as learners get it."""
        rows = [
            (gettext(self.fields["weight"].display_name), _number(self.points())),
            (gettext(self.fields["required_count"].display_name),
             str(clamps.required_count(self.required_count))),
            (gettext(self.fields["accepted_hosts"].display_name),
             ", ".join(clamps.string_tuple(self.accepted_hosts)) or "—"),
        ]
        for name in RULE_FIELDS:
            value = getattr(self, name)
            if isinstance(value, bool):
                text = gettext("Yes") if value else gettext("No")
            elif isinstance(value, (list, tuple)):
                text = ", ".join(clamps.string_tuple(value)) or "—"
            else:
                text = str(value) if value not in (None, "") else "—"
            rows.append((gettext(self.fields[name].display_name), text))
        return rows


def _number(value):
    return str(int(value)) if float(value).is_integer() else str(value)
