"""Drills for GitHub's GraphQL batch path: one bad pull request spoils only itself."""

import pytest

from forge_simulator.faults import FAULTS
from upstream_xblock.forges import Deadline, FetchResult, Forges, ForgeUnavailable, RateLimited

SHAPES = [f for f in FAULTS if f.startswith("shape_")]
DEADLINE_S = 1.0


@pytest.fixture
def forges(fault_server):
    return Forges.from_settings(fault_server.settings(github_token="drill-token"))


def _refs(forges, project, count):
    return [forges.parse(f"https://github.com/{project}/pull/{n}") for n in range(1, count + 1)]


@pytest.mark.parametrize("fault", SHAPES)
def test_a_wrongly_shaped_pull_request_is_bad_response_and_the_others_read(
        fault_server, forges, fault):
    project = f"batch/{fault.replace('_', '-')}"
    refs = _refs(forges, project, 3)
    for ref in refs:
        fault_server.world.open("github", project, ref.number, state="merged")
    fault_server.fault("github", project, 2, fault)
    fault_server.reset_counts()
    results = forges.client("github.com").graphql.fetch_many(refs)
    assert isinstance(results[refs[1]], ForgeUnavailable)
    assert results[refs[1]].reason == "bad_response"
    assert all(isinstance(results[r], FetchResult) and results[r].snapshot.state == "merged"
               for r in (refs[0], refs[2]))
    assert fault_server.count() == 1


@pytest.mark.parametrize("fault,reason", [("hang", "deadline"), ("trickle", "deadline"),
                                          ("truncated", "truncated"),
                                          ("malformed_json", "bad_response"),
                                          ("huge", "response_too_large")])
def test_a_broken_page_is_a_typed_error_for_each_of_its_pull_requests(
        fault_server, forges, waits, fault, reason):
    """Within the deadline, counted (``tests/waits.py``): one request, read under a timer
    no longer than the deadline, and nothing slept."""
    project = f"page/{fault.replace('_', '-')}"
    refs = _refs(forges, project, 3)
    fault_server.fault("github", project, 1, fault)
    fault_server.reset_counts()
    results = forges.client("github.com").graphql.fetch_many(refs, deadline=Deadline(DEADLINE_S))
    assert {(r.code, r.reason) for r in results.values()} == {("forge_unavailable", reason)}
    assert fault_server.count() == 1
    waits.assert_within(DEADLINE_S, heads_read=1)


def test_a_rate_limited_batch_stops_and_says_when(fault_server, forges):
    refs = _refs(forges, "page/limited", 150)
    fault_server.fault("github", "page/limited", 1, "rate_limited", reset_in_s=900)
    fault_server.reset_counts()
    results = forges.client("github.com").graphql.fetch_many(refs)
    assert all(isinstance(r, RateLimited) and r.reset_at for r in results.values())
    assert fault_server.count() == 1  # the second page is not asked for


def test_an_expired_deadline_sends_nothing(fault_server, forges):
    refs = _refs(forges, "page/late", 2)
    clock = [100.0]
    spent = Deadline(5, clock=lambda: clock[0])
    clock[0] += 5  # its five seconds have passed (on its own clock: nothing waits for them)
    fault_server.reset_counts()
    results = forges.client("github.com").graphql.fetch_many(refs, deadline=spent)
    assert {r.reason for r in results.values()} == {"deadline"}
    assert fault_server.count() == 0
