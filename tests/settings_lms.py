"""Test settings with the LMS's score and completion stores (edx-submissions, edx-completion).

Used by the LMS-package suite of scripts/test.sh (tests/lms_awards, tests/staff/lms_staff): with
these apps installed, background awards take the LMS path of upstream_xblock.compat.
"""

from tests.settings import *  # noqa: F401,F403
from tests.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "waffle", "submissions", "completion"]
