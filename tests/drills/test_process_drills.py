"""Process drills: a worker killed mid-sweep, and a broker that is stopped.

- A real sweep process (``manage.py upstream_xblock_poll --once``) is killed
  with SIGKILL while one host hangs and the others are done; a new sweep, once
  the dead one's lease has lapsed, checks everything: nothing lost, nothing
  awarded twice, nothing claimed forever.
- Debian's redis-server, the Celery broker, is stopped: registration still
  answers 200, the record is stored and due for the next sweep.
"""

import json
import logging
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from forge_simulator.faults import FaultServer
from forge_simulator.ids import num_id
from tests.block.conftest import BlockHarness
from tests.helpers import wait_until

# The real-broker fixtures (redis-server, an LMS-like Celery app):
from tests.tracking.conftest import lms_celery, redis_server, redis_url  # noqa: F401
from upstream_xblock.forges import Forges
from upstream_xblock.identity import api as identity_api
from upstream_xblock.models import BlockConfig, ContributionAward, TrackedContribution
from upstream_xblock.policy import Rules
from upstream_xblock.tracking.schedule import Schedule
from upstream_xblock.tracking.sweep import LEASE, Sweeper

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow]
HOSTS = {"github": "github.com", "gitlab": "gitlab.com", "gitea": "codeberg.org"}
URLS = {"github": "https://github.com/{p}/pull/{n}",
        "gitlab": "https://gitlab.com/{p}/-/merge_requests/{n}",
        "gitea": "https://codeberg.org/{p}/pulls/{n}"}
PROJECT = "drill/app"


def seed(world):
    """30 merged contributions, one learner each: 10 per host."""
    now = timezone.now()
    BlockConfig.objects.create(usage_key="kill-block", rules=Rules().to_dict(), required_count=1)
    for index in range(30):
        kind = ("github", "gitlab", "gitea")[index % 3]
        author = f"dev-{index}"  # each learner's own forge account, which they verified
        world.open(kind, PROJECT, index + 1, author=author, state="merged")
        identity_api.record(f"learner-{index}", HOSTS[kind], str(num_id(author)), author,
                            "oauth", now)
        TrackedContribution.objects.create(
            usage_key="kill-block", learner_id=f"learner-{index}", kind=kind, host=HOSTS[kind],
            project=PROJECT, number=index + 1, url=URLS[kind].format(p=PROJECT, n=index + 1),
            forge_username=author, registered_at=now, next_check_at=now)




@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_sweep_loses_nothing(tmp_path):
    with FaultServer() as server:
        seed(server.world)
        for row in TrackedContribution.objects.filter(kind="gitea"):
            server.fault("gitea", PROJECT, row.number, "hang")
        config = tmp_path / "forges.json"
        config.write_text(json.dumps({**server.settings(deadlines={"sweep_check_s": 120}),
                                      "polling": {"sweep_host_budget_s": 120}}))
        env = {**os.environ, "UPSTREAM_DRILL_DB": connection.settings_dict["NAME"],
               "UPSTREAM_XBLOCK_CONFIG": str(config),
               "DJANGO_SETTINGS_MODULE": "tests.settings_drill"}
        worker = subprocess.Popen([sys.executable, "-m", "django", "upstream_xblock_poll",
                                   "--once"], cwd=ROOT, env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            # Mid-sweep: the healthy hosts are written back, the hanging one is still claimed.
            wait_until(lambda: TrackedContribution.objects.filter(
                last_checked_at__isnull=False).count() == 20, worker, 60, "the sweep process")
            assert TrackedContribution.objects.exclude(claim_token="").count() == 10
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        # (It may have died between writing a host's records and awarding their learners.)
        awarded_by_the_dead = set(ContributionAward.objects.values_list("learner_id", flat=True))
        published_by_the_dead = set(ContributionAward.objects.filter(published=True)
                                    .values_list("learner_id", flat=True))
        assert len(awarded_by_the_dead) <= 20
        for row in TrackedContribution.objects.filter(kind="gitea"):
            server.fault("gitea", PROJECT, row.number, "healthy")

        # Until its lease lapses, nobody takes the dead sweep's records...
        forges = Forges.from_settings(server.settings())
        published = []
        assert Sweeper(forges, Schedule(), publisher=published.append).run_once().checked == 0
        # ...then a new sweep does, and finishes the work.
        later = timezone.now() + LEASE + timedelta(seconds=1)
        stats = Sweeper(forges, Schedule(), publisher=published.append,
                        clock=lambda: later).run_once()
    # The hanging host's 10, and the records of a host whose awards it had not finished.
    assert 10 <= stats.checked <= 20
    assert stats.awarded == 30 - len(awarded_by_the_dead)
    rows = TrackedContribution.objects.all()
    assert rows.filter(last_checked_at__isnull=True).count() == 0    # nothing lost
    assert rows.exclude(claim_token="").count() == 0                 # nothing claimed forever
    assert all(row.next_check_at is None for row in rows)            # all accepted: settled
    assert ContributionAward.objects.count() == 30                   # nothing awarded twice
    # Published once each: what the dead sweep published is not published again; what it
    # awarded but had not published yet (killed in between) the awards outbox publishes.
    assert ContributionAward.objects.filter(published=False).count() == 0
    assert {a.learner_id for a in published}.isdisjoint(published_by_the_dead)
    assert len(published) == 30 - len(published_by_the_dead)


@pytest.mark.django_db
def test_registration_answers_200_with_the_broker_stopped(  # noqa: F811
        lms_celery, redis_server, simulator, world, settings, caplog):  # noqa: F811
    settings.XBLOCK_SETTINGS = {"upstream_xblock": simulator.settings()}
    world.open("github", "openedx/xblock-sdk", 5, author="ada")
    redis_server.stop()
    harness = BlockHarness()
    with caplog.at_level(logging.WARNING, logger="upstream_xblock.tracking.background"):
        status, body = harness.call(harness.block(), "register", {
            "url": "https://github.com/openedx/xblock-sdk/pull/5", "forge_username": "ada"})
    assert status == 200 and body["contribution"]["url"].endswith("/pull/5")
    row = TrackedContribution.objects.get()
    assert row.claim_token == "" and row.next_check_at <= timezone.now()  # the sweep's to check
    assert world.requests_for("github") == []  # not checked inside the request either
    assert "broker could not be reached" in caplog.text
