"""A rate-limit budget per forge host and token, shared by every worker through Django's cache.

The forge's own headers say how many requests are left and when the window
resets; each sweep records them and asks before spending. When the budget is
low, work is deferred to after the reset instead of failing. A reset is
believed up to the configured maximum wait (``polling.max_wait_s``): a host
parked by a reset in year 9999 is tried again when that cap passes, and the
first good answer ends the parking.
"""

import hashlib
from datetime import datetime, timedelta, timezone

from django.core.cache import cache as default_cache

from .. import compat
from ..forges import FetchResult, RateLimited
from .schedule import schedule_for

RESERVE = 50  # left for learners' "Check now" and registrations between sweeps


class RateBudget:
    def __init__(self, cache=None, reserve=RESERVE, max_wait_s=None):
        self.cache = cache or default_cache
        self.reserve = reserve
        if max_wait_s is None:  # sweeps and tasks: the site's settings bucket says
            max_wait_s = schedule_for(compat.global_settings_bucket()).max_wait_s
        self.max_wait = timedelta(seconds=max_wait_s)

    @staticmethod
    def key(forge):
        # The token itself never goes into a cache key: a hash tells tokens apart.
        token_id = hashlib.sha256((forge.token or "anonymous").encode()).hexdigest()[:16]
        return f"upstream_xblock:budget:{forge.host}:{token_id}"

    def _capped(self, reset_at, now):
        return min(reset_at, now + self.max_wait) if reset_at is not None else None

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
        return max(state["remaining"] - keep, 0), self._capped(reset_at, now)

    def _store(self, forge, state, reset_at, now):
        """Keep ``state`` until ``reset_at`` (capped) has passed, or an hour without one."""
        reset_at = self._capped(reset_at, now)
        state["reset"] = int(reset_at.timestamp()) if reset_at else 0
        timeout = int((reset_at - now).total_seconds()) + 60 if reset_at else 3600
        self.cache.set(self.key(forge), state, timeout=max(timeout, 60))

    def record(self, forge, rate_limit, now):
        """Remember the forge's latest word (a RateLimitInfo) until its window resets."""
        if rate_limit is None:
            return
        self._store(forge, {"remaining": rate_limit.remaining, "limit": rate_limit.limit},
                    rate_limit.reset_at, now)

    def known_limit(self, forge):
        """The hourly limit the forge last stated for this token (None: not known)."""
        state = self.cache.get(self.key(forge))
        limit = state.get("limit") if isinstance(state, dict) else None
        return limit if isinstance(limit, int) and limit > 0 else None

    def note(self, forge, outcome, now):
        """What one check's outcome says of the budget: a rate limit's "no more" until its
        reset, an answer's headers, or (an answer without them) that the host answers again.
        Other errors say nothing."""
        if isinstance(outcome, RateLimited):
            self.exhausted(forge, outcome.reset_at, now)
        elif isinstance(outcome, FetchResult):
            if outcome.rate_limit is not None:
                self.record(forge, outcome.rate_limit, now)
            else:
                self.recovered(forge)

    def exhausted(self, forge, reset_at, now):
        """A 403/429 said "no more": nothing is left until ``reset_at`` (at most the cap)."""
        if reset_at is None or reset_at <= now:
            return
        self._store(forge, {"remaining": 0}, reset_at, now)

    def recovered(self, forge):
        """A good answer after a "no more": the host is no longer parked."""
        state = self.cache.get(self.key(forge))
        if isinstance(state, dict) and state.get("remaining") == 0:
            self.cache.delete(self.key(forge))
