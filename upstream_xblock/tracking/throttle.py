"""Per-learner throttles on the actions that cost the site's shared forge budget.

Register, withdraw and "Check now" each ask a forge (or a worker) on behalf of
one learner; without a limit, a learner cycling register/withdraw spends the
site's token for everyone. Counts live in Django's cache (shared by every LMS
process), in fixed windows. Limits are set in the settings bucket::

    "throttles": {"register": {"limit": 10, "window_s": 600}, ...}
"""

import hashlib
import time

from django.core.cache import cache as default_cache

from ..policy import gettext_noop as _

DEFAULT_LIMITS = {  # action: (requests, per seconds)
    "register": (12, 600),   # a block takes 10 contributions; a few typos on top
    "withdraw": (12, 600),
    "check_now": (20, 600),
}


class Throttled(Exception):
    """Too many requests of one kind from one learner; ``retry_in_s`` says when to come back."""

    code = "throttled"
    template = _("Too many requests. Try again in %(seconds)s seconds.")

    def __init__(self, retry_in_s):
        self.retry_in_s = retry_in_s
        super().__init__(self.template % {"seconds": retry_in_s})


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
        """Count one ``action`` of ``learner_id``; raise Throttled past the limit."""
        limit, window_s = self.limits[action]
        now = self.clock()
        window_start = int(now // window_s) * window_s
        learner = hashlib.sha256(str(learner_id).encode()).hexdigest()[:16]
        key = f"upstream_xblock:throttle:{action}:{learner}:{window_start}"
        self.cache.add(key, 0, timeout=window_s + 5)
        try:
            count = self.cache.incr(key)
        except ValueError:  # the entry expired between add and incr: a new window
            self.cache.set(key, 1, timeout=window_s + 5)
            count = 1
        if count > limit:
            raise Throttled(max(int(window_start + window_s - now) + 1, 1))
