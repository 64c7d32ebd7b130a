"""Studio's editor for the block: its form, its save handler and its validation.

It replaces xblock.utils' generic editor, which asks authors to type JSON for
list fields, answers a wrongly typed number with a server error and shows
validation in one list away from the fields. Here lists are one value per
line, each problem is shown next to its field, and nothing an author types
can cause a 500. Saving uses the same handler name as xblock.utils
(``submit_studio_edits``) and the same answer on success.
"""

import json

from web_fragments.fragment import Fragment
from xblock.core import XBlock

from .. import platform
from ..i18n import gettext_noop as _
from .json_api import MAX_BODY_BYTES, json_response
from .resources import load_text, render_template
from .studio_form import FieldProblem, form_value, parse_value, widget_of
from .validation import WHOLE_FORM, field_problems, validate_settings


class _EditedValues:  # pylint: disable=too-few-public-methods
    """The block's fields as they would be after the save (what validation reads)."""

    def __init__(self, block, values):
        self._block, self._values = block, values

    def __getattr__(self, name):
        return self._values[name] if name in self._values else getattr(self._block, name)


class StudioMixin:
    """Studio's editor: every problem becomes a message next to its field, never an error page."""

    def validate_field_data(self, validation, data):
        bucket = platform.settings_bucket(self)
        for message in validate_settings(data, bucket, platform.gettext(self)):
            validation.add(message)

    def studio_view(self, context=None):  # pylint: disable=unused-argument
        gettext = platform.gettext(self)
        fields = []
        for name in self.editable_fields:
            field = self.fields[name]
            fields.append({
                "name": name, "widget": widget_of(field),
                "value": form_value(field, getattr(self, name)),
                "label": gettext(field.display_name or name), "help": gettext(field.help or ""),
            })
        html = render_template("studio_edit.html", {"fields": fields, "uid": self._studio_uid()},
                               self.runtime.service(self, "i18n"))
        fragment = Fragment(html)
        fragment.add_css(load_text("static", "css/studio_edit.css"))
        fragment.add_javascript(load_text("static", "js/studio_edit.js"))
        fragment.initialize_js("UpstreamContributionStudioEditor")
        return fragment

    def _studio_uid(self):
        return "".join(ch for ch in platform.usage_key(self) if ch.isalnum())[-16:]

    @XBlock.handler
    def submit_studio_edits(self, request, suffix=""):  # pylint: disable=unused-argument
        """Save the editor's values: {"values": {field: typed value}} → {"result": "success"}."""
        gettext = platform.gettext(self)
        if request.method != "POST" or len(request.body or b"") > MAX_BODY_BYTES:
            return self._studio_refusal(gettext, {WHOLE_FORM: [gettext(_("Use POST, with a "
                                                                    "smaller request."))]})
        try:
            values = json.loads(request.body.decode("utf-8")).get("values")
        except (UnicodeDecodeError, ValueError, AttributeError):
            values = None
        if not isinstance(values, dict):
            return self._studio_refusal(gettext, {WHOLE_FORM: [gettext(_("The request is not "
                                                                    "valid JSON."))]})
        parsed, problems = self._parse_studio_values(values, gettext)
        for field, message in field_problems(_EditedValues(self, parsed),
                                             platform.settings_bucket(self), gettext):
            problems.setdefault(field, []).append(message)
        if problems:
            return self._studio_refusal(gettext, problems)
        for name, value in parsed.items():
            setattr(self, name, value)
        return json_response({"result": "success"})

    def _parse_studio_values(self, values, gettext):
        parsed, problems = {}, {}
        for name in self.editable_fields:
            if name not in values:
                continue
            try:
                parsed[name] = parse_value(self.fields[name], values[name])
            except FieldProblem as problem:
                problems[name] = [gettext(str(problem))]
        return parsed, problems

    @staticmethod
    def _studio_refusal(gettext, problems):
        return json_response({"error": {
            "code": "validation_failed",
            "message": gettext(_("Some settings need your attention.")),
            "fields": problems}}, status=400)
