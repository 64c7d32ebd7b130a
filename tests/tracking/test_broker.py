"""One real broker: Debian's redis-server on loopback and a real Celery worker process.

Contributions are registered, merged in the simulator, and a self-rescheduling
poll (no beat) awards them while nobody is looking.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.helpers import wait_until
from upstream_xblock.models import ContributionAward, TrackedContribution

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_worker_awards_merged_contributions(simulator, world, registry, redis_url, settings,
                                           lms_celery, tmp_path):
    config = tmp_path / "forges.json"
    config.write_text(json.dumps({**simulator.settings(),
                                  "polling": {"open_min_s": 2, "error_min_s": 2}}))
    registry.block()
    for learner in range(3):
        registry.contribution("gitea", number=100 + learner, learner=f"learner-{learner}")
    registry.contribution("gitlab", number=7, learner="learner-gitlab")

    env = {**os.environ, "UPSTREAM_WORKER_DB": connection.settings_dict["NAME"],
           "UPSTREAM_WORKER_REDIS": redis_url, "UPSTREAM_XBLOCK_CONFIG": str(config),
           "DJANGO_SETTINGS_MODULE": "tests.settings_worker"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tests.celery_app:APP", "worker",
         "--loglevel=INFO", "--queues", "edx.lms.core.low",
         "--concurrency=2", "--pool=prefork", "--without-heartbeat", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # The test process talks to the same broker and cache as the worker.
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": redis_url + "/1"}}
        from upstream_xblock.tracking.background import ensure_polling

        # Nobody triggers anything: the worker starts the chain when it is ready.
        wait_until(lambda: TrackedContribution.objects.filter(
            last_checked_at__isnull=False).count() == 4, worker)
        assert ensure_polling() is False  # one chain at a time: the worker's holds the lease
        assert ContributionAward.objects.count() == 0
        for learner in range(3):
            world.merge("gitea", "forgejo/forgejo", 100 + learner)
        world.merge("gitlab", "mooc-floss/demo", 7)
        # Only a later, self-scheduled sweep can see the merges.
        wait_until(lambda: ContributionAward.objects.count() == 4, worker)
        assert set(ContributionAward.objects.values_list("learner_id", flat=True)) == {
            "learner-0", "learner-1", "learner-2", "learner-gitlab"}
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert output.count("upstream_xblock sweep:") >= 2
    shutil.rmtree(tmp_path, ignore_errors=True)


