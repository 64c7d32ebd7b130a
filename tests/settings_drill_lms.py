"""Settings of a sweep process in the publishing kill drill: the LMS's score and completion
stores (edx-submissions, edx-completion) on the drill's database file, and an app that can
hold the process right after the platform took its awards (``tests/drills/hold``).

(The forge settings come from the file named by ``UPSTREAM_XBLOCK_CONFIG``.)
"""

import os

from tests.settings_lms import *  # noqa: F401,F403
from tests.settings_lms import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.drills.hold"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ["UPSTREAM_DRILL_DB"],
                         "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"}}}
