"""Studio validation of the block's settings, with messages an author can act on."""

from xblock.validation import ValidationMessage

from .config import forges_for
from .forges import ConfigurationError


def validate_settings(data, bucket, gettext):
    """ValidationMessage list for the edited values ``data`` (an object with the fields)."""
    messages = []

    def error(text, **params):
        messages.append(ValidationMessage(ValidationMessage.ERROR, gettext(text) % params))

    if not isinstance(data.required_count, int) or not 1 <= data.required_count <= 10:
        error("The number of accepted contributions required must be between 1 and 10.")
    if data.weight is None or data.weight < 0:
        error("Points must be zero or more.")
    if not (data.display_name or "").strip():
        error("The display name cannot be empty.")
    hosts = data.accepted_hosts or []
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        error("Accepted forges must be a list of host names.")
        return messages
    try:
        configured = set(forges_for(bucket).registry.hosts())
    except ConfigurationError:
        error("The site's forge configuration is malformed; ask the site operators.")
        return messages
    unknown = sorted(set(h.strip().lower() for h in hosts) - configured)
    if unknown:
        error("These forges are not configured on this site: %(hosts)s. Configured: %(known)s.",
              hosts=", ".join(unknown), known=", ".join(sorted(configured)))
    return messages
