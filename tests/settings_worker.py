"""Settings of the Celery worker in the broker test: the test's database file, Redis as
broker and cache (shared with the test process), the forge settings from the env file."""

import os

from tests.settings import *  # noqa: F401,F403  pylint: disable=wildcard-import,unused-wildcard-import

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ["UPSTREAM_WORKER_DB"],
                         "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"}}}
CELERY_BROKER_URL = os.environ["UPSTREAM_WORKER_REDIS"] + "/0"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": os.environ["UPSTREAM_WORKER_REDIS"] + "/1"}}
