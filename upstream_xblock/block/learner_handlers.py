"""The learner's JSON handlers: register, status, check_now, withdraw."""

from xblock.core import XBlock

from .. import platform
from ..policy import gettext_noop as _
from ..tracking.service import TrackingError
from .json_api import json_api


class LearnerHandlersMixin:
    """Handlers a signed-in learner calls on their own block."""

    @XBlock.handler
    @json_api
    def register(self, data):
        url = data.get("url")
        username = data.get("forge_username", "")
        if not isinstance(url, str) or not isinstance(username, str):
            raise TrackingError("bad_request", _("Send the address as text."))
        tracker = self._tracker()
        row, rows, award = tracker.register(url, username)
        platform.ensure_background_polling()
        if username.strip():
            self.forge_usernames = {**(self.forge_usernames or {}), row.host: username.strip()}
        status = self._status(tracker, rows, award)
        stored = next(c for c in status["contributions"] if c["url"] == row.url)
        return {"contribution": stored, "status": status}

    @XBlock.handler
    @json_api
    def status(self, data):  # pylint: disable=unused-argument
        tracker = self._tracker()
        return self._status(tracker, *tracker.status())

    @XBlock.handler
    @json_api
    def check_now(self, data):  # pylint: disable=unused-argument
        tracker = self._tracker()
        return self._status(tracker, *tracker.check_now())

    @XBlock.handler
    @json_api
    def withdraw(self, data):
        url = data.get("url")
        if not isinstance(url, str):
            raise TrackingError("bad_request", _("Send the address as text."))
        tracker = self._tracker()
        tracker.withdraw(url)
        rows = tracker.rows()
        return self._status(tracker, rows, tracker.award(rows))
