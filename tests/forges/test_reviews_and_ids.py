"""Acceptance facts a forge cannot be tricked into, and the forge's stable ids."""

import pytest

from upstream_xblock.forges import Forges

from .test_clients import CASES, KINDS, _url

REVIEWED = ["github", "gitlab", "gitea", "gerrit"]


@pytest.mark.parametrize("kind", REVIEWED)
def test_an_approval_without_write_access_does_not_count(forges, world, kind):
    world.open(kind, CASES[kind][0], 40)
    world.review(kind, CASES[kind][0], 40, "drive-by", "approved", writer=False)
    snapshot = forges.fetch(forges.parse(_url(kind, 40)), reviews=True).snapshot
    assert snapshot.review_decision == "review_required"
    world.review(kind, CASES[kind][0], 40, "maintainer", "approved", writer=True)
    snapshot = forges.fetch(forges.parse(_url(kind, 40)), reviews=True).snapshot
    assert snapshot.review_decision == "approved"
    if kind != "gerrit":  # Gerrit's vote dates need DETAILED_LABELS, a heavier answer
        assert snapshot.approved_at is not None


@pytest.mark.parametrize("kind", ["github", "gitea", "gerrit"])
def test_changes_requested_by_a_non_writer_does_not_block(forges, world, kind):
    world.open(kind, CASES[kind][0], 41)
    world.review(kind, CASES[kind][0], 41, "maintainer", "approved", writer=True)
    world.review(kind, CASES[kind][0], 41, "drive-by", "changes_requested", writer=False)
    snapshot = forges.fetch(forges.parse(_url(kind, 41)), reviews=True).snapshot
    assert snapshot.review_decision == "approved"


@pytest.mark.parametrize("writer", [True, False])
@pytest.mark.parametrize("decision", ["approved", "changes_requested"])
def test_rest_and_graphql_reach_the_same_decision(simulator, world, writer, decision):
    rest = Forges.from_settings(simulator.settings())
    graphql = Forges.from_settings(simulator.settings(github_token="sim-token"))
    world.open("github", "openedx/xblock-sdk", 42)
    world.review("github", "openedx/xblock-sdk", 42, "someone", "commented", writer=True)
    world.review("github", "openedx/xblock-sdk", 42, "reviewer", decision, writer=writer)
    ref = rest.parse(_url("github", 42))
    by_rest = rest.fetch(ref, reviews=True).snapshot
    by_graphql = graphql.client("github.com").graphql.fetch_many([ref])[ref].snapshot
    assert by_rest.review_decision == by_graphql.review_decision == (
        decision if writer else "review_required")
    assert by_rest.approved_at == by_graphql.approved_at
    assert by_rest.changes_requested_at == by_graphql.changes_requested_at
    assert (by_rest.author_id, by_rest.forge_id) == (by_graphql.author_id, by_graphql.forge_id)


@pytest.mark.parametrize("kind,page", [("github", 100), ("gitea", 50)])
def test_reviews_are_read_past_the_first_page(forges, world, kind, page):
    world.open(kind, CASES[kind][0], 43)
    for i in range(page + 5):  # the maintainer's approval lands on the second page
        world.review(kind, CASES[kind][0], 43, f"commenter-{i}", "commented", writer=False)
    world.review(kind, CASES[kind][0], 43, "maintainer", "approved", writer=True)
    world.clear_log()
    snapshot = forges.fetch(forges.parse(_url(kind, 43)), reviews=True).snapshot
    assert snapshot.review_decision == "approved"
    assert len(world.requests_for(kind)) == 3  # the pull request, two pages of reviews


def test_reviews_beyond_the_page_bound_leave_the_decision_unknown(forges, world):
    world.open("gitea", CASES["gitea"][0], 44)
    for i in range(150):
        world.review("gitea", CASES["gitea"][0], 44, f"commenter-{i}", "commented", writer=False)
    world.clear_log()
    snapshot = forges.fetch(forges.parse(_url("gitea", 44)), reviews=True).snapshot
    assert snapshot.review_decision is None
    assert len(world.requests_for("gitea")) == 4  # bounded: 1 + 3 pages


def test_gitlab_locked_is_a_merge_in_progress_not_closed(forges, world):
    world.open("gitlab", CASES["gitlab"][0], 45)
    world.set_locked("gitlab", CASES["gitlab"][0], 45)
    assert forges.check(_url("gitlab", 45))[1].state == "open"


@pytest.mark.parametrize("kind", KINDS)
def test_snapshots_carry_the_forges_stable_ids(forges, world, kind):
    contribution = world.open(kind, CASES[kind][0], 46, author="ada")
    snapshot = forges.check(_url(kind, 46))[1]
    assert snapshot.author_id.isdigit() and snapshot.forge_id.isdigit()
    assert snapshot.forge_id == str(46 if kind == "gerrit" else contribution.id)
    world.edit(kind, CASES[kind][0], 46, title="Renamed nothing but the title")
    assert forges.check(_url(kind, 46))[1].author_id == snapshot.author_id


def test_every_gerrit_alias_reads_the_same_forge_id(forges, world):
    world.open("gerrit", "openstack/nova", 900010)
    ids = {forges.check(address)[1].forge_id for address in (
        "https://review.opendev.org/c/openstack/nova/+/900010",
        "https://review.opendev.org/c/900010", "https://review.opendev.org/#/c/900010/",
        "https://review.opendev.org/900010")}
    assert ids == {"900010"}


def test_a_renamed_github_repository_keeps_its_forge_id(forges, world):
    world.open("github", "openedx/before", 47)
    before = forges.check("https://github.com/openedx/before/pull/47")[1]
    world.rename("github", "openedx/before", "openedx/after")
    after = forges.check("https://github.com/openedx/before/pull/47")[1]
    assert after.forge_id == before.forge_id and after.target_repository == "openedx/after"


@pytest.mark.parametrize("kind", ["github", "gitlab", "gitea"])
def test_request_counts_per_check_do_not_grow(forges, world, kind):
    world.open(kind, CASES[kind][0], 48)
    world.review(kind, CASES[kind][0], 48, "maintainer", "approved")
    ref = forges.parse(_url(kind, 48))
    forges.fetch(ref)
    assert len(world.requests_for(kind)) == 1
    forges.fetch(ref, reviews=True)
    assert len(world.requests_for(kind)) == 3  # 1, then 2 while open with reviews asked


def test_a_bots_review_is_no_ones_first_response(simulator, world):
    """The pace's first human response (issue 20.1): a bot's earlier review is not it, by
    REST (the ``[bot]`` login, GitHub's ``Bot`` type) and by GraphQL (the ``Bot`` actor)."""
    from datetime import timedelta  # noqa: PLC0415

    rest = Forges.from_settings(simulator.settings())
    graphql = Forges.from_settings(simulator.settings(github_token="sim-token"))
    world.open("github", "openedx/xblock-sdk", 43)
    world.review("github", "openedx/xblock-sdk", 43, "ci-helper[bot]", "approved", writer=True)
    world.review("github", "openedx/xblock-sdk", 43, "maintainer", "approved", writer=True)
    bot_review, human_review = world.get("github", "openedx/xblock-sdk", 43).reviews
    bot_review.at = human_review.at - timedelta(hours=5)
    ref = rest.parse(_url("github", 43))
    by_rest = rest.fetch(ref, reviews=True).snapshot
    by_graphql = graphql.client("github.com").graphql.fetch_many([ref])[ref].snapshot
    for snapshot in (by_rest, by_graphql):
        assert snapshot.review_decision == "approved"
        assert abs(snapshot.first_review_at - human_review.at) < timedelta(seconds=1)
