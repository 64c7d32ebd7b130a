"""The fault server, shared by the drills of one module."""

import pytest

from forge_simulator.faults import FaultServer

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
