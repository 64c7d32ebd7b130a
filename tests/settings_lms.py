"""Test settings with the LMS's score and completion stores (edx-submissions, edx-completion).

Used by the LMS-package suite of scripts/test.sh (tests/lms_awards, tests/staff/lms_staff): with
these apps installed, background awards take the LMS path of upstream_xblock.platform.
"""

from tests.settings import *  # noqa: F401,F403  pylint: disable=wildcard-import,unused-wildcard-import
from tests.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "waffle", "submissions", "completion"]
