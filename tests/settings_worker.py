"""Settings of the Celery worker in the broker tests, shaped like the LMS's.

The test's database file; the broker as openedx-platform names it
(``BROKER_URL``, read by ``config_from_object("django.conf:settings")`` without
a namespace); Redis as the cache shared with the test process; the forge
settings from the file named by ``UPSTREAM_XBLOCK_CONFIG``.
"""

import os

from tests.settings import *  # noqa: F401,F403

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ["UPSTREAM_WORKER_DB"],
                         "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"}}}
BROKER_URL = os.environ["UPSTREAM_WORKER_REDIS"] + "/0"
SERVICE_VARIANT = os.environ.get("SERVICE_VARIANT", "lms")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": os.environ["UPSTREAM_WORKER_REDIS"] + "/1"}}
# The notices' test: the worker sends through Django's SMTP backend to the test's server.
if os.environ.get("UPSTREAM_WORKER_SMTP_PORT"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, EMAIL_PORT = "127.0.0.1", int(os.environ["UPSTREAM_WORKER_SMTP_PORT"])
