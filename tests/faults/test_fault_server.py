"""The fault server answers each fault as documented (raw HTTP, no product code)."""

import http.client
import json

import pytest

from forge_simulator.faults import EXPECTED, FaultServer

PATHS = {"github": "/github/repos/org/app/pulls/3", "gitlab": "/gitlab/api/v4/projects/"
         "org%2Fapp/merge_requests/3", "gerrit": "/gerrit/changes/org%2Fapp~3",
         "gitea": "/gitea/api/v1/repos/org/app/pulls/3"}


@pytest.fixture(scope="module")
def server():
    with FaultServer() as running:
        yield running


def _get(server, kind):
    host, port = server.httpd.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=5)
    connection.request("GET", PATHS[kind])
    response = connection.getresponse()
    return response, response.read()


@pytest.mark.parametrize("kind", sorted(PATHS))
def test_healthy_answers_are_the_simulators(server, kind):
    server.fault(kind, "org/app", 3, "healthy")
    response, body = _get(server, kind)
    assert response.status == 200
    assert json.loads(body.removeprefix(b")]}'\n"))["title"] if kind != "gerrit" else body


@pytest.mark.parametrize("kind", sorted(PATHS))
@pytest.mark.parametrize("fault,status,header", [
    ("rate_limited", None, None), ("secondary_rate_limited", None, "Retry-After"),
    ("server_error_retry_date", 503, "Retry-After"), ("redirect_offsite", 302, "Location"),
    ("not_found", 404, None), ("forbidden", 403, None)])
def test_status_faults(server, kind, fault, status, header):
    server.fault(kind, "org/app", 3, fault)
    before = server.count(kind, "org/app", 3)
    response, _ = _get(server, kind)
    assert response.status == (status or (403 if kind == "github" else 429))
    assert header is None or response.getheader(header)
    assert server.count(kind, "org/app", 3) == before + 1


def test_wrong_shapes_and_truncation(server):
    server.fault("gitea", "org/app", 3, "shape_merged_string")
    assert json.loads(_get(server, "gitea")[1])["merged"] == "false"
    server.fault("gitea", "org/app", 3, "truncated")
    with pytest.raises(http.client.IncompleteRead):
        _get(server, "gitea")
    assert set(EXPECTED) >= {"hang", "trickle", "reset", "huge", "redirect_loop"}
