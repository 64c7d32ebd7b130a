"""A code posted as a comment by the contribution's author proves the account, on every forge."""

import pytest

from forge_simulator.shapes import project_id as account_id_of
from upstream_xblock.identity.api import verification_code
from upstream_xblock.identity.models import VerifiedForgeAccount
from upstream_xblock.throttle import DEFAULT_LIMITS

from .conftest import HOSTS, KINDS, PROJECTS, url_of


def _accounts():
    return list(VerifiedForgeAccount.objects.values_list("learner_id", "host", "account_id",
                                                         "username", "method"))


@pytest.mark.parametrize("kind", KINDS)
def test_a_code_posted_by_the_author_verifies_the_account(harness, world, kind):
    world.open(kind, PROJECTS[kind], 11, author="ada", state="merged")
    block = harness.block()
    world.comment(kind, PROJECTS[kind], 11, "maintainer", "Thanks!")
    world.comment(kind, PROJECTS[kind], 11, "ada", f"It is me: {verification_code('student_1')}")
    status, body = harness.call(block, "verify_code", {"url": url_of(kind, 11)})
    assert status == 200, body
    assert _accounts() == [("student_1", HOSTS[kind], str(account_id_of("ada")), "ada",
                            "comment_code")]
    assert body["identity"]["accounts"][0]["username"] == "ada"
    # It is reused: a contribution registered afterwards, in any block, counts.
    other = harness.block('<upstream_contribution display_name="Another"/>')
    status, body = harness.call(other, "register", {"url": url_of(kind, 11)})
    assert body["status"]["completed"] is True


@pytest.mark.parametrize("kind", KINDS)
def test_a_code_posted_by_someone_else_proves_nothing(harness, world, kind):
    world.open(kind, PROJECTS[kind], 12, author="ada", state="merged")
    block = harness.block()
    # mallory comments with her own code on ada's contribution
    world.comment(kind, PROJECTS[kind], 12, "mallory", verification_code("student_1"))
    status, body = harness.call(block, "verify_code", {"url": url_of(kind, 12)})
    assert (status, body["error"]["code"]) == (400, "code_not_by_author")
    assert "mallory" in body["error"]["message"] and "ada" in body["error"]["message"]
    assert _accounts() == []


@pytest.mark.parametrize("kind", KINDS)
def test_no_code_yet(harness, world, kind):
    world.open(kind, PROJECTS[kind], 13, author="ada")
    world.comment(kind, PROJECTS[kind], 13, "ada", verification_code("student_2"))  # not hers
    status, body = harness.call(harness.block(), "verify_code", {"url": url_of(kind, 13)})
    assert (status, body["error"]["code"]) == (400, "code_not_found")
    assert verification_code("student_1") in body["error"]["message"]
    assert _accounts() == []


def test_the_code_in_the_description_still_works(harness, world):
    code = verification_code("student_1")
    world.open("github", PROJECTS["github"], 14, author="ada", body=f"Fixes #3.\n\n{code}")
    status, body = harness.call(harness.block(), "verify_code", {"url": url_of("github", 14)})
    assert status == 200, body
    assert [a[4] for a in _accounts()] == ["description_code"]


def test_an_account_verified_by_another_learner_is_refused(harness, world):
    world.open("github", PROJECTS["github"], 15, author="ada")
    world.comment("github", PROJECTS["github"], 15, "ada", verification_code("student_1"))
    world.comment("github", PROJECTS["github"], 15, "ada", verification_code("student_2"))
    block = harness.block()
    assert harness.call(block, "verify_code", {"url": url_of("github", 15)})[0] == 200
    other = harness.block(student="student_2", usage_id=block.scope_ids.usage_id)
    status, body = harness.call(other, "verify_code", {"url": url_of("github", 15)})
    assert (status, body["error"]["code"]) == (409, "account_taken")
    assert [a[0] for a in _accounts()] == ["student_1"]


def test_github_reads_the_last_page_of_a_long_discussion(harness, world):
    world.open("github", PROJECTS["github"], 16, author="ada")
    for number in range(120):
        world.comment("github", PROJECTS["github"], 16, "reviewer", f"comment {number}")
    world.comment("github", PROJECTS["github"], 16, "ada", verification_code("student_1"))
    world.clear_log()
    status, body = harness.call(harness.block(), "verify_code", {"url": url_of("github", 16)})
    assert status == 200, body
    comment_requests = [r for r in world.requests_for("github") if "/comments" in r[2]]
    assert len(comment_requests) == 2  # the first page, then the last one (Link: rel="last")


@pytest.mark.parametrize("url,code", [
    ("https://evil.example/a/b/pull/1", "unsupported_host"),
    ("https://github.com/openedx/xblock-sdk/issues/1", "invalid_url"),
])
def test_only_configured_forges_are_asked(harness, world, connections, url, code):
    status, body = harness.call(harness.block(), "verify_code", {"url": url})
    assert (status, body["error"]["code"]) == (400, code)
    assert world.requests_for() == []


def test_tries_are_bounded(harness, world):
    tries = DEFAULT_LIMITS["verify_code"][0]
    world.open("gitea", PROJECTS["gitea"], 17, author="ada")
    block = harness.block()
    answers = [harness.call(block, "verify_code", {"url": url_of("gitea", 17)})
               for _ in range(tries + 1)]
    assert [status for status, _ in answers] == [400] * tries + [429]
    assert answers[-1][1]["error"]["code"] == "too_soon"
    assert len(world.requests_for("gitea")) == 2 * tries  # the last try asked nothing
