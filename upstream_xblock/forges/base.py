"""What every forge client returns, and small helpers they share."""

from dataclasses import dataclass
from datetime import datetime

from .snapshot import Snapshot


@dataclass(frozen=True)
class RateLimitInfo:
    """The forge's own account of the budget left for our credentials."""

    remaining: int
    limit: int
    reset_at: datetime | None


@dataclass(frozen=True)
class FetchResult:
    """One check's outcome. ``snapshot`` is None when the forge said 304."""

    snapshot: Snapshot | None
    etag: str | None = None
    rate_limit: RateLimitInfo | None = None

    @property
    def unchanged(self):
        return self.snapshot is None


def same_site_url(candidate, forge, fallback):
    """The forge's own page URL if it is on the configured web site, else ``fallback``.

    A forge's answer is untrusted: a link we show must not lead elsewhere.
    """
    if isinstance(candidate, str) and candidate.startswith(forge.web_url + "/") \
            and len(candidate) <= 2048 and not any(c in candidate for c in "\"'<> \\"):
        return candidate
    return fallback
