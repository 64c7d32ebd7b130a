"""Everything that differs between the LMS/Studio and the xblock-sdk workbench.

This package is the only place allowed to import Open edX code (``lms.*``,
``common.*``, ``xmodule.*``, ``completion``, ``submissions``,
``social_django``), and only inside functions, so the product imports cleanly
without edx-platform. Callers use it as one module (``platform.usage_key(...)``);
its rooms:

- ``runtime``: the settings bucket, who and where (ids, user name, staff), translations;
- ``viewing``: Studio's preview, the LMS preview site, masquerading staff;
- ``grades``: publishing an award and resetting it (edx-submissions, edx-completion);
- ``learner_state``: other learners' user names and block state, for mentors and staff;
- ``studio``: the course-published signal and a course's published blocks;
- ``accounts``: accounts linked through Open edX's third-party auth;
"""

from .accounts import has_third_party_auth, linked_forge_accounts
from .grades import (publish_award, publish_award_in_background, published_points,
                     reset_published)
from .learner_state import (auth_username_expression, learner_ids_of_usernames,
                            learner_of_anonymous_id, learner_states, read_learner_state,
                            username_expression, write_learner_state)
from .runtime import (CONFIG_ENV, SETTINGS_BUCKET, anonymous_id, course_key, course_start,
                      gettext, global_settings_bucket, is_staff, learner_id,
                      request_is_by_learner, settings_bucket, usage_key, username)
from .studio import connect_course_published, published_blocks
from .viewing import (acting_user, in_studio_preview, is_masquerading, publishing_blocked,
                      shows_published_content)

__all__ = [
    "CONFIG_ENV", "SETTINGS_BUCKET", "acting_user", "anonymous_id", "auth_username_expression",
    "connect_course_published", "course_key", "course_start",
    "gettext", "global_settings_bucket", "has_third_party_auth", "in_studio_preview",
    "is_masquerading", "is_staff", "learner_id", "learner_ids_of_usernames",
    "learner_of_anonymous_id", "learner_states", "linked_forge_accounts", "publish_award",
    "publish_award_in_background", "published_blocks", "published_points", "publishing_blocked",
    "read_learner_state", "request_is_by_learner", "reset_published", "settings_bucket",
    "shows_published_content", "usage_key", "username", "username_expression",
    "write_learner_state",
]
