"""A total time budget for one forge call: connect, every retry, the headers and the body.

``Deadline`` is the budget, ``deadline_scope`` makes one active for the calls
below it, and the urllib3 connections defined here give up on a forge's
headers when the active deadline passes (a forge that sends its status line
one byte a second never holds a worker past it).
"""

import socket
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from ..i18n import gettext_noop
from .errors import ConfigurationError, ForgeUnavailable

_ACTIVE = ContextVar("upstream_xblock_forge_deadline", default=None)


@contextmanager
def context_value(var, value):
    """``var`` (a ContextVar) set to ``value`` inside the block, as it was again after it."""
    token = var.set(value)
    try:
        yield value
    finally:
        var.reset(token)

# A learner waits on request_s; a sweep gives each check sweep_check_s.
DEFAULT_REQUEST_S = 5.0
DEFAULT_SWEEP_CHECK_S = 20.0
MAX_DEADLINE_S = 600.0


class Deadline:
    """``seconds`` from now on the monotonic clock."""

    def __init__(self, seconds, clock=time.monotonic):
        if not seconds > 0:
            raise ValueError("a deadline is a positive number of seconds")
        self._clock = clock
        self.seconds = float(seconds)
        self.ends_at = clock() + self.seconds

    def remaining(self):
        return max(0.0, self.ends_at - self._clock())

    @property
    def expired(self):
        return self.remaining() <= 0

    def check(self):
        """ForgeUnavailable(reason="deadline") once the budget is spent."""
        if self.expired:
            raise expired_error()

    def bound(self, seconds):
        """``seconds``, or less if the budget ends sooner (never 0: sockets read 0 as "no wait")."""
        return max(0.001, min(float(seconds), self.remaining()))

    def active(self):
        """Make this the deadline of every forge request sent inside the block."""
        return context_value(_ACTIVE, self)

    def __repr__(self):
        return f"Deadline({self.seconds:g} s, {self.remaining():.3f} s left)"


def active_deadline():
    """The deadline set by the innermost ``Deadline.active()`` block, or None."""
    return _ACTIVE.get()


def expired_error():
    return ForgeUnavailable(
        gettext_noop("The forge did not answer in time. It will be tried again later."),
        reason="deadline")


@contextmanager
def deadline_scope(deadline, default_s):
    """``deadline`` if given, else the innermost active one, else ``default_s`` from now."""
    chosen = deadline or active_deadline() or Deadline(default_s)
    with chosen.active():
        yield chosen


@dataclass(frozen=True)
class Deadlines:
    """The operator's time budgets, in seconds (``{"deadlines": {...}}`` in the bucket)."""

    request_s: float = DEFAULT_REQUEST_S
    sweep_check_s: float = DEFAULT_SWEEP_CHECK_S

    @classmethod
    def from_settings(cls, settings):
        value = (settings or {}).get("deadlines") if isinstance(settings, dict) else None
        if value is None:
            return cls()
        if not isinstance(value, dict):
            raise ConfigurationError("'deadlines' must be an object")
        unknown = set(value) - {"request_s", "sweep_check_s"}
        if unknown:
            raise ConfigurationError(f"unknown deadline setting(s): {', '.join(sorted(unknown))}")
        budgets = {}
        for key, seconds in value.items():
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) \
                    or not 0 < seconds <= MAX_DEADLINE_S:
                raise ConfigurationError(
                    f"deadlines.{key} must be a number of seconds above 0, at most "
                    f"{MAX_DEADLINE_S:g}")
            budgets[key] = float(seconds)
        return cls(**budgets)


def _shut(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: nothing left to interrupt


class _HeadWithinDeadline:
    """Mixin for urllib3 connections: reading the response head is bounded by the deadline."""

    def getresponse(self, *args, **kwargs):
        deadline = active_deadline()
        sock = getattr(self, "sock", None)
        if deadline is None or sock is None:
            return super().getresponse(*args, **kwargs)
        timer = threading.Timer(deadline.remaining(), _shut, args=(sock,))
        timer.daemon = True
        timer.start()
        try:
            return super().getresponse(*args, **kwargs)
        finally:
            timer.cancel()


class DeadlineHTTPConnection(_HeadWithinDeadline, HTTPConnection):
    pass


class DeadlineHTTPSConnection(_HeadWithinDeadline, HTTPSConnection):
    pass


class DeadlineHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = DeadlineHTTPConnection


class DeadlineHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = DeadlineHTTPSConnection


POOL_CLASSES = {"http": DeadlineHTTPConnectionPool, "https": DeadlineHTTPSConnectionPool}
