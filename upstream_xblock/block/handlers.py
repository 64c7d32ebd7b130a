"""How the block's handlers take requests: JSON in and out, and who may call them.

Every handler takes a JSON object and answers JSON. Errors answer
``{"error": {"code", "message", ...}}`` with an HTTP status (400 for bad
input, 404/409/429 where they mean something), in the learner's language.

Roles: course staff and instructors are mentors of every block of their course
(the runtime's user service says who they are); a block also lists mentors by
user name in its ``mentors`` field. Handlers for a role refuse everyone else
(signed-out visitors included) with 403 ``forbidden`` before the request is
read, so that someone refused learns nothing, not even whether their request
was well formed.
"""

import functools
import json
import logging
import re

from webob import Response

from .. import compat
from ..errors import UpstreamError
from ..forges import ConfigurationError
from ..forges.snapshot import is_text
from ..i18n import gettext_noop as _
from ..staff import audit
from ..tracking import events
from ..tracking.service import TrackingError, has_records

# Open edX user names (Django's rule: letters, digits and @ . + - _).
USERNAME_RE = re.compile(r"^[\w.@+-]{1,150}$")
MAX_MENTORS = 200


def listed_mentors(block):
    """The block's mentor names as stored (an imported OLX value is clamped here, at use)."""
    names = block.mentors if isinstance(block.mentors, list) else []
    return {name.strip() for name in names[:MAX_MENTORS]
            if isinstance(name, str) and USERNAME_RE.match(name.strip())}


def is_mentor(block):
    """Course staff, or a signed-in user the block lists as a mentor."""
    if not compat.learner_id(block):
        return False
    return compat.is_staff(block) or compat.username(block) in listed_mentors(block)


def validate_mentors(names, error):
    """Studio's editor: ``mentors`` is a list of user names (``error`` collects messages)."""
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        error("mentors", _("Mentors must be a list of user names."))
        return
    bad = [n for n in names if not USERNAME_RE.match(n.strip())]
    if bad:
        error("mentors", _("These are not user names: %(names)s."), names=", ".join(bad[:5]))
    if len(names) > MAX_MENTORS:
        error("mentors", _("A block lists at most 200 mentors."))


log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024


def json_response(payload, status=200):
    return Response(json.dumps(payload), status=status, content_type="application/json",
                    charset="utf-8")


def _error(block, error):
    return json_response({"error": error.as_dict(compat.gettext(block))}, status=error.status)


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
    if not is_valid_text(data):
        raise TrackingError("bad_request", _("The request holds text that is not valid "
                                             "Unicode (a NUL character or a lone surrogate)."))
    return data


def is_valid_text(data):
    """Every string of decoded JSON (keys and values, at any depth) is ``is_text``."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if not is_text(value):
                return False
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return True


def json_api(method):
    """Wrap ``method(self, data) -> dict`` as a JSON handler body."""

    @functools.wraps(method)
    def wrapper(self, request, suffix=""):  # noqa: ARG001
        try:
            data = parse_json_body(request)
            if not compat.learner_id(self):
                raise TrackingError("not_signed_in", _("Sign in to register a contribution."),
                                    status=403)
            with request_events(self):
                return json_response(method(self, data))
        except UpstreamError as error:  # the block's and the layers' refusals alike
            return _error(self, error)
        except ConfigurationError:
            log.error("the upstream_xblock forge settings are malformed")
            return _error(self, TrackingError(
                "configuration_error", _("This activity is not configured correctly. "
                "Please tell your course team."), status=503))

    wrapper.json_api = True  # tests find every JSON handler of the block by this mark
    return wrapper


def request_events(block):
    """Within a handler: events about the requesting user go through the runtime's publish."""
    return events.published_by(
        lambda name, data: block.runtime.publish(block, name, data), compat.learner_id(block))


def refusing_all_but(allowed, message):
    """``json_api`` for the users ``allowed(block)`` accepts."""

    def decorate(method):
        api = json_api(method)

        @functools.wraps(method)
        def wrapper(self, request, suffix=""):
            if not allowed(self):
                return _error(self, TrackingError("forbidden", message, status=403))
            return api(self, request, suffix)

        wrapper.json_api = True  # a JSON handler like any other (the hostile-input tests)
        return wrapper

    return decorate


def actor(block):
    """Who acts, for the audit trail: the real user, even while masquerading as a learner."""
    return audit.Actor(*compat.acting_user(block))


def grading(method):
    """Mark a handler that changes a verdict, a score or completion: each change it makes is
    on the audit trail (tests/staff/test_audit_coverage.py finds these by the mark)."""
    method.changes_grades = True
    return method


def refuse_self_grading(block, learners):
    """403 ``self_grading`` if the acting user (the real one while masquerading) is among
    ``learners``: no mentor or staff member vouches, accepts, overrides, withdraws or
    imports for their own learner record."""
    refuse_own_records(actor(block), learners)


def refuse_own_records(who, learners):
    """``refuse_self_grading`` for the acting ``who`` (an ``audit.Actor``): the course-wide
    workspace's views act without a block."""
    if who.id in set(learners):
        raise TrackingError("self_grading", _("You cannot grade your own work: ask another "
                                              "mentor or course staff."), status=403)


def record_action(block, action, learner, now, **details):
    """The audit trail's entry for a mentor's or staff member's act on ``learner`` here."""
    audit.record(compat.usage_key(block), actor(block), action, now, learner_id=learner,
                 course_key=compat.course_key(block), **details)


def _is_signed_in_staff(block):
    # Staff actions change grades: never from Studio's preview, which shows drafts.
    return bool(compat.learner_id(block)) and compat.is_staff(block) \
        and not compat.in_studio_preview(block)


mentors_only = refusing_all_but(
    is_mentor, _("Only this activity's mentors and course staff can do this."))
staff_only = refusing_all_but(_is_signed_in_staff, _("Only course staff can do this."))


def learner_of(block, data):
    """The ``learner_id`` of a mentor's request: a learner with a record in this block."""
    learner = data.get("learner_id")
    if not isinstance(learner, str) or not learner or len(learner) > 255:
        raise TrackingError("bad_request", _("Give the learner (learner_id)."))
    if not has_records(compat.usage_key(block), learner):
        raise TrackingError("unknown_learner", _("This learner has registered nothing here."),
                            status=404)
    return learner


def registered_url(block, learner, url):
    """``url`` if ``learner`` registered that contribution in this block (or it is empty)."""
    if url and not has_records(compat.usage_key(block), learner, url):
        raise TrackingError("unknown_contribution",
                            _("This learner has not registered this contribution here."),
                            status=404)
    return url


MAX_TEXT = 500


def text_field(data, key, required=True):
    """``data[key]``: a short text (stripped); 400 ``bad_request`` otherwise ('' if absent and
    not ``required``)."""
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise TrackingError("bad_request", _("Send %(field)s as text."), params={"field": key})
    return value.strip()

