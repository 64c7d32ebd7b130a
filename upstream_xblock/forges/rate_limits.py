"""Reading each forge's way of saying "not now": rate-limit headers and Retry-After.

- GitHub: primary limit = 403 or 429 with ``X-RateLimit-Remaining: 0`` (reset in
  ``X-RateLimit-Reset``, epoch seconds); secondary limit = 403 or 429 with
  ``Retry-After`` (seconds).
- GitLab: 429 with ``RateLimit-Reset`` (epoch seconds) and ``Retry-After``; a 403
  with ``RateLimit-Remaining: 0`` is a limit too.
- Gerrit, Gitea/Forgejo (and the proxies in front of them): 429 with
  ``Retry-After``.

``Retry-After`` may be a number of seconds or an HTTP date (RFC 9110).
"""

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from .errors import RateLimited

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
