"""The learner's JSON handlers: register, status, check_now, withdraw.

Register, withdraw and "Check now" are throttled per learner (they spend the
site's shared forge budget); where Celery runs, the checks they need go to a
task and the answer shows the contribution as being checked.
"""

from xblock.core import XBlock

from .. import platform
from ..i18n import gettext_noop as _
from ..tracking import background
from ..tracking.service import TrackingError
from ..tracking.throttle import Throttle, Throttled
from .json_api import json_api


class LearnerHandlersMixin:
    """Handlers a signed-in learner calls on their own block."""

    def _throttle(self, action):
        throttle = Throttle.from_settings(platform.settings_bucket(self))
        try:
            throttle.hit(action, platform.learner_id(self))
        except Throttled as throttled:
            raise TrackingError(throttled.code, throttled.template, status=429,
                                params={"seconds": throttled.retry_in_s},
                                retry_in_s=throttled.retry_in_s) from None

    @XBlock.handler
    @json_api
    def register(self, data):
        url = data.get("url")
        username = data.get("forge_username", "")
        if not isinstance(url, str) or not isinstance(username, str):
            raise TrackingError("bad_request", _("Send the address as text."))
        self._throttle("register")
        tracker = self._tracker()
        row, rows, award = tracker.register(url, username)
        background.ensure_polling()
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
        self._throttle("check_now")
        tracker = self._tracker()
        return self._status(tracker, *tracker.check_now())

    @XBlock.handler
    @json_api
    def withdraw(self, data):
        url = data.get("url")
        if not isinstance(url, str):
            raise TrackingError("bad_request", _("Send the address as text."))
        self._throttle("withdraw")
        tracker = self._tracker()
        tracker.withdraw(url)
        rows = tracker.rows()
        return self._status(tracker, rows, tracker.award(rows))
