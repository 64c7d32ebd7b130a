"""An answer must be about what was asked: the same number, the same repository.

A forge (or anything between) answering about another pull request or another
repository is ``bad_response``; no redirect is followed, same origin included,
unless it only changes the repository's name (GitHub's renamed repository, by
name or by ``/repositories/:id``), and the answer is then that repository's.
"""

import pytest

from upstream_xblock.forges.github import github_rename

API = "https://api.github.com"


@pytest.mark.parametrize("target,renamed", [
    ("/repos/openedx/new-name/pulls/7", ("name", "openedx/new-name")),
    ("/repositories/123456/pulls/7", ("id", 123456)),
    ("/repos/openedx/old-name/pulls/7", ("name", "openedx/old-name")),  # a loop: bounded
    ("/repos/openedx/old-name/pulls/999", None),       # another pull request
    ("/repos/openedx/other/pulls/999", None),
    ("/repos/openedx/new-name/issues/7", None),        # another endpoint
    ("/repositories/123456/pulls/7/files", None),
    ("/repos/openedx/new-name/pulls/7?page=2", None),  # another query
    ("/api/v3/repos/openedx/new-name/pulls/7", None),  # another API root
    ("/repositories/0/pulls/7", None),
])
def test_only_a_rename_of_the_repository_is_followed(target, renamed):
    assert github_rename(f"{API}/repos/openedx/old-name/pulls/7", API + target) == renamed


def test_a_rename_keeps_the_reviews_endpoint_and_its_query():
    source = f"{API}/repos/a/b/pulls/7/reviews?per_page=100&page=1"
    assert github_rename(source, f"{API}/repositories/42/pulls/7/reviews?per_page=100&page=1") \
        == ("id", 42)


def test_a_renamed_repository_by_id_is_followed_and_checked(forges, world):
    world.github_renames_by_id = True
    world.open("github", "openedx/before-id", 21, state="merged")
    world.rename("github", "openedx/before-id", "openedx/after-id")
    _, snapshot = forges.check("https://github.com/openedx/before-id/pull/21")
    assert (snapshot.state, snapshot.target_repository) == ("merged", "openedx/after-id")
    assert [r[3] for r in world.requests_for("github")] == [301, 200]
    assert "/repositories/" in world.requests_for("github")[1][2]


# Answers about another pull request, another repository, and a same-origin redirect to
# another pull request, over real HTTP on the four forge kinds: the fault server's
# ``other_pull``, ``other_repository`` and ``redirect_other_pull`` (tests/faults/).
