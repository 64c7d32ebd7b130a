"""Each forge client over real HTTP against the loopback simulator."""

import threading

import pytest

from upstream_xblock.forges import AuthFailed, Forges, ForgeUnavailable, NotFound, RateLimited
from upstream_xblock.forges import http as forge_http

CASES = {
    "github": ("openedx/xblock-sdk", "https://github.com/openedx/xblock-sdk/pull/{n}"),
    "gitlab": ("mooc-floss/sub/demo", "https://gitlab.com/mooc-floss/sub/demo/-/merge_requests/{n}"),
    "gerrit": ("openstack/nova", "https://review.opendev.org/c/openstack/nova/+/{n}"),
    "gitea": ("forgejo/forgejo", "https://codeberg.org/forgejo/forgejo/pulls/{n}"),
}
KINDS = sorted(CASES)


def _url(kind, number):
    return CASES[kind][1].format(n=number)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sim_state,draft,expected", [
    ("open", False, "open"), ("open", True, "draft"), ("merged", False, "merged"),
    ("closed", False, "closed"),
])
def test_states(forges, world, kind, sim_state, draft, expected):
    world.open(kind, CASES[kind][0], 5, author="ada", title="Fix <script>x</script>",
               state=sim_state, draft=draft, labels=["docs"])
    ref, snapshot = forges.check(_url(kind, 5))
    assert snapshot.state == expected
    assert snapshot.author == "ada"
    assert snapshot.title == "Fix <script>x</script>"  # plain text; escaping is the view's job
    assert snapshot.target_repository.lower() == CASES[kind][0]
    assert snapshot.target_branch == "main"
    assert snapshot.labels == ("docs",)
    assert snapshot.created_at is not None
    assert (snapshot.merged_at is not None) == (expected == "merged")
    assert (snapshot.closed_at is not None) == (expected in ("merged", "closed"))
    assert snapshot.web_url.startswith(f"https://{ref.host}/")


@pytest.mark.parametrize("kind", KINDS)
def test_one_request_per_check(forges, world, kind):
    world.open(kind, CASES[kind][0], 6)
    forges.check(_url(kind, 6))
    assert len(world.requests_for(kind)) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_not_found(forges, world, kind):
    with pytest.raises(NotFound):
        forges.check(_url(kind, 404))


@pytest.mark.parametrize("kind", KINDS)
def test_transient_failure_is_retried_a_bounded_number_of_times(forges, world, kind):
    world.open(kind, CASES[kind][0], 7, state="merged")
    world.fail_next(kind, 503)
    _, snapshot = forges.check(_url(kind, 7))
    assert snapshot.state == "merged"
    assert [r[3] for r in world.requests_for(kind)] == [503, 200]


@pytest.mark.parametrize("kind", ["github", "gitlab", "gitea"])
def test_rejected_token_is_auth_failed_and_not_shown(simulator, world, kind):
    settings = simulator.settings()
    for entry in settings["forges"]:
        entry["token"] = "bad-token"
    world.open(kind, CASES[kind][0], 8)
    with pytest.raises(AuthFailed) as raised:
        Forges.from_settings(settings).check(_url(kind, 8))
    assert "bad-token" not in str(raised.value.as_dict())


def test_gerrit_unreachable_is_forge_unavailable():
    forges = Forges.from_settings({"forges": [
        {"kind": "gerrit", "host": "review.opendev.org", "api_url": "http://127.0.0.1:9"}]})
    with pytest.raises(ForgeUnavailable) as raised:
        forges.check(_url("gerrit", 1))
    assert raised.value.reason == "network"


def test_github_etag_unchanged_is_a_304(forges, world):
    world.open("github", "openedx/xblock-sdk", 9)
    ref = forges.parse(_url("github", 9))
    first = forges.fetch(ref)
    assert first.etag and first.snapshot.state == "open"
    second = forges.fetch(ref, etag=first.etag)
    assert second.unchanged and second.snapshot is None
    world.merge("github", "openedx/xblock-sdk", 9)
    third = forges.fetch(ref, etag=first.etag)
    assert third.snapshot.state == "merged" and third.etag != first.etag
    assert [r[3] for r in world.requests_for("github")] == [200, 304, 200]


def test_github_304_does_not_spend_the_rate_limit(forges, world):
    world.open("github", "openedx/xblock-sdk", 10)
    ref = forges.parse(_url("github", 10))
    first = forges.fetch(ref)
    second = forges.fetch(ref, etag=first.etag)
    assert second.rate_limit.remaining == first.rate_limit.remaining


def test_github_renamed_repository_is_followed_on_the_same_host(forges, world):
    world.open("github", "openedx/old-name", 11, state="merged")
    world.rename("github", "openedx/old-name", "openedx/new-name")
    _, snapshot = forges.check("https://github.com/openedx/old-name/pull/11")
    assert snapshot.state == "merged"
    assert snapshot.target_repository == "openedx/new-name"
    assert [r[3] for r in world.requests_for("github")] == [301, 200]


def test_github_redirect_to_another_host_is_refused(forges, world, connections):
    world.open("github", "openedx/moved", 12)
    world.redirect_offsite("github", "openedx/moved",
                           "http://169.254.169.254/latest/meta-data/")
    with pytest.raises(ForgeUnavailable) as raised:
        forges.check("https://github.com/openedx/moved/pull/12")
    assert raised.value.reason == "redirect_refused"
    assert all(address[0] == "127.0.0.1" for address in connections.attempts)


