"""Test settings: the demo's workbench settings on a throw-away SQLite file.

A file, not ``:memory:``, so that tests with several threads share one database.
"""

import os
import tempfile

os.environ.setdefault("UPSTREAM_XBLOCK_VAR", tempfile.mkdtemp(prefix="upstream-xblock-test-"))

from workbench_demo.settings import *  # noqa: E402,F401,F403
from workbench_demo.settings import INSTALLED_APPS  # noqa: E402

# Open edX's third-party auth (python-social-auth): learners' linked forge accounts.
INSTALLED_APPS = [*INSTALLED_APPS, "social_django"]

DATABASES = {"default": {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": os.path.join(os.environ["UPSTREAM_XBLOCK_VAR"], "test.sqlite3"),
    "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
    "TEST": {"NAME": os.path.join(os.environ["UPSTREAM_XBLOCK_VAR"], "test-db.sqlite3")},
}}
XBLOCK_SETTINGS = {"upstream_xblock": {}}
# Notices go only to users with an address of their own (tests/notices/ makes them).
UPSTREAM_XBLOCK_DEMO_EMAIL_DOMAIN = ""
