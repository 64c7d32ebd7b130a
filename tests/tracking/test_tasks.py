"""The Celery side as openedx-platform runs it, on a real broker (Debian's redis-server).

The app is configured like the LMS's (``BROKER_URL``, no namespace); messages
are read back from the broker's queues to see where they went.
"""

import logging

import pytest
import redis
from django.core.cache import cache

from upstream_xblock import tasks
from upstream_xblock.models import TrackedContribution
from upstream_xblock.tracking import background
from upstream_xblock.tracking.schedule import Schedule
from upstream_xblock.tracking.sweep import Sweeper

from .conftest import free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
LMS_LOW = "edx.lms.core.low"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def queued(redis_url, queue):
    """How many messages wait in ``queue`` (kombu's Redis transport keeps a list per queue)."""
    return redis.Redis.from_url(redis_url + "/0").llen(queue)


def test_the_chain_goes_to_the_lms_low_priority_queue(lms_celery, redis_url):
    assert background.ensure_polling() is True
    assert queued(redis_url, LMS_LOW) == 1
    assert background.ensure_polling() is False  # one chain holds the lease
    assert queued(redis_url, LMS_LOW) == 1 and queued(redis_url, "celery") == 0


def test_the_queue_is_set_in_the_settings_bucket(lms_celery, redis_url, settings):
    settings.XBLOCK_SETTINGS = {"upstream_xblock": {"celery": {"queue": "upstream.checks"}}}
    assert background.ensure_polling() is True
    assert queued(redis_url, "upstream.checks") == 1 and queued(redis_url, LMS_LOW) == 0


def test_no_chain_in_eager_mode(lms_celery, redis_url):
    """A development LMS runs tasks eagerly: the poll must not run inside a request."""
    lms_celery.conf.task_always_eager = True
    assert background.ensure_polling() is False
    assert background.runs_in_workers() is False
    assert queued(redis_url, LMS_LOW) == 0


def test_no_broker_configured_means_no_celery(settings):
    from celery import Celery, current_app
    previous = current_app._get_current_object()
    Celery("workbench").set_current()
    try:
        assert background.runs_in_workers() is False
        assert background.ensure_polling() is False
    finally:
        previous.set_current()


def test_a_broker_that_is_down_leaves_the_chain_free(settings, caplog):
    from celery import Celery, current_app
    previous = current_app._get_current_object()
    settings.BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app = Celery("proj")
    app.config_from_object("django.conf:settings")
    app.set_current()
    try:
        with caplog.at_level(logging.WARNING, logger="upstream_xblock.tracking.background"):
            assert background.ensure_polling() is False
        assert cache.get(background.CHAIN_KEY) is None  # the next request or worker may start one
        assert "broker could not be reached" in caplog.text
    finally:
        previous.set_current()


def test_a_failed_sweep_does_not_end_the_chain(lms_celery, redis_url, monkeypatch):
    def broken_sweeper(on_progress=None):
        raise RuntimeError("database down")

    monkeypatch.setattr(tasks, "sweeper", broken_sweeper)
    cache.set(background.CHAIN_KEY, "chain-1")
    with pytest.raises(RuntimeError):
        tasks.poll_due_contributions.run(chain="chain-1")
    assert queued(redis_url, LMS_LOW) == 1  # the next sweep is scheduled anyway
    assert tasks.poll_due_contributions.run(chain="another-chain") is None  # not its lease
    assert queued(redis_url, LMS_LOW) == 1


def test_a_sweep_whose_chain_lost_its_lease_ends_that_chain(lms_celery, redis_url,
                                                          monkeypatch):
    """A chain that took over while a long sweep ran keeps the lease: one chain, not two."""
    class TakenOverMidSweep:
        def run_once(self, limit):  # noqa: ARG002
            cache.set(background.CHAIN_KEY, "chain-2")  # chain-1's lease lapsed; chain-2 started
            raise RuntimeError("the sweep ends here")

    monkeypatch.setattr(tasks, "sweeper", lambda on_progress=None: TakenOverMidSweep())  # noqa: ARG005
    cache.set(background.CHAIN_KEY, "chain-1")
    with pytest.raises(RuntimeError):
        tasks.poll_due_contributions.run(chain="chain-1")
    assert cache.get(background.CHAIN_KEY) == "chain-2"
    assert queued(redis_url, LMS_LOW) == 0  # chain-1 schedules no next sweep


