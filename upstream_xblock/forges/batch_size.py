"""How many contributions to ask for in one batch request, learned from the answers.

Additive increase, multiplicative decrease: after a fast and complete answer
the size grows by a step (up to ``maximum``); after a timeout, a 502 or a
"too big" answer (GitHub's ``RESOURCE_LIMITS_EXCEEDED``, GitLab's complexity
error, a Gerrit answer cut by its query limit) it halves (down to
``minimum``). One instance per client, so what one sweep learned about a host
serves the next.
"""

import threading

# An answer slower than this is not "fast": GitHub stops a GraphQL query at 10 s.
FAST_ANSWER_S = 2.0


class AdaptiveBatchSize:
    """The current batch size of one host's batch reader (thread-safe)."""

    def __init__(self, start, maximum, minimum=1, step=None):
        if not 1 <= minimum <= start <= maximum:
            raise ValueError("batch sizes must satisfy 1 <= minimum <= start <= maximum")
        self.minimum, self.maximum = minimum, maximum
        self.step = step or max(1, maximum // 10)
        self._size = start
        self._lock = threading.Lock()

    @property
    def size(self):
        return self._size

    def answered(self, seconds, complete=True):
        """Grow after a fast, complete answer; keep the size otherwise."""
        if complete and seconds < FAST_ANSWER_S:
            with self._lock:
                self._size = min(self.maximum, self._size + self.step)

    def too_big(self, asked=None):
        """Halve (from what was asked, if smaller than the current size). False at the minimum."""
        with self._lock:
            base = min(self._size, asked or self._size)
            if base <= self.minimum:
                self._size = self.minimum
                return False
            self._size = max(self.minimum, base // 2)
            return True

    def cap(self, limit):
        """Never ask for more than ``limit`` again (a limit the forge told us)."""
        with self._lock:
            self.maximum = max(self.minimum, min(self.maximum, limit))
            self._size = min(self._size, self.maximum)
