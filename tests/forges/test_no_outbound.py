"""Hostile URLs never cause an outbound request: asserted on the socket layer."""

import socket

import pytest

from upstream_xblock.forges import ForgeError, Forges

HOSTILE = [
    "http://127.0.0.1/openedx/xblock-sdk/pull/1",
    "http://127.0.0.1:8000/openedx/xblock-sdk/pull/1",
    "http://localhost/openedx/xblock-sdk/pull/1",
    "http://[::1]/openedx/xblock-sdk/pull/1",
    "http://169.254.169.254/latest/meta-data/iam/pull/1",
    "http://2130706433/openedx/xblock-sdk/pull/1",
    "http://0x7f.1/openedx/xblock-sdk/pull/1",
    "https://unconfigured.example/openedx/xblock-sdk/pull/1",
    "https://github.com.attacker.example/openedx/xblock-sdk/pull/1",
    "https://github.com@127.0.0.1/openedx/xblock-sdk/pull/1",
    "https://github.com:22/openedx/xblock-sdk/pull/1",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_FLUSHALL",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_url_makes_no_connection(forges, world, connections, url):
    with pytest.raises(ForgeError):
        forges.check(url)
    assert connections.attempts == []
    assert world.requests_for() == []


def test_a_configured_loopback_host_is_allowed_only_as_configured(simulator, world, connections):
    """The operator may name a loopback forge; the learner's URL still picks nothing else."""
    port = simulator.httpd.server_address[1]
    forges = Forges.from_settings({"forges": [
        {"kind": "gitea", "host": f"127.0.0.1:{port}", "web_url": f"http://127.0.0.1:{port}",
         "api_url": f"{simulator.base_url}/gitea/api/v1"}]})
    world.open("gitea", "team/app", 1)
    _, snapshot = forges.check(f"http://127.0.0.1:{port}/team/app/pulls/1")
    assert snapshot.state == "open"
    with pytest.raises(ForgeError):
        forges.check(f"http://127.0.0.1:{port + 1}/team/app/pulls/1")
    assert len(world.requests_for()) == 1


def test_adapter_refuses_any_other_origin(forges):
    """Even a bug that built a wrong URL could not leave the configured API origin."""
    client = forges.client("codeberg.org")
    with pytest.raises(ForgeError) as raised:
        client.session.get("http://169.254.169.254/latest/")
    assert raised.value.reason == "host_not_allowed"


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "::1",
                                     "::ffff:192.168.0.1", "100.64.0.1"])
@pytest.mark.parametrize("url", ["https://github.com/openedx/xblock/pull/1",
                                 "https://codeberg.org/forgejo/forgejo/pulls/1",
                                 "https://gitlab.com/a/b/-/merge_requests/1",
                                 "https://review.opendev.org/c/x/y/+/1"])
def test_a_public_forge_resolving_inside_the_network_is_refused(monkeypatch, connections,
                                                                address, url):
    """Built-in forges must resolve to public addresses; nothing is sent otherwise."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [  # noqa: ARG005
        (family, socket.SOCK_STREAM, 6, "", (address, 443))])
    with pytest.raises(ForgeError) as raised:
        Forges.from_settings({}).check(url)
    assert raised.value.reason == "private_address"
    assert connections.attempts == []


def test_an_operator_entry_may_point_inside_the_network(simulator, world):
    """The operator's own entry (here the simulator on loopback) is not held to that."""
    forges = Forges.from_settings(simulator.settings())
    assert all(forge.operator_configured for forge in forges.registry
               if forge.host in ("github.com", "gitlab.com", "codeberg.org",
                                 "review.opendev.org"))
    assert not forges.registry.get("framagit.org").operator_configured
    world.open("gitea", "forgejo/forgejo", 1)
    assert forges.check("https://codeberg.org/forgejo/forgejo/pulls/1")[1].state == "open"
