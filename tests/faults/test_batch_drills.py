"""Drills for the GitLab and Gerrit batch reads: a fault spoils its request, never the sweep.

A fault on one contribution of a batch answers the whole request with it
(hang, trickle, 5xx, 429...): every contribution of the batch gets the typed
error the single read would give, within the deadline (counted, not timed: see
``tests/waits.py``). A wrongly shaped entry spoils only itself: the others of the
same answer are read.
"""

import pytest

from forge_simulator.faults import EXPECTED
from upstream_xblock.forges import Deadline, FetchResult, Forges, ForgeUnavailable

from .conftest import url

DEADLINE_S = 1.0
WHOLE = ["hang", "trickle", "trickle_headers", "reset", "truncated", "server_error",
         "rate_limited", "secondary_rate_limited", "forbidden", "accepted", "malformed_json",
         "huge", "deep_json", "redirect_loop", "redirect_offsite", "not_found",
         "slow_status_line", "reset_year_9999", "reset_inf", "redirect_other_pull"]
SHAPES = ["shape_list", "shape_nulls", "shape_merged_string", "shape_objects"]
# (kind, how many contributions, one project or one each): REST iids[], GraphQL, Gerrit query.
WAYS = {"gitlab_rest": ("gitlab", 10, True), "gitlab_graphql": ("gitlab", 3, False),
        "gerrit": ("gerrit", 5, True)}


@pytest.fixture
def forges(fault_server):
    return Forges.from_settings(fault_server.settings())


def _batch(fault_server, forges, way, fault):
    kind, count, one_project = WAYS[way]
    # Gerrit numbers changes across the host: each drill its own.
    base = 700000 + 100 * (WHOLE + SHAPES).index(fault) if kind == "gerrit" else 0
    stem = f"{way.replace('_', '-')}/{fault.replace('_', '-')}"
    targets = [(stem if one_project else f"{stem}-{i}", base + i + 1) for i in range(count)]
    for project, number in targets:
        fault_server.world.open(kind, project, number, state="merged")
    refs = [forges.parse(url(kind, project, number)) for project, number in targets]
    return kind, targets, refs


@pytest.mark.parametrize("way", sorted(WAYS))
@pytest.mark.parametrize("fault", WHOLE)
def test_a_fault_in_a_batch_is_its_typed_error_for_each_contribution(
        fault_server, forges, waits, way, fault):
    kind, targets, refs = _batch(fault_server, forges, way, fault)
    fault_server.fault(kind, *targets[1], fault)
    fault_server.reset_counts()
    results = forges.client(refs[0].host).fetch_many(refs, deadline=Deadline(DEADLINE_S))
    expected = EXPECTED[fault]
    if way == "gitlab_graphql" and fault == "not_found":
        expected = "forge_unavailable"  # no GraphQL endpoint says nothing of the merge requests
    assert {r.code for r in results.values()} == {expected}
    assert fault_server.count() <= 3  # one request, retried only for a 502/503/504 GET
    waits.assert_within(DEADLINE_S, heads_read=fault_server.count())
    # Never fully answered: the deadline ends it (GitLab's GraphQL read too, a POST never
    # retried, whose head the deadline's timer cut).
    if fault in ("hang", "trickle", "trickle_headers", "slow_status_line"):
        assert {r.reason for r in results.values()} == {"deadline"}


@pytest.mark.parametrize("way", ["gitlab_rest", "gerrit"])
@pytest.mark.parametrize("fault", SHAPES)
def test_a_wrongly_shaped_entry_spoils_only_itself(fault_server, forges, way, fault):
    kind, targets, refs = _batch(fault_server, forges, way, fault)
    fault_server.fault(kind, *targets[1], fault)
    fault_server.reset_counts()
    results = forges.client(refs[0].host).fetch_many(refs)
    bad = results[refs[1]]
    assert isinstance(bad, ForgeUnavailable) and bad.reason in ("bad_response", "partial") \
        or bad.code == "not_found"
    assert all(isinstance(results[r], FetchResult) and results[r].snapshot.state == "merged"
               for r in refs if r != refs[1])
    assert fault_server.count() == 1
