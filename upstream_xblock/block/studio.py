"""Studio: the block's editor (form, save, validation) and its preview (``author_view``).

The preview reads: rendering it registers nothing, awards nothing and stores
no rules (the rules the sweeps grade with come from the published block only).
Course staff (and the block's mentors) also get the learners' progress table
there, without the staff tools that change grades.
"""

import json
import math

from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Boolean, Float, Integer, List, String
from xblock.validation import ValidationMessage

from .. import compat
from ..forges import ConfigurationError, forges_for
from ..i18n import gettext_noop as _
from ..policy import is_valid_pattern
from ..staff.progress import block_summary
from . import clamps
from .clamps import MAX_LIST_ITEMS, RULE_FIELDS, parse_date
from .handlers import MAX_BODY_BYTES, is_mentor, is_valid_text, json_response, validate_mentors
from .resources import add_js_catalog, load_text, render_template

MAX_TEXT_LENGTH = 10000


class FieldProblem(ValueError):
    """A typed value that is not of the field's type (message marked for translation)."""


def widget_of(field):
    """'checkbox', 'number', 'integer', 'lines', 'textarea', 'date' or 'text'."""
    if isinstance(field, Boolean):
        return "checkbox"
    if isinstance(field, Integer):
        return "integer"
    if isinstance(field, Float):
        return "number"
    if isinstance(field, List):
        return "lines"
    if field.name == "opened_after":
        return "date"
    if isinstance(field, String) and getattr(field, "runtime_options", {}).get("multiline_editor"):
        return "textarea"
    return "text"


def form_value(field, value):
    """The field's current value as the form shows it (lists: one item per line)."""
    widget = widget_of(field)
    if widget == "lines":
        return "\n".join(str(item) for item in (value or []))
    if widget == "checkbox":
        return bool(value)
    if widget == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number(value)  # Points: "2", not "2.0"
    return "" if value is None else str(value)


def parse_value(field, raw):
    """The value a field gets from what the form sent; FieldProblem if it cannot be one."""
    widget = widget_of(field)
    if widget == "checkbox":
        if isinstance(raw, bool):
            return raw
        raise FieldProblem(_("Choose yes or no."))
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str) or len(raw) > MAX_TEXT_LENGTH:
        raise FieldProblem(_("This value is too long or not text."))
    text = raw.strip()
    if widget == "integer":
        try:
            return int(text)
        except ValueError:
            raise FieldProblem(_("Enter a whole number, for example 2.")) from None
    if widget == "number":
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise FieldProblem(_("Enter a number, for example 1 or 2.5.")) from None
        if not math.isfinite(number):
            raise FieldProblem(_("Enter a number, for example 1 or 2.5."))
        return number
    if widget == "lines":
        items = [line.strip() for line in raw.replace(",", "\n").splitlines() if line.strip()]
        if len(items) > MAX_LIST_ITEMS:
            raise FieldProblem(_("Enter at most 100 values."))
        return items
    return raw if widget == "textarea" else text


# Problems that concern no single field (shown at the top of the editor).
WHOLE_FORM = "__all__"


def validate_settings(data, bucket, gettext):
    """ValidationMessage list for the edited values ``data`` (an object with the fields)."""
    return [ValidationMessage(ValidationMessage.ERROR, message)
            for _field, message in field_problems(data, bucket, gettext)]


def field_problems(data, bucket, gettext):
    """[(field name or WHOLE_FORM, translated message)] for the edited values ``data``."""
    problems = []

    def error(field, text, **params):
        problems.append((field, gettext(text) % params))

    required = data.required_count
    if not isinstance(required, int) or isinstance(required, bool) \
            or not 1 <= required <= clamps.MAX_REQUIRED:
        error("required_count",
              _("The number of accepted contributions required must be between 1 and 10."))
    if not isinstance(data.weight, (int, float)) or data.weight < 0:
        error("weight", _("Points must be zero or more."))
    if not isinstance(data.display_name, str) or not data.display_name.strip():
        error("display_name", _("The display name cannot be empty."))
    _validate_rules(data, error)
    validate_mentors(data.mentors, error)
    _validate_hosts(data, bucket, error)
    return problems


def _validate_hosts(data, bucket, error):
    hosts = data.accepted_hosts or []
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        error("accepted_hosts", _("Accepted forges must be a list of host names."))
        return
    try:
        configured = set(forges_for(bucket).registry.hosts())
    except ConfigurationError:
        error(WHOLE_FORM, _("The site's forge configuration is malformed; ask the site operators."))
        return
    unknown = sorted(set(h.strip().lower() for h in hosts) - configured)
    if unknown:
        error("accepted_hosts",
              _("These forges are not configured on this site: %(hosts)s. Configured: %(known)s."),
              hosts=", ".join(unknown), known=", ".join(sorted(configured)))


