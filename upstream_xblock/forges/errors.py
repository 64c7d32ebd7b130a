"""Typed errors of the forge layer, and how each forge says "not now".

Every error carries a stable ``code`` (the contract of the command line and of
the block's JSON handlers), a ``reason`` that tells apart the cases sharing a
code, and an English ``message`` built from a constant ``template`` (a
translation message id with ``%(name)s`` placeholders) and its ``params``, so
the block can show it in the learner's language. Messages never contain a
token or anything the operator keeps secret: they are shown to learners and
written to logs.

Rate limits are read as each forge states them: GitHub's primary and secondary
limits, ``Retry-After`` in seconds or as a date, GitLab's ``RateLimit-*``.
"""

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from ..errors import UpstreamError


class ForgeError(UpstreamError):
    """Base class: something kept us from reading a contribution."""

    code = "forge_error"

    def __init__(self, template, reason=None, params=None):
        self.reason = reason or self.code
        super().__init__(self.code, template, params=params, reason=self.reason)


class InvalidUrl(ForgeError):
    """The text is not the address of a pull/merge request or change."""

    code = "invalid_url"


class UnsupportedHost(ForgeError):
    """The address is on a host this installation does not contact."""

    code = "unsupported_host"


class NotFound(ForgeError):
    """The forge says the contribution does not exist (or is private)."""

    code = "not_found"


class ForgeUnavailable(ForgeError):
    """The forge could not be reached or answered something unusable."""

    code = "forge_unavailable"


class RateLimited(ForgeError):
    """The forge refuses more requests until ``reset_at`` (a UTC datetime or None)."""

    code = "rate_limited"

    def __init__(self, template, reset_at=None, reason=None, params=None):
        super().__init__(template, reason, params)
        self.reset_at = reset_at

    def as_dict(self, gettext=lambda text: text):
        data = super().as_dict(gettext)
        data["reset_at"] = self.reset_at.isoformat() if self.reset_at else None
        return data


class AuthFailed(ForgeError):
    """The forge rejected the configured credentials."""

    code = "auth_failed"


class ConfigurationError(ValueError):
    """The operator's forge configuration is malformed (never shows a token)."""


# A forge asking us to wait longer than this is believed only up to it.
MAX_WAIT = timedelta(days=1)
_REMAINING = ("x-ratelimit-remaining", "ratelimit-remaining")
_RESETS = ("x-ratelimit-reset", "ratelimit-reset")


def _lower(headers):
    return {str(k).lower(): str(v) for k, v in (headers or {}).items()}


def _bounded(moment, now):
    return min(max(moment, now), now + MAX_WAIT)


def retry_after(headers, now=None):
    """``Retry-After`` as a UTC datetime (from seconds or an HTTP date), or None."""
    now = now or datetime.now(timezone.utc)
    value = _lower(headers).get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit() and len(value) <= 10:
        return _bounded(now + timedelta(seconds=int(value)), now)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return _bounded(moment.astimezone(timezone.utc), now)


def reset_time(headers, *names):
    """The first epoch-seconds reset header among ``names`` as a UTC datetime."""
    lower = _lower(headers)
    for name in names:
        value = lower.get(name.lower())
        if value and value.isdigit() and len(value) <= 12:
            try:
                return datetime.fromtimestamp(int(value), tz=timezone.utc)
            except (OverflowError, OSError, ValueError):
                return None
    return None


def limit_reset(headers):
    """When the forge says we may ask again: Retry-After first, then its reset header."""
    return retry_after(headers) or reset_time(headers, *_RESETS)


def is_rate_limited(status, headers):
    """True when ``status`` with ``headers`` is a forge's rate limit, not a refusal."""
    if status == 429:
        return True
    if status != 403:
        return False
    lower = _lower(headers)
    return any(lower.get(name) == "0" for name in _REMAINING) or "retry-after" in lower


def rate_limited(headers, template="The forge's rate limit is exhausted.", params=None):
    """RateLimited with the reset time the forge gave (None if it gave none we can read)."""
    return RateLimited(template, params=params, reset_at=limit_reset(headers))
