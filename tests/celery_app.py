"""The Celery app of the broker tests' worker processes, made as openedx-platform makes its own.

(``openedx/core/lib/celery/__init__.py``: ``Celery("proj")``, settings read from
Django without a namespace, tasks autodiscovered from the installed apps.)
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings_worker")

import django  # noqa: E402
from celery import Celery  # noqa: E402

django.setup()

APP = Celery("proj")
APP.config_from_object("django.conf:settings")
APP.autodiscover_tasks(["upstream_xblock"])
