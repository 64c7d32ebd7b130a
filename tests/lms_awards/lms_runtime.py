"""A block as the LMS binds it, on the workbench runtime, with the LMS's services' contracts.

The block lives at a real course usage key (edx-completion and the grades app
need one). The user service carries what the LMS's ``DjangoXBlockUserService``
puts in ``opt_attrs`` (anonymous id, staff flag); the ``publish`` service is
what the LMS's ``EventPublishingService`` is to a block: the Django user of the
request, which the LMS's masquerade marks with ``real_user``.
"""

import json

from webob import Request
from workbench.runtime import WorkbenchRuntime
from xblock.fields import ScopeIds
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import DictKeyValueStore, KvsFieldData

from upstream_xblock.block import UpstreamContributionBlock

COURSE = "course-v1:FLOSS+Upstream+2026"
USAGE = "block-v1:FLOSS+Upstream+2026+type@upstream_contribution+block@first"


class LmsUserService(UserService):
    def __init__(self, anonymous_id, is_staff=False):
        user = XBlockUser(is_current_user=True)
        user.opt_attrs["edx-platform.anonymous_user_id"] = anonymous_id
        user.opt_attrs["edx-platform.user_is_staff"] = is_staff
        super().__init__(user=user)

    def get_current_user(self):
        return self._user


class EventPublishing:
    """The LMS's ``publish`` service as a block sees it: the request's user and course."""

    def __init__(self, user, course_id=COURSE):
        self.user, self.course_id = user, course_id


def lms_block(user, anonymous_id, usage=USAGE, is_staff=False, masquerading_staff=None,
              **fields):
    """The block bound to ``user`` (a Django user); ``masquerading_staff`` views as them."""
    from opaque_keys.edx.keys import UsageKey
    runtime = WorkbenchRuntime(str(user.pk))
    runtime._services["user"] = LmsUserService(anonymous_id, is_staff)
    # The LMS keeps fields in its own stores; the workbench's expects its own usage ids.
    runtime._services["field-data"] = KvsFieldData(DictKeyValueStore())
    if masquerading_staff is not None:
        user.real_user = masquerading_staff  # what the LMS's setup_masquerade does
    runtime._services["publish"] = EventPublishing(user)
    key = UsageKey.from_string(usage)
    block = runtime.construct_xblock_from_class(
        UpstreamContributionBlock, ScopeIds(str(user.pk), "upstream_contribution", key, key))
    for name, value in fields.items():
        setattr(block, name, value)
    return block


def call(block, handler, payload=None):
    request = Request.blank("/", method="POST", body=json.dumps(payload or {}).encode(),
                            headers={"Content-Type": "application/json"})
    response = block.runtime.handle(block, handler, request)
    return response.status_code, json.loads(response.body)
