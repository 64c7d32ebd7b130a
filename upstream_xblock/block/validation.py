"""Studio validation of the block's settings, with messages an author can act on.

Each problem names the field it belongs to, so that the editor shows it next to
that field; Studio's own validation panel gets the same messages.
"""

from xblock.validation import ValidationMessage

from ..forges import forges_for
from ..forges import ConfigurationError
from ..repository_patterns import is_valid_pattern
from . import clamps
from .roles import validate_mentors
from .rules_fields import parse_date
from ..i18n import gettext_noop as _

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
