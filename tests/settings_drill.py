"""Settings of a worker process in the process drills: the test's database file.

(The forge settings come from the file named by ``UPSTREAM_XBLOCK_CONFIG``.)
"""

import os

from tests.settings import *  # noqa: F401,F403

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ["UPSTREAM_DRILL_DB"],
                         "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"}}}
