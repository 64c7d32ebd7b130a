"""Everything that differs between the LMS/Studio and the xblock-sdk workbench.

This package is the only place allowed to import Open edX code (``lms.*``,
``common.*``, ``xmodule.*``, ``openedx.*``, ``completion``, ``submissions``,
``social_django``), and only inside functions, so the product imports cleanly
without edx-platform. It imports nothing of the product above it. Callers use
it as one module (``compat.usage_key(...)``); its rooms:

- ``runtime``: the settings bucket, who and where (ids, user name, staff),
  translations, and Studio's course-published signal and published blocks;
- ``viewing``: Studio's preview, the LMS preview site, masquerading staff, who asked for
  the instructor dashboard's task;
- ``grades``: publishing an award and resetting it (edx-submissions, edx-completion);
- ``scores``: the LMS's score and completion stores written for many awards at once;
- ``learners``: other learners' user names, block state and ids (by usage key),
  and the accounts they linked through Open edX's third-party auth;
- ``course``: the course around the blocks: a Django view's visitor, course staff
  (``has_access``), the course tab, the report store, the way back to a unit.

(Named after xblock-lti-consumer's ``compat``; ``platform`` would shadow the
standard library's module.)
"""

from .course import (
                     TAB_TYPE,
                     configure_tab,
                     course_key_of_url,
                     course_url_id,
                     is_course_staff,
                     open_report,
                     store_report,
                     unit_url,
                     visitor,
                     visitor_query,
                     workspace_url,
)
from .grades import (
                     publish_award,
                     publish_award_in_background,
                     publish_awards_in_background,
                     published_points,
                     reset_published,
)
from .learners import (
                     auth_username_expression,
                     has_third_party_auth,
                     learner_ids_of_usernames,
                     learner_of_anonymous_id,
                     learner_states,
                     linked_forge_accounts,
                     platform_name,
                     read_learner_state,
                     recipient_of,
                     unit_address,
                     username_expression,
                     write_learner_state,
)
from .runtime import (
                     CONFIG_ENV,
                     SETTINGS_BUCKET,
                     acting_user,
                     anonymous_id,
                     connect_course_published,
                     course_event_context,
                     course_key,
                     course_start,
                     dashboard_requester,
                     gettext,
                     global_settings_bucket,
                     in_studio_preview,
                     is_masquerading,
                     is_staff,
                     learner_id,
                     ngettext,
                     published_blocks,
                     publishing_blocked,
                     request_is_by_learner,
                     settings_bucket,
                     shows_published_content,
                     usage_key,
                     username,
)

__all__ = [
    "CONFIG_ENV", "SETTINGS_BUCKET", "TAB_TYPE", "acting_user", "configure_tab",
    "course_key_of_url", "course_url_id", "is_course_staff", "open_report", "store_report",
    "unit_url", "visitor", "visitor_query", "workspace_url", "anonymous_id",
    "auth_username_expression",
    "connect_course_published", "course_event_context", "course_key", "course_start",
    "dashboard_requester",
    "gettext", "global_settings_bucket", "has_third_party_auth", "in_studio_preview",
    "is_masquerading", "is_staff", "learner_id", "learner_ids_of_usernames",
    "learner_of_anonymous_id", "learner_states", "linked_forge_accounts", "ngettext",
    "publish_award", "publish_award_in_background", "publish_awards_in_background",
    "published_blocks", "published_points", "publishing_blocked",
    "read_learner_state", "request_is_by_learner", "reset_published", "settings_bucket",
    "shows_published_content", "usage_key", "username", "username_expression",
    "write_learner_state", "platform_name", "recipient_of", "unit_address",
]
