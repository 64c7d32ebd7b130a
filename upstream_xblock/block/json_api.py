"""JSON request/response plumbing for the block's handlers.

Every handler takes a JSON object and answers JSON. Errors answer
``{"error": {"code", "message", ...}}`` with an HTTP status (400 for bad
input, 404/409/429 where they mean something), in the learner's language.
The layers' own refusals (``errors.LayerError``) are answered the same way.
"""

import functools
import json
import logging

from webob import Response

from .. import platform
from ..errors import LayerError
from ..forges import ConfigurationError
from ..i18n import gettext_noop as _
from ..tracking.service import TrackingError

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024


def json_response(payload, status=200):
    return Response(json.dumps(payload), status=status, content_type="application/json",
                    charset="utf-8")


def _error(block, error):
    return json_response({"error": error.as_dict(platform.gettext(block))}, status=error.status)


def parse_json_body(request, max_bytes=MAX_BODY_BYTES, too_large=None, not_utf8=None):
    """The POSTed JSON object; TrackingError otherwise (``too_large`` / ``not_utf8`` replace
    the generic errors where a handler has something more helpful to say)."""
    if request.method != "POST":
        raise TrackingError("method_not_allowed", _("Use POST."), status=405)
    body = request.body or b""
    if len(body) > max_bytes:
        raise too_large or TrackingError("bad_request", _("The request is too large."),
                                         status=413)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise not_utf8 or TrackingError("bad_request",
                                        _("The request is not valid JSON.")) from None
    try:
        data = json.loads(text or "{}")
    except (ValueError, RecursionError):  # deep nesting: RecursionError
        raise TrackingError("bad_request", _("The request is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise TrackingError("bad_request", _("The request must be a JSON object."))
    return data


def json_api(method):
    """Wrap ``method(self, data) -> dict`` as a JSON handler body."""

    @functools.wraps(method)
    def wrapper(self, request, suffix=""):  # pylint: disable=unused-argument
        try:
            data = parse_json_body(request)
            if not platform.learner_id(self):
                raise TrackingError("not_signed_in", _("Sign in to register a contribution."),
                                    status=403)
            return json_response(method(self, data))
        except TrackingError as error:
            return _error(self, error)
        except LayerError as error:
            return _error(self, TrackingError.from_layer(error))
        except ConfigurationError:
            log.error("the upstream_xblock forge settings are malformed")
            return _error(self, TrackingError(
                "configuration_error", _("This activity is not configured correctly. "
                "Please tell your course team."), status=503))

    wrapper.json_api = True  # tests find every JSON handler of the block by this mark
    return wrapper
