"""The GraphQL batch path: up to 100 pull requests per request, learner text only in variables."""

import pytest

from upstream_xblock.forges import AuthFailed, Forges, NotFound, RateLimited
from upstream_xblock.forges.github_graphql import build_query, build_variables


def _refs(forges, count, project="openedx/xblock-sdk"):
    return [forges.parse(f"https://github.com/{project}/pull/{n}") for n in range(1, count + 1)]


def test_250_pull_requests_cost_3_requests(token_forges, world):
    for number in range(1, 251):
        world.open("github", "openedx/xblock-sdk", number,
                   state="merged" if number % 2 else "open", draft=number % 10 == 0)
    refs = _refs(token_forges, 250)
    results = token_forges.client("github.com").fetch_many(refs)
    assert len(world.requests_for("github")) == 3
    assert len(results) == 250
    assert results[refs[0]].snapshot.state == "merged"
    assert results[refs[1]].snapshot.state == "open"
    assert results[refs[9]].snapshot.state == "draft"
    assert results[refs[0]].snapshot.review_decision == "review_required"
    assert results[refs[0]].rate_limit.remaining < results[refs[0]].rate_limit.limit


def test_missing_pull_requests_are_not_found_and_others_still_read(token_forges, world):
    world.open("github", "openedx/xblock-sdk", 1, state="merged")
    refs = _refs(token_forges, 2) + _refs(token_forges, 1, project="nobody/nothing")
    results = token_forges.client("github.com").fetch_many(refs)
    assert results[refs[0]].snapshot.state == "merged"
    assert isinstance(results[refs[1]], NotFound)
    assert isinstance(results[refs[2]], NotFound)
    assert len(world.requests_for("github")) == 1


def test_without_a_token_each_pull_request_is_a_rest_request(forges, world):
    for number in (1, 2, 3):
        world.open("github", "openedx/xblock-sdk", number)
    results = forges.client("github.com").fetch_many(_refs(forges, 3))
    assert all(r.snapshot.state == "open" for r in results.values())
    assert [r[2].split("/")[-2] for r in world.requests_for("github")] == ["pulls"] * 3


def test_rate_limit_stops_the_batch(token_forges, world):
    for number in range(1, 151):
        world.open("github", "openedx/xblock-sdk", number)
    world.set_rate_limit("github", remaining=0)
    results = token_forges.client("github.com").fetch_many(_refs(token_forges, 150))
    assert all(isinstance(r, RateLimited) and r.reset_at for r in results.values())
    assert len(world.requests_for("github")) == 1


def test_rejected_token(simulator, world):
    forges = Forges.from_settings(simulator.settings(github_token="bad-token"))
    world.open("github", "openedx/xblock-sdk", 1)
    results = forges.client("github.com").fetch_many(_refs(forges, 1))
    assert isinstance(next(iter(results.values())), AuthFailed)


def test_learner_text_never_enters_the_query_text(forges):
    refs = [forges.parse('https://github.com/a-b/x.y_z/pull/3')]
    query = build_query(len(refs))
    assert "a-b" not in query and "x.y_z" not in query
    assert build_variables(refs) == {"o0": "a-b", "n0": "x.y_z", "p0": 3}


@pytest.mark.parametrize("count", [1, 100])
def test_query_is_valid_graphql_for_the_simulator_schema(simulator, count):
    from graphql import parse, validate
    assert not validate(simulator.httpd.graphql.schema, parse(build_query(count)))
