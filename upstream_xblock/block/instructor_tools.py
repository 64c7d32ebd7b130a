"""What the LMS's instructor dashboard calls on the block.

``clear_student_state`` is "delete learner state": the LMS passes the
learner's anonymous id in the course (and the staff member's), and counts on
the block to reset the edx-submissions score itself.
"""

from django.utils import timezone

from .. import platform
from ..tracking import outbox
from ..tracking.awards import delete_learner_state


class InstructorToolsMixin:
    """Hooks the instructor dashboard looks for on a block."""

    def clear_student_state(self, user_id, course_id, item_id, requesting_user_id):
        """Remove the learner's records and award here, and reset what the award published."""
        del course_id  # the block's own keys say where it is
        learner = platform.learner_of_anonymous_id(user_id)
        _, revocation = delete_learner_state(
            str(item_id), [learner], user_id, str(requesting_user_id), timezone.now())
        if revocation is not None:
            outbox.reset(revocation, platform.reset_published, timezone.now())
