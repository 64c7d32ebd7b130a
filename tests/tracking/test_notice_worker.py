"""A notice goes through Celery where it runs: sent by name to a real worker (Debian's
redis-server as the broker), which delivers it through edx-ace to a loopback SMTP server."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tests.helpers import wait_until
from tests.smtp_server import LoopbackSMTP
from upstream_xblock.models import NoticeSent
from upstream_xblock.tracking import notices

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_worker_delivers_the_notice_once(simulator, redis_url, settings, lms_celery,
                                           tmp_path):
    config = tmp_path / "forges.json"
    config.write_text(json.dumps(simulator.settings()))
    get_user_model().objects.create_user("ada", "ada@example.org")
    with LoopbackSMTP() as smtp:
        env = {**os.environ, "UPSTREAM_WORKER_DB": connection.settings_dict["NAME"],
               "UPSTREAM_WORKER_REDIS": redis_url, "UPSTREAM_XBLOCK_CONFIG": str(config),
               "UPSTREAM_WORKER_SMTP_PORT": str(smtp.port),
               "DJANGO_SETTINGS_MODULE": "tests.settings_worker"}
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tests.celery_app:APP", "worker",
             "--loglevel=INFO", "--queues", "edx.lms.core.low", "--concurrency=1",
             "--pool=solo", "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            notice = notices.notify("contribution_accepted", "ada", "accepted:1", params={
                "title": "Fix a typo", "repository": "openedx/xblock-sdk",
                "url": "https://github.com/openedx/xblock-sdk/pull/1"})
            # The same event again, from another check: nothing more is queued.
            assert notices.notify("contribution_accepted", "ada", "accepted:1") is None
            wait_until(lambda: len(smtp.messages) == 1, worker)
            wait_until(lambda: NoticeSent.objects.get(pk=notice.pk).sent_at is not None, worker)
            # Sending the task again (a redelivery) sends nothing: the row is claimed.
            assert notices.deliver(notice.pk) is False
        finally:
            worker.terminate()
            output = worker.communicate(timeout=30)[0]
        assert [m["Subject"] for _, m in smtp.messages] == [
            "Your contribution was accepted upstream"]
    assert "upstream_xblock.deliver_notice" in output
