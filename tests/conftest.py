"""Fixtures shared by every test: the loopback forge simulator and an outbound-connection spy."""

import socket

import pytest

from forge_simulator import ForgeSimulator
from upstream_xblock.forges import Forges


@pytest.fixture
def simulator():
    with ForgeSimulator() as sim:
        yield sim


@pytest.fixture
def world(simulator):
    return simulator.world


@pytest.fixture
def forges(simulator):
    """Forges for the four default public hosts, all pointed at the simulator, no tokens."""
    return Forges.from_settings(simulator.settings())


@pytest.fixture
def token_forges(simulator):
    """Same, with a GitHub token configured (enables the GraphQL batch path)."""
    return Forges.from_settings(simulator.settings(github_token="sim-token"))


class ConnectionSpy:
    """Records every outbound TCP connection attempt made through the socket module."""

    def __init__(self, monkeypatch):
        self.attempts = []
        real_connect = socket.socket.connect
        real_create = socket.create_connection
        spy = self

        def connect(sock, address):
            spy.attempts.append(address)
            return real_connect(sock, address)

        def create_connection(address, *args, **kwargs):
            spy.attempts.append(address)
            return real_create(address, *args, **kwargs)

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket, "create_connection", create_connection)


@pytest.fixture
def connections(monkeypatch):
    return ConnectionSpy(monkeypatch)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with no throttle counts or rate budgets left by another."""
    from django.core.cache import cache
    cache.clear()


SIMULATED_HOSTS = ("github.com", "gitlab.com", "review.opendev.org", "codeberg.org")


@pytest.fixture
def verify_account(db):
    """``verify(learner_id, username)``: the learner proved that the simulator's account
    ``username`` is theirs, on every simulated forge (tests/identity/ covers how)."""
    from django.utils import timezone

    from forge_simulator.shapes import project_id as account_id_of
    from upstream_xblock.identity import api as identity_api

    def verify(learner_id, username, hosts=SIMULATED_HOSTS):
        for host in hosts:
            identity_api.record(str(learner_id), host, str(account_id_of(username)), username,
                                "oauth", timezone.now())
    return verify


# tests/lms_awards needs other Django settings: the LMS-package suite of scripts/test.sh runs it.
collect_ignore = ["lms_awards"]
