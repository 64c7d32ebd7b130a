"""Studio validation of the block's settings, with messages an author can act on."""

from xblock.validation import ValidationMessage

from ..config import forges_for
from ..forges import ConfigurationError
from ..repository_patterns import is_valid_pattern
from .roles import validate_mentors
from .rules_fields import parse_date
from ..policy import gettext_noop as _


def validate_settings(data, bucket, gettext):
    """ValidationMessage list for the edited values ``data`` (an object with the fields)."""
    messages = []

    def error(text, **params):
        messages.append(ValidationMessage(ValidationMessage.ERROR, gettext(text) % params))

    if not isinstance(data.required_count, int) or not 1 <= data.required_count <= 10:
        error(_("The number of accepted contributions required must be between 1 and 10."))
    if data.weight is None or data.weight < 0:
        error(_("Points must be zero or more."))
    if not (data.display_name or "").strip():
        error(_("The display name cannot be empty."))
    _validate_rules(data, error)
    validate_mentors(data.mentors, error)
    hosts = data.accepted_hosts or []
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        error(_("Accepted forges must be a list of host names."))
        return messages
    try:
        configured = set(forges_for(bucket).registry.hosts())
    except ConfigurationError:
        error(_("The site's forge configuration is malformed; ask the site operators."))
        return messages
    unknown = sorted(set(h.strip().lower() for h in hosts) - configured)
    if unknown:
        error(_("These forges are not configured on this site: %(hosts)s. Configured: %(known)s."),
              hosts=", ".join(unknown), known=", ".join(sorted(configured)))
    return messages


def _is_text_list(value, limit=100):
    return isinstance(value, list) and all(
        isinstance(item, str) and item.strip() and len(item) <= limit for item in value)


def _validate_rules(data, error):
    if not (data.count_merged or data.count_approved or data.accept_labels
            or data.count_landed_by_commit):
        error(_("Choose at least one way a contribution can count (merged, approved, a label "
              "or landed by commit): otherwise nothing would ever count."))
    for name, label in (("accept_labels", "Labels that count"),
                        ("deny_labels", "Labels that disqualify")):
        if not _is_text_list(getattr(data, name)):
            error(_("%(field)s must be a list of label names."), field=label)
    try:
        parse_date(data.opened_after)
    except (TypeError, ValueError):
        error(_("The date must be written YYYY-MM-DD (for example 2026-09-01), or left empty."))
    for name in ("allowed_repositories", "denied_repositories"):
        patterns = getattr(data, name)
        if not isinstance(patterns, list) or not all(is_valid_pattern(p) for p in patterns):
            error(_("Repository patterns look like github.com/openedx/* or "
                  "gitlab.com/mooc-floss/**."))
    if not isinstance(data.waiting_days, int) or not 0 <= data.waiting_days <= 365:
        error(_("The waiting period must be between 0 and 365 days."))
