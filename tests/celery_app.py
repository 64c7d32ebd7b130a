"""The Celery app of the broker test's worker process (the LMS has its own)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings_worker")

import django  # noqa: E402  pylint: disable=wrong-import-position
from celery import Celery  # noqa: E402  pylint: disable=wrong-import-position

django.setup()

app = Celery("upstream_xblock_tests")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["upstream_xblock"])
