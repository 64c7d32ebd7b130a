"""Sweeps isolate hosts: one that hangs or fails never holds another host's records."""

import socket
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.waits import Waits
from upstream_xblock.forges import Forges, ForgeUnavailable
from upstream_xblock.models import ContributionAward, TrackedContribution
from upstream_xblock.tracking.schedule import Schedule
from upstream_xblock.tracking.sweep import LEASE, Sweeper

pytestmark = pytest.mark.django_db

HOST_BUDGET_S = 2


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


class HangingServer:
    """Accepts connections, reads the request, never answers (until closed)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self.accepted = threading.Condition()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.accepted:
                self.connections.append(conn)
                self.accepted.notify_all()

    def connections_made(self, at_least):
        """How many connections were accepted, once ``at_least`` were (or a while passed:
        the connections a client made are in the listen backlog before they are accepted)."""
        with self.accepted:
            self.accepted.wait_for(lambda: len(self.connections) >= at_least, timeout=30)
            return len(self.connections)

    def close(self):
        self.sock.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture
def hanging():
    server = HangingServer()
    yield server
    server.close()


def bucket_with_a_hanging_gitea(simulator, hanging):
    settings = simulator.settings()
    for entry in settings["forges"]:
        if entry["kind"] == "gitea":
            entry["api_url"] = f"http://127.0.0.1:{hanging.port}/api/v1"
    return settings


def test_a_hanging_host_holds_only_its_own_records(simulator, world, registry, hanging,
                                                   monkeypatch):
    forges = Forges.from_settings(bucket_with_a_hanging_gitea(simulator, hanging))
    registry.block()
    for index in range(20):
        registry.contribution("gitea", learner=f"stuck-{index}")
    for index in range(20):
        registry.contribution(("github", "gitlab")[index % 2], learner=f"fine-{index}",
                              state="merged")
    published = []
    schedule = Schedule(sweep_host_budget_s=HOST_BUDGET_S)
    moment = timezone.now()  # the sweep's clock, for the due times it writes
    waits = Waits(monkeypatch)
    stats = Sweeper(forges, schedule, publisher=published.append,
                    clock=lambda: moment).run_once()
    # The host's budget, not a timeout per record: the repository's listing (all 20 are
    # in one) waits it out (its head under a timer within the budget), no other is started.
    assert hanging.connections_made(at_least=1) == 1
    waits.assert_within(HOST_BUDGET_S)
    assert (stats.checked, stats.accepted, stats.awarded) == (20, 20, 20)
    assert len(published) == 20 and ContributionAward.objects.count() == 20
    stuck = TrackedContribution.objects.filter(host="codeberg.org")
    assert stuck.filter(claim_token="").count() == 20  # nothing stays claimed
    assert all(row.next_check_at > moment and row.snapshot is None for row in stuck)
    assert all(row.next_check_at < moment + LEASE for row in stuck)


def test_after_a_rate_limit_no_other_request_goes_to_that_host(forges, world, registry):
    registry.block()
    for _ in range(20):
        registry.contribution("gitlab")
    registry.contribution("gitea", learner="elsewhere")
    world.set_rate_limit("gitlab", remaining=0, reset_in_s=900)
    stats = Sweeper(forges, Schedule()).run_once()
    # The 20 merge requests are one batch read: its 429 is the only GitLab request.
    assert [r[3] for r in world.requests_for("gitlab")] == [429]
    assert (stats.checked, stats.deferred) == (1, 20)
    waiting = TrackedContribution.objects.filter(host="gitlab.com", last_checked_at=None)
    assert waiting.count() == 0  # a rate-limited answer is a check that failed, recorded
    limited = TrackedContribution.objects.filter(host="gitlab.com")
    reset = world.rate_limits["gitlab"].reset_at  # the reset the forge stated: 15 min on
    assert all(row.next_check_at >= reset for row in limited)


def test_github_rest_stops_at_the_first_rate_limited_answer(forges, world, registry):
    registry.block()
    for _ in range(10):
        registry.contribution("github")
    world.set_rate_limit("github", remaining=0, reset_in_s=900)
    stats = Sweeper(forges, Schedule()).run_once()
    assert len(world.requests_for("github")) == 1
    assert stats.deferred == 10 and stats.errors == 0


class BrokenBatchForges(Forges):
    """A GraphQL client whose batch read raises something outside the typed errors."""

    def client(self, host):
        client = super().client(host)
        if host == "github.com":
            client.graphql.fetch_many = self.broken
        return client

    @staticmethod
    def broken(refs, **_kwargs):  # noqa: ARG004
        raise KeyError("data")  # what a truncated or wrongly shaped answer used to raise


def test_an_unexpected_batch_failure_is_an_error_of_that_host_only(simulator, world,
                                                                   registry, caplog):
    forges = BrokenBatchForges.from_settings(simulator.settings(github_token="sim-token"))
    registry.block()
    for _ in range(5):
        registry.contribution("github", state="merged")
    registry.contribution("gerrit", learner="gerrit-learner", state="merged")
    stats = Sweeper(forges, Schedule()).run_once()
    assert (stats.checked, stats.errors, stats.awarded) == (1, 5, 1)
    github = TrackedContribution.objects.filter(host="github.com")
    assert {(r.error_code, r.claim_token, r.verdict) for r in github} == {
        ("forge_unavailable", "", "")}
    assert "unexpected error in a sweep" in caplog.text


class OneBadRecordForges(Forges):
    """Fetching one particular record raises a bug-like error; the others are fine."""

    def fetch(self, ref, etag=None, landing=False, reviews=False, **kwargs):
        if ref.number == 666:
            raise ZeroDivisionError("a bug")
        return super().fetch(ref, etag=etag, landing=landing, reviews=reviews, **kwargs)


def test_one_bad_record_is_an_error_there_only(simulator, world, registry):
    forges = OneBadRecordForges.from_settings(simulator.settings())  # GitHub: REST, one each
    registry.block()
    registry.contribution("github", number=666, state="merged")
    for _ in range(3):
        registry.contribution("github", learner="other", state="merged")
    stats = Sweeper(forges, Schedule()).run_once()
    assert (stats.checked, stats.errors) == (3, 1)
    bad = TrackedContribution.objects.get(number=666)
    assert (bad.error_code, bad.claim_token) == ("forge_unavailable", "")
    assert not isinstance(bad, ForgeUnavailable)


class LeaseSpy(Sweeper):
    """Notes each chunk's claim lease (the records' due time while claimed)."""

    leases = ()

    def _load_chunk(self, rows):
        self.leases = (*self.leases, {row.next_check_at for row in rows})
        return super()._load_chunk(rows)


def test_each_chunk_takes_its_lease_from_the_clock_at_that_moment(forges, world, registry):
    registry.block()
    for _ in range(6):
        registry.contribution("gitea")
    TrackedContribution.objects.update(next_check_at=timezone.now() - timedelta(minutes=1))
    moments = iter(timezone.now() + timedelta(minutes=step) for step in range(1000))
    sweeper = LeaseSpy(forges, Schedule(), clock=lambda: next(moments), chunk=2)
    assert sweeper.run_once(limit=6).checked == 6
    leases = [lease.pop() for lease in sweeper.leases]
    assert len(leases) == 3
    # Later chunks are leased from later moments: none starts out already expired.
    assert leases[1] - leases[0] >= timedelta(minutes=1)
    assert leases[2] - leases[1] >= timedelta(minutes=1)


def test_a_healthy_host_is_checked_in_the_first_sweep_whatever_the_slow_hosts(
        simulator, world, registry, hanging, monkeypatch):
    """Ten hosts that hang and one that answers: every host runs at once (a thread each,
    no ceiling), so the healthy one's records are checked in the first sweep."""
    settings = simulator.settings()
    slow_hosts = [f"slow{index}.example.org" for index in range(10)]
    settings["forges"] += [{"kind": "gitea", "host": host,
                            "api_url": f"http://127.0.0.1:{hanging.port}/api/v1"}
                           for host in slow_hosts]
    forges = Forges.from_settings(settings)
    registry.block()
    now = timezone.now()
    for index, host in enumerate(slow_hosts):
        for number in (1, 2):
            TrackedContribution.objects.create(
                usage_key="block-1", learner_id=f"slow-{index}-{number}", kind="gitea",
                host=host, project="team/app", number=number,
                url=f"https://{host}/team/app/pulls/{number}", registered_at=now,
                next_check_at=now)
    for index in range(5):
        registry.contribution("github", learner=f"fine-{index}", state="merged")
    waits = Waits(monkeypatch)
    stats = Sweeper(forges, Schedule(sweep_host_budget_s=HOST_BUDGET_S)).run_once()
    # All at once, not one by one: each slow host's listing was asked in this sweep, and
    # every wait it started fits in its host's budget.
    assert hanging.connections_made(at_least=len(slow_hosts)) == len(slow_hosts)
    waits.assert_each_within(HOST_BUDGET_S)
    assert (stats.checked, stats.awarded) == (5, 5)
    # Each slow host's records: their requests ended by the host's deadline (or given up).
    assert stats.errors + stats.not_tried == 20
    healthy = TrackedContribution.objects.filter(host="github.com")
    assert all(row.last_checked_at is not None and row.verdict == "accepted" for row in healthy)
    assert not TrackedContribution.objects.exclude(claim_token="").exists()
    assert sorted(cap.split(":")[0] for cap in stats.caps) == sorted([*slow_hosts, "github.com"])
