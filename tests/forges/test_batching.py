"""Every forge's fetch_many over the simulator: requests counted, missing/private and partial."""

import pytest

from forge_simulator import simulator_settings
from upstream_xblock.forges import FetchResult, Forges, ForgeUnavailable, NotFound
from upstream_xblock.forges.gerrit import QUERY_TERMS
from upstream_xblock.forges.gitlab import plan
from upstream_xblock.forges.gitlab_graphql import per_query


def _refs(forges, urls):
    return [forges.parse(url) for url in urls]


def _gitlab(number, project="group/app"):
    return f"https://gitlab.com/{project}/-/merge_requests/{number}"


def _gerrit(number, project="openstack/nova"):
    return f"https://review.opendev.org/c/{project}/+/{number}"


def _states(results):
    return {ref.number: (r.snapshot.state if isinstance(r, FetchResult) else r.code)
            for ref, r in results.items()}


def _partial(result):
    return isinstance(result, ForgeUnavailable) and result.reason == "partial"


# -- GitLab --------------------------------------------------------------------
def test_gitlab_merge_requests_of_one_project_cost_one_rest_request_per_100(forges, world):
    for number in range(1, 151):
        world.open("gitlab", "group/app", number, state="merged" if number % 3 == 0 else "open")
    refs = _refs(forges, [_gitlab(n) for n in range(1, 151)])
    results = forges.client("gitlab.com").fetch_many(refs)
    assert len(world.requests_for("gitlab")) == 2
    assert all("iids%5B%5D=" in r[2] for r in world.requests_for("gitlab"))
    assert _states(results)[3] == "merged" and _states(results)[1] == "open"
    single = forges.fetch(refs[2]).snapshot
    assert results[refs[2]].snapshot == single  # a batch read makes the same snapshot