def test_studio_workers_do_not_start_the_chain(lms_celery, redis_url, settings):
    settings.SERVICE_VARIANT = "cms"
    tasks.start_polling_with_the_worker()
    assert queued(redis_url, LMS_LOW) == 0
    settings.SERVICE_VARIANT = "lms"
    tasks.start_polling_with_the_worker()
    assert queued(redis_url, LMS_LOW) == 1


def test_tasks_have_time_limits_above_the_sweep_budget():
    for task in (tasks.poll_due_contributions, tasks.check_contributions):
        assert 0 < task.soft_time_limit < task.time_limit
    assert Schedule().sweep_budget_s < tasks.poll_due_contributions.soft_time_limit
    assert Schedule().sweep_host_budget_s < tasks.check_contributions.soft_time_limit


def test_the_chain_lease_is_renewed_as_each_host_is_written(forges, world, registry):
    registry.block()
    for kind in ("github", "gitlab", "gerrit"):
        registry.contribution(kind)
    cache.set(background.CHAIN_KEY, "chain-1")
    renewals = []
    renew = tasks._renew("chain-1")

    def on_progress():
        renewals.append(cache.get(background.CHAIN_KEY))
        renew()

    Sweeper(forges, Schedule(), on_progress=on_progress).run_once()
    assert renewals == ["chain-1"] * 3
    cache.set(background.CHAIN_KEY, "chain-2")  # another chain took over: never taken back
    renew()
    assert cache.get(background.CHAIN_KEY) == "chain-2"


def test_a_check_task_only_takes_what_its_request_claimed(forges, world, registry, settings,
                                                          simulator):
    settings.XBLOCK_SETTINGS = {"upstream_xblock": simulator.settings()}
    registry.block()
    mine = registry.contribution("gitea", state="merged", claim_token="task-1")
    theirs = registry.contribution("gitea", learner="other", claim_token="sweep-2")
    assert "checked=1" in tasks.check_contributions.run([mine.pk, theirs.pk], "task-1")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.verdict, mine.claim_token) == ("accepted", "")
    assert (theirs.last_checked_at, theirs.claim_token) == (None, "sweep-2")
    assert TrackedContribution.objects.filter(claim_token="task-1").count() == 0
    assert tasks.check_contributions.run([mine.pk], "task-lapsed") is None


def test_a_check_a_learner_asked_for_may_use_the_reserve(forges, world, registry, settings,
                                                         simulator):
    """Sweeps leave the rate budget's last 50 requests to learners' own checks."""
    from datetime import timedelta

    from django.utils import timezone

    from upstream_xblock.forges import RateLimitInfo
    from upstream_xblock.tracking.schedule import RateBudget
    settings.XBLOCK_SETTINGS = {"upstream_xblock": simulator.settings()}
    registry.block()
    swept = registry.contribution("gitea")
    asked = registry.contribution("gitea", learner="asker", claim_token="task-9")
    now = timezone.now()
    RateBudget().record(forges.registry.get("codeberg.org"),
                        RateLimitInfo(remaining=10, limit=5000, reset_at=now + timedelta(hours=1)),
                        now)
    TrackedContribution.objects.filter(pk=asked.pk).update(
        next_check_at=now + timedelta(minutes=3))
    assert Sweeper(forges, Schedule()).run_once().deferred == 1
    assert "checked=1" in tasks.check_contributions.run([asked.pk], "task-9")
    swept.refresh_from_db()
    assert swept.last_checked_at is None
