"""Four workers sweeping one database at once: nothing checked twice, awarded twice or skipped."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import run_concurrently
from upstream_xblock.forges import Forges
from upstream_xblock.models import ContributionAward, TrackedContribution
from upstream_xblock.tracking.schedule import Schedule
from upstream_xblock.tracking.sweep import Sweeper

WORKERS = 4
LEARNERS = 40
PER_LEARNER = 3


class CountingForges(Forges):
    """Forges that count each reference fetched, alone or in a batch (shared across workers)."""

    def __init__(self, registry, counter, lock):
        super().__init__(registry)
        self.counter, self.counter_lock = counter, lock

    def client(self, host):
        client = super().client(host)
        if not getattr(client, "counted", False):
            batch_read = client.fetch_many

            def counted(refs, deadline=None, **hints):
                with self.counter_lock:
                    for ref in refs:
                        self.counter[ref.url] += 1
                return batch_read(refs, deadline=deadline, **hints)

            client.fetch_many, client.counted = counted, True
        return client

    def fetch(self, ref, etag=None, landing=False, reviews=False, deadline=None):
        with self.counter_lock:
            self.counter[ref.url] += 1
        return super().fetch(ref, etag=etag, landing=landing, reviews=reviews, deadline=deadline)


@pytest.mark.django_db(transaction=True)
def test_four_workers(simulator, world, registry):
    registry.block(required_count=2)
    kinds = ("gitea", "gitlab", "gerrit", "github")
    for learner in range(LEARNERS):
        for index in range(PER_LEARNER):
            # Two of three merged: every learner earns the block once.
            registry.contribution(kinds[(learner + index) % 4], learner=f"learner-{learner}",
                                  state="merged" if index < 2 else "open")
    TrackedContribution.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
    counter, lock, published = Counter(), threading.Lock(), []

    def worker():
        forges = CountingForges(Forges.from_settings(simulator.settings()).registry,
                                counter, lock)
        sweeper = Sweeper(forges, Schedule(), publisher=published.append, chunk=7)
        while sweeper.run_once(limit=50).checked:
            pass

    total = LEARNERS * PER_LEARNER
    assert run_concurrently(worker, WORKERS) == []
    assert len(counter) == total                      # nothing skipped
    assert set(counter.values()) == {1}               # nothing checked twice
    assert TrackedContribution.objects.filter(last_checked_at__isnull=True).count() == 0
    assert ContributionAward.objects.count() == LEARNERS
    assert len(published) == LEARNERS                 # nothing awarded twice
    assert len({award.learner_id for award in published}) == LEARNERS


@pytest.mark.django_db
def test_two_sweeps_that_read_the_same_ids_split_them(registry):
    """Without row locks two sweeps may read the same due ids: the claim gives each to one."""
    from upstream_xblock.tracking.sweep import claim_ids
    registry.block()
    rows = [registry.contribution("gitea") for _ in range(6)]
    now = timezone.now() + timedelta(seconds=1)
    lease = now + timedelta(minutes=10)
    ids = [row.pk for row in rows]
    first = claim_ids(ids[:4], now, lease)
    second = claim_ids(ids, now, lease + timedelta(seconds=1))
    assert {r.pk for r in first} == set(ids[:4])
    assert {r.pk for r in second} == set(ids[4:])


@pytest.mark.django_db(transaction=True)
def test_claims_lock_rows_with_skip_locked_where_the_database_can(registry):
    """On MariaDB/MySQL (the MariaDB suite, tests/mariadb_server.py, runs this there) the
    claim is a real ``SELECT ... FOR UPDATE SKIP LOCKED``; SQLite has no row locks."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from upstream_xblock.tracking.sweep import claim_ids
    registry.block()
    row = registry.contribution("gitea")
    now = timezone.now() + timedelta(seconds=1)
    with CaptureQueriesContext(connection) as queries:
        assert len(claim_ids([row.pk], now, now + timedelta(minutes=10))) == 1
    locking = [q["sql"] for q in queries if "SKIP LOCKED" in q["sql"]]
    assert len(locking) == (1 if connection.vendor == "mysql" else 0)
