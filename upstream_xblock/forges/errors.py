"""Typed errors of the forge layer, and how each forge says "not now".

Every error carries a stable ``code`` (the contract of the command line and of
the block's JSON handlers), a ``reason`` that tells apart the cases sharing a
code, and an English ``message`` built from a constant ``template`` (a
translation message id with ``%(name)s`` placeholders) and its ``params``, so
the block can show it in the learner's language. Messages never contain a
token or anything the operator keeps secret: they are shown to learners and
written to logs.

Rate limits are read as each forge states them: GitHub's primary and secondary
limits, ``Retry-After`` in seconds or as a date, GitLab's ``RateLimit-*``. Every
time a forge gives is bounded (``MAX_WAIT``), and a value that is not a sane
number is ignored with a log line, never an exception.
"""

import logging
import re
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


# A forge asking us to wait longer than this is believed only up to it (the schedule then
# caps it again at the configured ``polling.max_wait_s``): a reset in year 9999 parks nothing
# until then, and no date arithmetic on it can overflow.
MAX_WAIT = timedelta(days=1)
_REMAINING = ("x-ratelimit-remaining", "ratelimit-remaining")
_RESETS = ("x-ratelimit-reset", "ratelimit-reset")
# Counts a forge states with its limits: whole numbers, nothing else.
_COUNTS = ("x-ratelimit-remaining", "x-ratelimit-limit", "x-ratelimit-used",
           "ratelimit-remaining", "ratelimit-limit", "ratelimit-observed")
_EPOCH_RE = re.compile(r"^\d{1,12}(\.\d{1,9})?$")  # seconds since 1970, a fraction allowed
_SECONDS_RE = re.compile(r"^\d{1,10}$")
_COUNT_RE = re.compile(r"^\d{1,12}$")

log = logging.getLogger(__name__)


def _lower(headers):
    return {str(k).lower(): str(v) for k, v in (headers or {}).items()}


def _now(now):
    return now or datetime.now(timezone.utc)


def bounded_reset(moment, now=None):
    """A forge's "ask again at" time, never before ``now`` nor after ``now + MAX_WAIT``."""
    if moment is None:
        return None
    now = _now(now)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return min(max(moment, now), now + MAX_WAIT)


def _ignored(name, value):
    log.info("ignored the forge's %s header: %r is not a sane value", name, value[:40])


def _http_date(value):
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def retry_after(headers, now=None):
    """``Retry-After`` as a UTC datetime (from seconds or an HTTP date), or None."""
    now = _now(now)
    value = _lower(headers).get("retry-after", "").strip()
    if not value:
        return None
    if _SECONDS_RE.match(value):
        return bounded_reset(now + timedelta(seconds=min(int(value), MAX_WAIT.total_seconds())),
                             now)
    moment = _http_date(value)
    if moment is None:
        _ignored("Retry-After", value)
        return None
    return bounded_reset(moment.astimezone(timezone.utc), now)


def _epoch(value):
    """An epoch-seconds header as a UTC datetime, or None when it is not a sane number."""
    if not _EPOCH_RE.match(value):
        return None
    try:
        return datetime.fromtimestamp(float(value), tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def reset_time(headers, *names, now=None):
    """The first epoch-seconds reset header among ``names`` as a UTC datetime, bounded."""
    lower = _lower(headers)
    for name in names:
        value = (lower.get(name.lower()) or "").strip()
        if not value:
            continue
        moment = _epoch(value)
        if moment is None:
            _ignored(name, value)
            return None
        return bounded_reset(moment, now)
    return None


def limit_reset(headers, now=None):
    """When the forge says we may ask again: Retry-After first, then its reset header."""
    return retry_after(headers, now) or reset_time(headers, *_RESETS, now=now)


def sanitize_rate_headers(headers, now=None):
    """Make a response's rate-limit headers sane before any library reads them (in place).

    A value that is not a sane number (``inf``, ``1e18``, ``-5``, text) is removed,
    with a log line; a reset or ``Retry-After`` beyond ``MAX_WAIT`` is brought back to
    it. PyGithub and python-gitlab then never see a value that overflows their
    arithmetic, and every reader here gets a bounded time.
    """
    now = _now(now)
    for name in list(headers.keys()):
        lower, value = str(name).lower(), str(headers[name]).strip()
        if lower in _COUNTS and not _COUNT_RE.match(value):
            _ignored(name, value)
            del headers[name]
        elif lower in _RESETS:
            moment = _epoch(value)
            if moment is None:
                _ignored(name, value)
                del headers[name]
            else:
                headers[name] = str(int(bounded_reset(moment, now).timestamp()))
        elif lower == "retry-after":
            moment = retry_after({name: value}, now)
            if moment is None:
                del headers[name]
            elif _SECONDS_RE.match(value):
                headers[name] = str(int((moment - now).total_seconds()))
    return headers


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
