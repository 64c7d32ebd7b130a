"""Test settings with the LMS's score and completion stores (edx-submissions, edx-completion),
and Aspects' event-routing-backends (its xAPI processor and transformer registry).

Used by the LMS-package suite of scripts/test.sh (tests/lms_awards, tests/staff/lms_staff): with
these apps installed, background awards take the LMS path of upstream_xblock.compat.
"""

from tests.settings import *  # noqa: F401,F403
from tests.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "waffle", "submissions", "completion", "config_models",
                  "event_routing_backends"]
# What event-routing-backends reads (an LMS sets them; Aspects turns xAPI on).
LMS_ROOT_URL = "https://lms.example.org"
XAPI_EVENTS_ENABLED = True
XAPI_AGENT_IFI_TYPE = "external_id"
RUNNING_WITH_TEST_SETTINGS = True
