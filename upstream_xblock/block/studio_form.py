"""The Studio editor's form: what each editable field looks like and how typed text becomes a value.

Lists are edited one value per line (no JSON to type); numbers and booleans are
parsed here, so that a wrongly typed value becomes a message next to its field,
never a server error.
"""

from xblock.fields import Boolean, Float, Integer, List, String

from ..i18n import gettext_noop as _
from .clamps import MAX_LIST_ITEMS

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
        if number != number or number in (float("inf"), float("-inf")):
            raise FieldProblem(_("Enter a number, for example 1 or 2.5."))
        return number
    if widget == "lines":
        items = [line.strip() for line in raw.replace(",", "\n").splitlines() if line.strip()]
        if len(items) > MAX_LIST_ITEMS:
            raise FieldProblem(_("Enter at most 100 values."))
        return items
    return raw if widget == "textarea" else text
