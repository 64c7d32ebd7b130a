"""A bulk job run by a real Celery worker (Debian's redis-server as broker)."""

import os
import subprocess
import sys

import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone

from tests.tracking.test_broker import ROOT, redis_url, wait_until  # noqa: F401  pylint: disable=unused-import
from upstream_xblock.models import ContributionAward
from upstream_xblock.staff import jobs
from upstream_xblock.staff.audit import Actor
from upstream_xblock.staff.models import BulkJob
from tests.staff.conftest import unawarded_learners

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_worker_runs_every_chunk_of_a_bulk_accept(redis_url, settings):  # noqa: F811
    usage = "worker-block"
    learners = unawarded_learners(usage, 450)
    job = jobs.start(usage, "", "accept", learners, {"reason": "Sprint review", "points": 2.0},
                     Actor("sam", "sam"), timezone.now())
    env = {**os.environ, "UPSTREAM_WORKER_DB": connection.settings_dict["NAME"],
           "UPSTREAM_WORKER_REDIS": redis_url, "DJANGO_SETTINGS_MODULE": "tests.settings_worker"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tests.celery_app", "worker", "--loglevel=INFO",
         "--concurrency=1", "--pool=solo", "--without-heartbeat", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        settings.CELERY_BROKER_URL = redis_url + "/0"
        Celery("upstream_xblock_tests_client", broker=redis_url + "/0").set_current()
        assert jobs.enqueue(job.pk) is True
        wait_until(lambda: BulkJob.objects.get(pk=job.pk).status == "done", worker)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    job.refresh_from_db()
    assert (job.cursor, job.changed) == (450, 450)
    assert ContributionAward.objects.filter(usage_key=usage, points=2.0).count() == 450
    assert "3 chunks run by a worker" in output