def test_gitlab_scattered_merge_requests_go_through_graphql(forges, world):
    projects = [f"course/project-{i}" for i in range(12)]
    for project in projects:
        world.open("gitlab", project, 1, state="merged", labels=["good first issue"])
    refs = _refs(forges, [_gitlab(1, p) for p in projects])
    results = forges.client("gitlab.com").fetch_many(refs)
    per = per_query(False)
    assert len(world.requests_for("gitlab")) == -(-12 // per)
    assert all(r[2] == "/gitlab/api/graphql" for r in world.requests_for("gitlab"))
    snapshot = results[refs[0]].snapshot
    assert snapshot.state == "merged" and snapshot.labels == ("good first issue",)
    assert snapshot == forges.fetch(refs[0]).snapshot


def test_gitlab_plan_picks_the_cheaper_way_for_each_project():
    class Ref:  # the planner reads only .project
        def __init__(self, project):
            self.project = project
    refs = [Ref("big")] * 30 + [Ref(f"small-{i}") for i in range(5)]
    rest, pooled = plan(refs, graphql_size=8)
    assert [len(batch) for batch in rest] == [30]
    assert len(pooled) == 5


@pytest.mark.parametrize("way", ["rest", "graphql"])
def test_gitlab_missing_and_private_merge_requests_are_not_found(forges, world, way):
    count = 10 if way == "rest" else 1
    for number in range(1, count + 1):
        world.open("gitlab", "group/app", number, state="merged")
    world.open("gitlab", "secret/app", 1)
    world.make_private("gitlab", "secret/app")
    urls = [_gitlab(n) for n in range(1, count + 2)] + [_gitlab(1, "secret/app")]
    refs = _refs(forges, urls)
    results = forges.client("gitlab.com").fetch_many(refs)
    assert isinstance(results[refs[count]], NotFound)  # the missing one
    assert isinstance(results[refs[-1]], NotFound)  # the private one
    assert all(results[r].snapshot.state == "merged" for r in refs[:count])
    assert len(world.requests_for("gitlab")) == (2 if way == "rest" else 1)


def test_gitlab_partial_rest_answer_keeps_what_came(forges, world):
    for number in range(1, 21):
        world.open("gitlab", "group/app", number)
    world.batch_caps["gitlab"] = 15
    refs = _refs(forges, [_gitlab(n) for n in range(1, 21)])
    results = forges.client("gitlab.com").fetch_many(refs)
    assert sum(isinstance(r, FetchResult) for r in results.values()) == 15
    assert sum(_partial(r) for r in results.values()) == 5
    assert len(world.requests_for("gitlab")) == 1


def test_gitlab_partial_graphql_answer_keeps_what_came(forges, world):
    projects = [f"course/p{i}" for i in range(3)]
    for project in projects:
        world.open("gitlab", project, 4)
    world.batch_caps["gitlab"] = 2
    refs = _refs(forges, [_gitlab(4, p) for p in projects])
    results = forges.client("gitlab.com").fetch_many(refs)
    assert [isinstance(results[r], FetchResult) for r in refs] == [True, True, False]
    assert _partial(results[refs[2]])
    assert len(world.requests_for("gitlab")) == 1


def test_gitlab_complexity_refusal_resizes_the_query_from_gitlabs_score(forges, world):
    projects = [f"course/p{i}" for i in range(6)]
    for project in projects:
        world.open("gitlab", project, 1, state="merged")
    world.gitlab_selection_complexity = 60  # GitLab scores more than we estimated
    refs = _refs(forges, [_gitlab(1, p) for p in projects])
    results = forges.client("gitlab.com").fetch_many(refs)
    assert all(isinstance(r, FetchResult) for r in results.values())
    # 1 refused, then 6 in queries of 2 (GitLab's 200 / 60 = 3, less one for safety)
    assert len(world.requests_for("gitlab")) == 1 + 3
    world.clear_log()
    forges.client("gitlab.com").fetch_many(refs)
    assert len(world.requests_for("gitlab")) == 3  # it remembers what fits


# -- Gerrit --------------------------------------------------------------------
def test_gerrit_changes_cost_one_query_per_405(forges, world):
    """Gerrit answers 500 changes a query by default; 405 six-digit terms keep the address
    under 8,000 bytes."""
    assert QUERY_TERMS == 405
    for number in range(900001, 900501):
        world.open("gerrit", "openstack/nova", number, state="merged" if number % 2 else "open")
    refs = _refs(forges, [_gerrit(n) for n in range(900001, 900501)])
    results = forges.client("review.opendev.org").fetch_many(refs)
    requests = world.requests_for("gerrit")
    assert len(requests) == 2
    assert all("change%3A" in r[2] and "o=LABELS" in r[2] for r in requests)
    assert max(len(r[2]) for r in requests) <= 8000
    assert _states(results)[900001] == "merged" and _states(results)[900002] == "open"
    assert results[refs[0]].snapshot == forges.fetch(refs[0]).snapshot


def test_gerrit_missing_private_and_other_project_changes_are_not_found(forges, world):
    world.open("gerrit", "openstack/nova", 900001, state="merged")
    world.open("gerrit", "openstack/secret", 900003)
    world.make_private("gerrit", "openstack/secret")
    world.open("gerrit", "openstack/glance", 900004)
    refs = _refs(forges, [_gerrit(900001), _gerrit(900002), _gerrit(900003, "openstack/secret"),
                          _gerrit(900004, "openstack/nova")])
    results = forges.client("review.opendev.org").fetch_many(refs)
    assert results[refs[0]].snapshot.state == "merged"
    assert all(isinstance(results[r], NotFound) for r in refs[1:])
    assert len(world.requests_for("gerrit")) == 1


def test_gerrit_query_limit_is_a_partial_answer_and_the_batch_shrinks_to_it(forges, world):
    for number in range(900001, 900041):
        world.open("gerrit", "openstack/nova", number)
    world.gerrit_query_limit = 25
    refs = _refs(forges, [_gerrit(n) for n in range(900001, 900041)])
    client = forges.client("review.opendev.org")
    results = client.fetch_many(refs)
    assert sum(isinstance(r, FetchResult) for r in results.values()) == 25
    assert sum(_partial(r) for r in results.values()) == 15
    assert len(world.requests_for("gerrit")) == 1
    world.clear_log()
    results = client.fetch_many(refs)
    assert all(isinstance(r, FetchResult) for r in results.values())
    assert len(world.requests_for("gerrit")) == 2  # 25 + 15: within the server's limit


# -- GitHub --------------------------------------------------------------------
def _github_refs(forges, count, project="openedx/xblock-sdk"):
    return _refs(forges, [f"https://github.com/{project}/pull/{n}" for n in range(1, count + 1)])


def test_github_partial_answer_keeps_what_came(token_forges, world):
    for number in range(1, 11):
        world.open("github", "openedx/xblock-sdk", number)
    world.batch_caps["github"] = 7
    refs = _github_refs(token_forges, 10) + _github_refs(token_forges, 1, "nobody/nothing")
    results = token_forges.client("github.com").fetch_many(refs)
    assert sum(isinstance(r, FetchResult) for r in results.values()) == 7
    assert [_partial(results[r]) for r in refs[7:10]] == [True] * 3
    assert isinstance(results[refs[10]], NotFound) or _partial(results[refs[10]])
    assert len(world.requests_for("github")) == 1


def test_github_missing_one_in_a_batch_is_not_found_and_the_rest_read(token_forges, world):
    for number in (1, 2, 4):
        world.open("github", "openedx/xblock-sdk", number, state="merged")
    refs = _github_refs(token_forges, 4)
    results = token_forges.client("github.com").fetch_many(refs)
    assert isinstance(results[refs[2]], NotFound)
    assert all(results[r].snapshot.state == "merged" for r in (refs[0], refs[1], refs[3]))
    assert len(world.requests_for("github")) == 1


def test_github_resource_limits_halve_the_page_then_it_grows_back(token_forges, world):
    for number in range(1, 101):
        world.open("github", "openedx/xblock-sdk", number)
    world.graphql_max_aliases = 30
    client = token_forges.client("github.com")
    refs = _github_refs(token_forges, 100)
    results = client.fetch_many(refs)
    assert all(isinstance(r, FetchResult) for r in results.values())
    # 100 and 50 refused; then pages of 25, growing by 10 after each fast complete answer
    # and halved again whenever GitHub refuses one: sizes 25 35x 17 27 37x 18 28 -> 9.
    assert len(world.requests_for("github")) == 9
    assert client.graphql.batch.size <= 38
    world.graphql_max_aliases = None
    world.clear_log()
    for _ in range(10):
        client.fetch_many(refs[:5])
    assert client.graphql.batch.size == 100  # fast and complete: back to the ceiling


def test_github_502_halves_the_page_instead_of_repeating_it(token_forges, world):
    for number in range(1, 101):
        world.open("github", "openedx/xblock-sdk", number)
    world.fail_next("github", 502)
    results = token_forges.client("github.com").fetch_many(_github_refs(token_forges, 100))
    assert all(isinstance(r, FetchResult) for r in results.values())
    assert len(world.requests_for("github")) == 3  # 100 (502), then 50 and 50


# -- Gitea, and every host at once ---------------------------------------------
def _gitea(number, project="forgejo/forgejo"):
    return f"https://codeberg.org/{project}/pulls/{number}"


def test_gitea_reads_a_repository_through_one_listing(forges, world):
    for number in (1, 2, 3):
        world.open("gitea", "forgejo/forgejo", number, state="merged" if number == 2 else "open")
    refs = _refs(forges, [_gitea(n) for n in (1, 2, 3, 4)])
    results = forges.client("codeberg.org").fetch_many(refs)
    paths = [r[2] for r in world.requests_for("gitea")]
    # The listing (every pull request updated lately), then the one it did not show.
    assert [p.split("?")[0] for p in paths] == ["/gitea/api/v1/repos/forgejo/forgejo/pulls",
                                                "/gitea/api/v1/repos/forgejo/forgejo/pulls/4"]
    assert "sort=recentupdate" in paths[0] and "state=all" in paths[0]
    assert isinstance(results[refs[3]], NotFound)
    assert _states({r: results[r] for r in refs[:3]}) == {1: "open", 2: "merged", 3: "open"}
    assert results[refs[1]].snapshot == forges.fetch(refs[1]).snapshot  # the same snapshot


def test_gitea_listing_stops_at_the_last_read(forges, world):
    """Most recently updated first: once the listing is older than a pull request's last
    read, that one is unchanged; pages are not read past it."""
    from datetime import timedelta

    from forge_simulator.state import utcnow
    long_ago = utcnow() - timedelta(days=2)
    for number in range(1, 121):
        world.open("gitea", "forgejo/forgejo", number, updated_at=long_ago)
    world.merge("gitea", "forgejo/forgejo", 7)  # updated now
    refs = _refs(forges, [_gitea(n) for n in (7, 8, 9)])
    since = {ref: utcnow() - timedelta(hours=1) for ref in refs}
    results = forges.client("codeberg.org").fetch_many(refs, since=since)
    assert len(world.requests_for("gitea")) == 1  # the first page of 50 reached back far enough
    assert results[refs[0]].snapshot.state == "merged"
    assert results[refs[1]].unchanged and results[refs[2]].unchanged


def test_gitea_repositories_not_listed_are_read_by_number_conditionally(forges, world):
    world.gitea_etags = True
    for number in (1, 2):
        world.open("gitea", "forgejo/forgejo", number)
    refs = _refs(forges, [_gitea(n) for n in (1, 2)])
    client = forges.client("codeberg.org")
    first = {ref: client.fetch(ref) for ref in refs}
    world.make_private("gitea", "forgejo/forgejo")  # its listing: 404 for all of it
    again = client.fetch_many(refs, etags={r: first[r].etag for r in refs})
    assert all(isinstance(again[r], NotFound) for r in refs)
    world.make_private("gitea", "forgejo/forgejo", private=False)
    world.clear_log()
    results = client.fetch_many([_refs(forges, [_gitea(5)])[0]],
                                etags={r: first[r].etag for r in refs})
    assert [r[3] for r in world.requests_for("gitea")] == [200, 404]  # listing, then by number
    assert all(isinstance(r, NotFound) for r in results.values())


def test_forges_fetch_many_batches_each_host(simulator, world):
    settings = simulator_settings(simulator.base_url, github_token="sim-token")
    forges = Forges.from_settings(settings)
    world.open("github", "openedx/xblock", 1)
    world.open("gitlab", "group/app", 1)
    world.open("gerrit", "openstack/nova", 900001)
    world.open("gitea", "forgejo/forgejo", 1)
    refs = _refs(forges, ["https://github.com/openedx/xblock/pull/1", _gitlab(1),
                          _gerrit(900001), "https://codeberg.org/forgejo/forgejo/pulls/1"])
    results = forges.fetch_many(refs)
    assert all(isinstance(r, FetchResult) for r in results.values())
    assert len(world.requests_for()) == 4
