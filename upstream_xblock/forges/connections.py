"""urllib3 connections that give up on a forge's headers when the deadline passes.

A socket timeout bounds each wait for bytes, not the whole answer: a forge
sending its status line and headers one byte at a time would never time out.
While a response's head is read, a timer shuts the socket down when the
active ``Deadline`` ends; the read then fails at once and the transport turns
that into ``ForgeUnavailable(reason="deadline")``. (The body is bounded by the
transport itself, which reads it a piece at a time.)
"""

import socket
import threading

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .deadline import active_deadline


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
