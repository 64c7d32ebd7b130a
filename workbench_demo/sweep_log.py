"""The demo's console: a sweep line when a sweep changed something, else a slow heartbeat.

The background loop sweeps every few seconds; printing every sweep buries what
matters (hundreds of lines that say a record was checked and found as it was). A
line is shown when a record's state or verdict changed, one was accepted, a
learner was awarded or an award published; any other line (idle, or checks that
found nothing new, errors that repeat) at most once per ``heartbeat_s``.
"""

import logging
import re
import time

COUNTS = re.compile(r"(\w+)=(\d+)")
CHANGES = ("changed", "accepted", "awarded", "published")  # what a reader wants to see


class QuietIdleSweeps(logging.Filter):
    """Lets through sweep lines that report work, and one idle line per heartbeat."""

    def __init__(self, heartbeat_s=300, clock=time.monotonic):
        super().__init__()
        self.heartbeat_s = heartbeat_s
        self.clock = clock
        self._last_idle = None

    def filter(self, record):
        message = record.getMessage()
        if not message.startswith("upstream_xblock sweep:"):
            return True
        counts = {name: int(value) for name, value in COUNTS.findall(message)}
        if any(counts.get(name) for name in CHANGES):
            return True
        now = self.clock()
        if self._last_idle is None or now - self._last_idle >= self.heartbeat_s:
            self._last_idle = now
            return True
        return False
