"""A rate-limit budget per forge host and token, shared by every worker through Django's cache.

The forge's own headers say how many requests are left and when the window
resets; each sweep records them and asks before spending. When the budget is
low, work is deferred to after the reset instead of failing.
"""

import hashlib
from datetime import datetime, timezone

from django.core.cache import cache as default_cache

from ..forges import FetchResult, RateLimited

RESERVE = 50  # left for learners' "Check now" and registrations between sweeps


class RateBudget:
    def __init__(self, cache=None, reserve=RESERVE):
        self.cache = cache or default_cache
        self.reserve = reserve

    @staticmethod
    def key(forge):
        # The token itself never goes into a cache key: a hash tells tokens apart.
        token_id = hashlib.sha256((forge.token or "anonymous").encode()).hexdigest()[:16]
        return f"upstream_xblock:budget:{forge.host}:{token_id}"

    def available(self, forge, now, reserve=None):
        """(requests we may spend now or None if unknown, reset time or None).

        ``reserve``: what to leave for learners (default: this budget's
        reserve; 0 for checks a learner asked for).
        """
        state = self.cache.get(self.key(forge))
        if not state:
            return None, None
        reset = state["reset"]
        reset_at = datetime.fromtimestamp(reset, tz=timezone.utc) if reset else None
        if reset_at is not None and reset_at <= now:
            return None, None
        keep = self.reserve if reserve is None else reserve
        return max(state["remaining"] - keep, 0), reset_at

    def record(self, forge, rate_limit, now):
        """Remember the forge's latest word (a RateLimitInfo) until its window resets."""
        if rate_limit is None:
            return
        reset = int(rate_limit.reset_at.timestamp()) if rate_limit.reset_at else 0
        timeout = max(int(reset - now.timestamp()) + 60, 60) if reset else 3600
        self.cache.set(self.key(forge), {"remaining": rate_limit.remaining, "reset": reset,
                                         "limit": rate_limit.limit}, timeout=timeout)

    def known_limit(self, forge):
        """The hourly limit the forge last stated for this token (None: not known)."""
        state = self.cache.get(self.key(forge))
        limit = state.get("limit") if isinstance(state, dict) else None
        return limit if isinstance(limit, int) and limit > 0 else None

    def note(self, forge, outcome, now):
        """What one check's outcome says of the budget: a rate limit's "no more" until its
        reset, or an answer's headers (other errors say nothing)."""
        if isinstance(outcome, RateLimited):
            self.exhausted(forge, outcome.reset_at, now)
        elif isinstance(outcome, FetchResult):
            self.record(forge, outcome.rate_limit, now)

    def exhausted(self, forge, reset_at, now):
        """A 403/429 said "no more": nothing is left until ``reset_at``."""
        if reset_at is None or reset_at <= now:
            return
        self.cache.set(self.key(forge), {"remaining": 0, "reset": int(reset_at.timestamp())},
                       timeout=int((reset_at - now).total_seconds()) + 60)
