"""What a mentor sends to vouch for a contribution, validated before anything is stored.

Everything here is typed by a person and shown to others (the learner, other
mentors): it is bounded in size, free of control and bidirectional-override
characters, and the URL is only ever shown as a link, never fetched from
here, so any host is allowed but the address must be a plain http(s) URL.
"""

import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import LayerError
from ..i18n import gettext_noop as _

MAX_REASON = 500
MAX_DESCRIPTION = 2000
MAX_URL = 500
# Characters that make text read differently from what it is (Trojan Source).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


class VouchError(LayerError):
    """A vouch the tracking layer refuses: a stable code, an English template, an HTTP status."""


@dataclass(frozen=True)
class VouchRequest:
    reason: str
    url: str = ""
    description: str = ""


def _bad(field, limit):
    return VouchError("bad_request", _("Send %(field)s as text of at most %(limit)s characters, "
                                       "without control characters."),
                      params={"field": field, "limit": limit})


def clean_text(value, field, limit, multiline=False):
    """``value`` stripped, or VouchError: text, 1..limit characters, no control characters."""
    if not isinstance(value, str):
        raise _bad(field, limit)
    value = value.strip()
    allowed = "\n\t" if multiline else ""
    if not value or len(value) > limit or any(
            (unicodedata.category(c) == "Cc" and c not in allowed) or c in BIDI_CONTROLS
            for c in value):
        raise _bad(field, limit)
    return value


def clean_url(value):
    """A plain absolute http(s) URL with a host name, no credentials, no spaces."""
    url = clean_text(value, "url", MAX_URL)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        raise _invalid_url() from None
    if parts.scheme not in ("http", "https") or not host or not port_ok \
            or parts.username is not None or any(c.isspace() for c in url) \
            or not all(c.isalnum() or c in ".-" for c in host):
        raise _invalid_url()
    return url


def _invalid_url():
    return VouchError("invalid_url", _("Give the contribution's address as a web address "
                                       "starting with https:// or http://."))


def parse_vouch(data):
    """A VouchRequest from the handler's JSON: a reason, and a URL or a description (or both)."""
    reason = clean_text(data.get("reason"), "reason", MAX_REASON)
    url = data.get("url")
    description = data.get("description")
    url = "" if url in (None, "") else clean_url(url)
    description = "" if description in (None, "") else clean_text(
        description, "description", MAX_DESCRIPTION, multiline=True)
    if not url and not description:
        raise VouchError("bad_request", _("Give the contribution's address (url) or describe "
                                          "it (description)."))
    return VouchRequest(reason=reason, url=url, description=description)
