"""The workbench's own settings, plus this app, the settings service and the forge settings bucket.

The bucket is read from the JSON file named by UPSTREAM_XBLOCK_CONFIG (the demo
writes one pointing at the forge simulator); without it the block uses the
built-in public forges.
"""

import json
import os

from workbench.settings import *  # noqa: F401,F403
from workbench.settings import INSTALLED_APPS, MIDDLEWARE, TEMPLATES, WORKBENCH

INSTALLED_APPS = [*INSTALLED_APPS, "upstream_xblock"]
# The workbench's URLs plus the app's identity views (OAuth start and callback).
ROOT_URLCONF = "workbench_demo.urls"

WORKBENCH = {**WORKBENCH, "services": {"settings": "workbench.services.SettingsService",
                                       "i18n": "workbench_demo.i18n.BlockI18nService",
                                       "user": "workbench_demo.users.DemoUserService"}}
# The workbench names its users with ?student= (no sign-in): the course-wide workspace
# believes it here only (compat.course).
UPSTREAM_XBLOCK_DEMO_USERS = True
# Student ids the demo treats as course staff (comma-separated in the environment).
UPSTREAM_XBLOCK_DEMO_STAFF = [name.strip() for name in os.environ.get(
    "UPSTREAM_XBLOCK_DEMO_STAFF", "staff").split(",") if name.strip()]
# The learner's browser language chooses the block's language (English, French).
MIDDLEWARE = [*MIDDLEWARE[:2], "django.middleware.locale.LocaleMiddleware", *MIDDLEWARE[2:]]
LANGUAGES = [("en", "English"), ("fr", "Français")]

VAR_DIR = os.environ.get("UPSTREAM_XBLOCK_VAR", os.path.join(os.getcwd(), "var"))
os.makedirs(VAR_DIR, exist_ok=True)
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.path.join(VAR_DIR, "workbench.sqlite3"),
                         "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"}}}

_CONFIG_FILE = os.environ.get("UPSTREAM_XBLOCK_CONFIG")
XBLOCK_SETTINGS = {"upstream_xblock": {}}
if _CONFIG_FILE:
    with open(_CONFIG_FILE, encoding="utf-8") as _handle:
        XBLOCK_SETTINGS["upstream_xblock"] = json.load(_handle)

# The workbench lists only this block's scenarios.
EXCLUDED_XBLOCKS = {"allscopes_demo", "attempts_scoreboard_demo", "equality_demo", "filethumbs",
                    "helloworld_demo", "html_demo", "problem_demo", "sidebar_demo", "slider_demo",
                    "textinput_demo", "thumbs", "view_counter_demo"}
USE_TZ = True
TIME_ZONE = "UTC"

# The workbench logs to a relative var/ path; keep its log beside our database.
# Each sweep line is printed once (not propagated to a second handler), and idle
# sweeps only as a heartbeat every 5 minutes.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"quiet_idle_sweeps": {"()": "workbench_demo.sweep_log.QuietIdleSweeps",
                                      "heartbeat_s": 300}},
    "handlers": {"console": {"class": "logging.StreamHandler", "level": "INFO",
                             "filters": ["quiet_idle_sweeps"]}},
    "loggers": {
        "upstream_xblock": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django": {"handlers": ["console"], "level": "WARNING"},
    },
}

# Notices (tracking/notices.py) go through edx-ace's Django email channel, as in the LMS.
# The demo prints each email on the console; a learner with no account of their own gets
# the address <student id>@<this domain> (demo only).
ACE_ENABLED_CHANNELS = ["django_email"]
ACE_ENABLED_POLICIES = []
ACE_CHANNEL_DEFAULT_EMAIL = ACE_CHANNEL_TRANSACTIONAL_EMAIL = "django_email"
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "courses@localhost"
UPSTREAM_XBLOCK_DEMO_EMAIL_DOMAIN = os.environ.get("UPSTREAM_XBLOCK_DEMO_EMAIL_DOMAIN", "localhost")
# The notices' templates (upstream_xblock/edx_ace/...): in the LMS the installed package's
# templates/ directory is the app's; from the source tree it is the repository's.
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates")]}]
