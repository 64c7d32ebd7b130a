"""A user service for the workbench that can say who is course staff, like the LMS's does.

The xblock-sdk's own user service knows only the student id. This one also
reports the LMS's attributes the block reads: ``edx-platform.username`` (the
student id, as the workbench has no other name) and
``edx-platform.user_is_staff`` for the ids listed in the Django setting
``UPSTREAM_XBLOCK_DEMO_STAFF`` (the demo reads them from the environment
variable of the same name, default ``staff``): ``?student=staff`` is course staff.
"""

from django.conf import settings
from xblock.reference.user_service import UserService, XBlockUser


class DemoUserService(UserService):
    """The workbench student as an LMS-like user, staff if listed."""

    runtime = None  # set by the workbench when it loads the service

    def get_current_user(self):
        student = getattr(self.runtime, "user_id", None)
        user = XBlockUser(is_current_user=True, emails=[], full_name=f"Demo user {student}")
        user.opt_attrs["xblock-workbench.user_id"] = student
        if student:
            staff = getattr(settings, "UPSTREAM_XBLOCK_DEMO_STAFF", ())
            user.opt_attrs["edx-platform.username"] = str(student)
            user.opt_attrs["edx-platform.user_is_staff"] = str(student) in staff
        return user
