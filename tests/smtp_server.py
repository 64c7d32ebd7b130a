"""A loopback SMTP server (aiosmtpd) that keeps every message delivered to it, parsed.

The notices' tests and bench send through Django's SMTP email backend to it, so
that what edx-ace hands Django goes over a real SMTP conversation.
"""

import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Keeper:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802,ARG002  (aiosmtpd's API)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class LoopbackSMTP:
    """``with LoopbackSMTP() as smtp``: ``smtp.port``, ``smtp.messages`` [(recipients, msg)]."""

    def __init__(self):
        self.keeper = _Keeper()
        self.port = free_port()
        self.controller = Controller(self.keeper, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def messages(self):
        with self.keeper.lock:
            return list(self.keeper.messages)

    def to(self, address):
        return [message for recipients, message in self.messages if address in recipients]

    @staticmethod
    def text(message):
        """The plain-text part and the HTML part, joined (what a reader could see)."""
        parts = [part.get_content() for part in message.walk()
                 if part.get_content_type() in ("text/plain", "text/html")]
        return "\n".join(parts)


def use_smtp(settings, smtp):
    """Django settings sending through ``smtp`` (edx-ace's Django email channel)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "courses@example.org"
