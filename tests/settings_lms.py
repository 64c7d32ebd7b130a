"""Test settings with the LMS's score and completion stores (edx-submissions, edx-completion).

Used by tests/lms_awards/ (run in a subprocess by tests/test_lms_awards.py): with
these apps installed, background awards take the LMS path of upstream_xblock.compat.
"""

from tests.settings import *  # noqa: F401,F403
from tests.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "waffle", "submissions", "completion"]