def _is_text_list(value, limit=100):
    return isinstance(value, list) and all(
        isinstance(item, str) and item.strip() and len(item) <= limit for item in value)


def _validate_rules(data, error):
    if not (data.count_merged or data.count_approved or data.accept_labels
            or data.count_landed_by_commit):
        error("count_merged", _("Choose at least one way a contribution can count (merged, "
              "approved, a label or landed by commit): otherwise nothing would ever count."))
    for name in ("accept_labels", "deny_labels"):
        if not _is_text_list(getattr(data, name)):
            error(name, _("Enter label names, one per line (at most 100 characters each)."))
    try:
        parse_date(data.opened_after)
    except (TypeError, ValueError, AttributeError):
        error("opened_after",
              _("The date must be written YYYY-MM-DD (for example 2026-09-01), or left empty."))
    for name in ("allowed_repositories", "denied_repositories"):
        patterns = getattr(data, name)
        if not isinstance(patterns, list) or not all(
                isinstance(p, str) and is_valid_pattern(p) for p in patterns):
            error(name, _("Repository patterns look like github.com/openedx/* or "
                  "gitlab.com/mooc-floss/**."))
    days = data.waiting_days
    if not isinstance(days, int) or isinstance(days, bool) \
            or not 0 <= days <= clamps.MAX_WAITING_DAYS:
        error("waiting_days", _("The waiting period must be between 0 and 365 days."))


class _EditedValues:
    """The block's fields as they would be after the save (what validation reads)."""

    def __init__(self, block, values):
        self._block, self._values = block, values

    def __getattr__(self, name):
        return self._values[name] if name in self._values else getattr(self._block, name)


class StudioMixin:
    """Studio: the editor's form and save handler, and the preview (``author_view``)."""

    def validate_field_data(self, validation, data):
        bucket = compat.settings_bucket(self)
        for message in validate_settings(data, bucket, compat.gettext(self)):
            validation.add(message)

    def studio_view(self, context=None):  # noqa: ARG002
        gettext = compat.gettext(self)
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
        add_js_catalog(self, fragment)
        fragment.add_javascript(load_text("static", "js/common.js"))
        fragment.add_javascript(load_text("static", "js/studio_edit.js"))
        fragment.initialize_js("UpstreamContributionStudioEditor")
        return fragment

    def _studio_uid(self):
        return "".join(ch for ch in compat.usage_key(self) if ch.isalnum())[-16:]

    @XBlock.handler
    def submit_studio_edits(self, request, suffix=""):  # noqa: ARG002
        """Save the editor's values: {"values": {field: typed value}} → {"result": "success"}."""
        gettext = compat.gettext(self)
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
        if not is_valid_text(values):  # what no field could store nor a page show
            return self._studio_refusal(gettext, {WHOLE_FORM: [gettext(_(
                "Some text is not valid Unicode (a NUL character or a lone surrogate)."))]})
        parsed, problems = self._parse_studio_values(values, gettext)
        for field, message in field_problems(_EditedValues(self, parsed),
                                             compat.settings_bucket(self), gettext):
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

    def author_view(self, context=None):
        gettext = compat.gettext(self)
        html = render_template("author.html", {
            "block": self,
            "settings": self._author_settings(gettext),
            "summary": block_summary(compat.usage_key(self)),
        }, self.runtime.service(self, "i18n"))
        fragment = Fragment(html)
        fragment.add_css(load_text("static", "css/author.css"))
        if is_mentor(self):  # course staff (and listed mentors) see the learners' progress too
            table = self.progress_view(context)
            fragment.add_content(table.content)
            fragment.add_fragment_resources(table)
            fragment.initialize_js(table.js_init_fn, table.json_init_args)
        return fragment

    def _author_settings(self, gettext):
        """(label, value as text) for each setting that decides the grade, as learners get it."""
        rows = [
            (gettext(self.fields["weight"].display_name), _number(self.points())),
            (gettext(self.fields["required_count"].display_name),
             str(clamps.required_count(self.required_count))),
            (gettext(self.fields["accepted_hosts"].display_name),
             ", ".join(clamps.string_tuple(self.accepted_hosts))
             or gettext("all configured forges")),
        ]
        for name in RULE_FIELDS:
            value = getattr(self, name)
            if isinstance(value, bool):
                text = gettext("Yes") if value else gettext("No")
            elif isinstance(value, (list, tuple)):
                text = ", ".join(clamps.string_tuple(value)) or gettext(EMPTY_MEANS.get(
                    name, _("none")))
            else:
                text = str(value) if value not in (None, "") else gettext(EMPTY_MEANS.get(
                    name, _("none")))
            rows.append((gettext(self.fields[name].display_name), text))
        return rows




# What an empty setting means, as the preview says it (an empty list is not always "none").
EMPTY_MEANS = {"allowed_repositories": _("any repository"),
               "opened_after": _("the course start date")}


def _number(value):
    return str(int(value)) if float(value).is_integer() else str(value)
