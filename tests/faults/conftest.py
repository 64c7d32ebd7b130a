"""The fault server, shared by the drills of one module."""

import pytest

from forge_simulator.faults import FaultServer
from tests.waits import Waits

URLS = {
    "github": "https://github.com/{project}/pull/{n}",
    "gitlab": "https://gitlab.com/{project}/-/merge_requests/{n}",
    "gerrit": "https://review.opendev.org/c/{project}/+/{n}",
    "gitea": "https://codeberg.org/{project}/pulls/{n}",
}
KINDS = sorted(URLS)


def url(kind, project, number):
    return URLS[kind].format(project=project, n=number)


@pytest.fixture(scope="module")
def fault_server():
    with FaultServer() as server:
        yield server


@pytest.fixture
def waits(monkeypatch):
    """What a drill's forge calls asked to wait for (``tests/waits.py``); nothing sleeps."""
    return Waits(monkeypatch)