@pytest.mark.parametrize("kind", ["gitlab", "gerrit", "gitea"])
def test_rest_redirects_are_never_followed(simulator, world, kind, monkeypatch, connections):
    """A configured host answering 302 to another address: no second request anywhere."""
    forges = Forges.from_settings(simulator.settings())
    client = forges.client({"gitlab": "gitlab.com", "gerrit": "review.opendev.org",
                            "gitea": "codeberg.org"}[kind])
    session = client.session

    def redirecting(response, *args, **kwargs):
        response.status_code = 302
        response.headers["Location"] = "http://169.254.169.254/latest/"
        return response

    session.hooks["response"].insert(0, redirecting)
    world.open(kind, CASES[kind][0], 13)
    with pytest.raises(ForgeUnavailable):
        forges.check(_url(kind, 13))
    assert len(world.requests_for(kind)) == 1
    assert all(address[0] == "127.0.0.1" for address in connections.attempts)


def test_github_rate_limit_reports_the_reset_time_without_sleeping(forges, world):
    world.open("github", "openedx/xblock-sdk", 14)
    world.set_rate_limit("github", remaining=0, reset_in_s=1800)
    with pytest.raises(RateLimited) as raised:
        forges.check(_url("github", 14))
    assert raised.value.reset_at is not None
    assert len(world.requests_for("github")) == 1  # no retry, no wait


def test_gitlab_429_is_rate_limited_without_sleeping(forges, world):
    world.open("gitlab", CASES["gitlab"][0], 15)
    world.set_rate_limit("gitlab", remaining=0, reset_in_s=600)
    with pytest.raises(RateLimited) as raised:
        forges.check(_url("gitlab", 15))
    assert raised.value.reset_at is not None
    assert len(world.requests_for("gitlab")) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_response_bodies_are_capped(forges, world, kind, monkeypatch):
    monkeypatch.setattr(forge_http, "MAX_BODY_BYTES", 200)
    world.open(kind, CASES[kind][0], 16, title="x" * 500)
    with pytest.raises(ForgeUnavailable) as raised:
        forges.check(_url(kind, 16))
    assert raised.value.reason == "response_too_large"


def test_gerrit_change_by_number_only(forges, world):
    world.open("gerrit", "openstack/nova", 900002, state="merged")
    ref, snapshot = forges.check("https://review.opendev.org/#/c/900002/")
    assert ref.project == ""
    assert snapshot.project == "openstack/nova"
    assert snapshot.web_url == "https://review.opendev.org/c/openstack/nova/+/900002"


def test_gerrit_review_decision(forges, world):
    world.open("gerrit", "openstack/nova", 900003)
    world.approve("gerrit", "openstack/nova", 900003)
    _, snapshot = forges.check(_url("gerrit", 900003))
    assert snapshot.review_decision == "approved"


def test_gitea_wip_title_is_a_draft(forges, world):
    world.open("gitea", "forgejo/forgejo", 17, title="WIP: not yet")
    _, snapshot = forges.check(_url("gitea", 17))
    assert snapshot.state == "draft"


@pytest.mark.parametrize("kind", ["github", "gitlab", "gitea"])
@pytest.mark.parametrize("review,expected", [(None, "review_required"), ("approved", "approved")])
def test_review_decision_costs_one_more_request_while_open(forges, world, kind, review, expected):
    world.open(kind, CASES[kind][0], 30)
    if review:
        world.approve(kind, CASES[kind][0], 30, review)
    ref = forges.parse(_url(kind, 30))
    assert forges.fetch(ref, reviews=True).snapshot.review_decision == expected
    assert len(world.requests_for(kind)) == 2
    world.merge(kind, CASES[kind][0], 30)
    forges.fetch(ref, reviews=True)
    assert len(world.requests_for(kind)) == 3  # merged: no review request


@pytest.mark.parametrize("kind", ["github", "gitea"])
def test_changes_requested(forges, world, kind):
    world.open(kind, CASES[kind][0], 31)
    world.approve(kind, CASES[kind][0], 31, "changes_requested")
    ref = forges.parse(_url(kind, 31))
    assert forges.fetch(ref, reviews=True).snapshot.review_decision == "changes_requested"


def test_github_landed_by_commit(forges, world):
    world.open("github", "openedx/xblock-sdk", 32)
    world.land("github", "openedx/xblock-sdk", 32, commit="abcdef0123456789")
    ref = forges.parse(_url("github", 32))
    snapshot = forges.fetch(ref, landing=True).snapshot
    assert (snapshot.state, snapshot.landed_commit) == ("closed", "abcdef0123456789")
    assert forges.fetch(ref).snapshot.landed_commit is None  # not asked: not read


@pytest.mark.parametrize("kind", ["github", "gitlab", "gerrit", "gitea"])
def test_one_client_checks_forty_contributions_at_once_each_its_own(forges, world, kind):
    """Learners' requests share a process's clients (``forges_for`` keeps them): forty
    threads, forty answers, each about its own contribution (PyGithub's connection object,
    shared, sent one thread's request for another and closed its socket)."""
    project = CASES[kind][0]
    for number in range(1001, 1041):
        world.open(kind, project, number, title=f"Change {number}", state="merged")
    answers, errors = {}, []
    barrier = threading.Barrier(40)

    def check(number):
        barrier.wait(timeout=10)
        try:
            answers[number] = forges.check(_url(kind, number))[1]
        except Exception as error:  # noqa: BLE001  (any failure fails the test below)
            errors.append((number, repr(error)))

    threads = [threading.Thread(target=check, args=(n,)) for n in range(1001, 1041)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert {n: (s.number, s.title) for n, s in answers.items()} == {
        n: (n, f"Change {n}") for n in range(1001, 1041)}
