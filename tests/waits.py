"""The waits a forge call starts, counted: the time a call takes, without reading a clock.

A forge call spends time in three places only: a socket wait, each cut to what its
deadline has left (``Deadline.bound``); the timer that shuts the socket while a
response's head trickles in (``forges/connections.py``); and a sleep (the transport's
pause between retries, or a client library's own back-off). ``Waits`` records the last
two while a test runs, so that "the call ends within its deadline" is asserted as what
the call asked to wait for, on a machine of any speed, instead of as the seconds it
took on this one.

``time.sleep`` is replaced, not wrapped: nothing sleeps while a test runs. A sleep from
outside the package (PyGithub, python-gitlab, requests, urllib3) is recorded, then
raised as ``LibrarySlept``, so that a library's own retry loop cannot go on asking.
"""

import sys
import threading

PACKAGE = "upstream_xblock"


class LibrarySlept(AssertionError):
    """A client library tried to sleep: the transport should never have let it."""


class Waits:
    """What the code under test asked to wait for, in seconds, in the order asked."""

    def __init__(self, monkeypatch):
        self.sleeps = []  # (seconds, the calling module)
        self.timers = []  # the interval of each timer started
        waits = self

        class RecordedTimer(threading.Timer):
            def __init__(self, interval, *args, **kwargs):
                waits.timers.append(interval)
                super().__init__(interval, *args, **kwargs)

        monkeypatch.setattr(threading, "Timer", RecordedTimer)
        monkeypatch.setattr("time.sleep", self._sleep)

    def _sleep(self, seconds):
        caller = sys._getframe(1).f_globals.get("__name__", "?")  # pylint: disable=protected-access
        self.sleeps.append((seconds, caller))
        if caller.split(".")[0] != PACKAGE:
            raise LibrarySlept(f"{caller} tried to sleep {seconds} s")

    @property
    def library_sleeps(self):
        return [(s, caller) for s, caller in self.sleeps if caller.split(".")[0] != PACKAGE]

    @property
    def slept_s(self):
        """The seconds the package's own pauses would have taken."""
        return sum(seconds for seconds, _caller in self.sleeps)

    def assert_each_within(self, seconds):
        """Nothing slept but the package's pauses; no pause and no timer over ``seconds``."""
        assert self.library_sleeps == [], self.library_sleeps
        assert all(pause <= seconds for pause, _caller in self.sleeps), self.sleeps
        assert all(0 < interval <= seconds for interval in self.timers), self.timers

    def assert_within(self, deadline_s, heads_read=None):
        """One call: its pauses fit in ``deadline_s`` together, and every head was read
        under a timer no longer than the deadline (one per request, if given)."""
        self.assert_each_within(deadline_s)
        assert self.slept_s <= deadline_s, self.sleeps
        if heads_read is not None:
            assert len(self.timers) == heads_read, (self.timers, heads_read)
