"""A bulk job run by a real Celery worker (Debian's redis-server as broker)."""

import os
import subprocess
import sys

import pytest
from django.db import connection
from django.utils import timezone

from tests.helpers import wait_until
from tests.staff.conftest import unawarded_learners
from tests.tracking.conftest import lms_celery, redis_server, redis_url  # noqa: F401
from tests.tracking.test_broker import ROOT
from upstream_xblock.models import ContributionAward
from upstream_xblock.staff import bulk
from upstream_xblock.staff.audit import Actor
from upstream_xblock.staff.models import BulkJob

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_worker_runs_every_chunk_of_a_bulk_accept(redis_url, lms_celery):  # noqa: F811
    usage = "worker-block"
    learners = unawarded_learners(usage, 450)
    job = bulk.start(usage, "", "accept", learners, {"reason": "Sprint review", "points": 2.0},
                     Actor("sam", "sam"), timezone.now())
    env = {**os.environ, "UPSTREAM_WORKER_DB": connection.settings_dict["NAME"],
           "UPSTREAM_WORKER_REDIS": redis_url, "DJANGO_SETTINGS_MODULE": "tests.settings_worker"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tests.celery_app:APP", "worker", "--loglevel=INFO",
         "--queues", "edx.lms.core.low",
         "--concurrency=1", "--pool=solo", "--without-heartbeat", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert bulk.enqueue(job.pk) is True
        wait_until(lambda: BulkJob.objects.get(pk=job.pk).status == "done", worker)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    job.refresh_from_db()
    assert (job.cursor, job.changed) == (450, 450)
    assert ContributionAward.objects.filter(usage_key=usage, points=2.0).count() == 450
    assert "3 chunks run by a worker" in output
