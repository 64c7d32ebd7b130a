"""The one per-learner throttle, on the actions that cost the site's shared forge budget.

Register, withdraw and "Check now" each ask a forge (or a worker) on behalf of
one learner, and so does each try of a verification code; without a limit, a
learner cycling register/withdraw spends the site's token for everyone. Counts
live in Django's cache (shared by every LMS process). A sliding window (this
window's count plus the previous window's, weighted by how much of it still
overlaps) keeps a learner from doubling the limit across a window edge, as
fixed windows allow. Limits are set in the
settings bucket::

    "throttles": {"register": {"limit": 12, "window_s": 600}, ...}
"""

import hashlib
import math
import time

from django.core.cache import cache as default_cache

from .i18n import fill, ngettext_noop

DEFAULT_LIMITS = {  # action: (requests, per seconds)
    "register": (12, 600),   # a block takes 10 contributions; a few typos on top
    "withdraw": (12, 600),
    "check_now": (20, 600),
    "verify_code": (10, 600),  # each try reads the contribution's comments on the forge
}


class Throttled(Exception):
    """Too many requests of one kind from one learner; ``retry_in_s`` says when to come back."""

    code = "throttled"
    template = ngettext_noop("Too many requests. Try again in %(seconds)s second.",
                             "Too many requests. Try again in %(seconds)s seconds.", "seconds")

    def __init__(self, retry_in_s):
        self.retry_in_s = retry_in_s
        super().__init__(fill(self.template, {"seconds": retry_in_s}))


class Throttle:
    def __init__(self, limits=None, cache=None, clock=time.time):
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self.cache = cache or default_cache
        self.clock = clock

    @classmethod
    def from_settings(cls, bucket):
        """Limits from the bucket's optional ``"throttles"`` (positive integers only)."""
        limits = {}
        configured = (bucket or {}).get("throttles")
        for action, value in (configured if isinstance(configured, dict) else {}).items():
            if action in DEFAULT_LIMITS and isinstance(value, dict):
                limit, window = value.get("limit"), value.get("window_s")
                if all(isinstance(n, int) and not isinstance(n, bool) and n > 0
                       for n in (limit, window)):
                    limits[action] = (limit, window)
        return cls(limits)

    def hit(self, action, learner_id):
        """Count one ``action`` of ``learner_id``; raise Throttled past the limit.

        A refused request is not counted, so waiting ``retry_in_s`` is enough.
        """
        limit, window_s = self.limits[action]
        now = self.clock()
        window_start = int(now // window_s) * window_s
        learner = hashlib.sha256(str(learner_id).encode()).hexdigest()[:16]
        prefix = f"upstream_xblock:throttle:{action}:{learner}:"
        key = f"{prefix}{window_start}"
        count = self._increment(key, window_s)
        previous = self.cache.get(f"{prefix}{window_start - window_s}", 0)
        overlap = 1 - (now - window_start) / window_s  # share of the previous window still in
        if count + previous * overlap > limit:
            self._decrement(key)
            raise Throttled(_retry_in_s(limit, window_s, now - window_start, count - 1, previous))

    def _increment(self, key, window_s):
        # Kept for two windows: the next window weighs this one's count.
        self.cache.add(key, 0, timeout=2 * window_s + 5)
        try:
            return self.cache.incr(key)
        except ValueError:  # the entry expired between add and incr
            self.cache.set(key, 1, timeout=2 * window_s + 5)
            return 1

    def _decrement(self, key):
        try:
            self.cache.decr(key)
        except ValueError:  # expired meanwhile: nothing left to give back
            pass


def _retry_in_s(limit, window_s, elapsed, counted, previous):
    """Seconds until one more request fits, given what this and the previous window hold.

    Past a full window this can exceed the window's rest: the next window
    still weighs this one's requests while they slide out.
    """
    if counted + 1 > limit:  # this window is full: wait into the next one, until
        # counted * (1 - t / window_s) + 1 <= limit there.
        wait = window_s - elapsed + window_s * (1 - (limit - 1) / counted)
    else:  # the previous window's weighted share must slide out far enough
        wait = window_s * (1 - (limit - counted - 1) / previous) - elapsed
    return max(math.ceil(round(wait, 6)), 1)  # round: float noise must not add a second
