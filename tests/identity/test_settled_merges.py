"""A merged contribution that waits only for its author's account to be verified is settled:
the forge has nothing more to say, so no sweep asks it again; verifying the account
re-evaluates it at once (in its block) and wakes it in the learner's other blocks."""

from django.utils import timezone

from forge_simulator.shapes import project_id as account_id_of
from upstream_xblock.forges import Forges
from upstream_xblock.identity import api as identity_api
from upstream_xblock.identity.api import verification_code
from upstream_xblock.models import TrackedContribution
from upstream_xblock.tracking.schedule import Schedule
from upstream_xblock.tracking.sweep import Sweeper

from .conftest import PROJECTS, url_of


def test_a_merged_change_of_an_unverified_author_is_not_checked_again(harness, world,
                                                                      simulator):
    world.open("gerrit", PROJECTS["gerrit"], 41, author="ada", state="merged")
    block = harness.block()
    status, body = harness.call(block, "register", {"url": url_of("gerrit", 41)})
    assert status == 200 and body["status"]["completed"] is False
    row = TrackedContribution.objects.get()
    assert row.state == "merged" and row.verdict == "pending" and row.next_check_at is None
    asked = len(world.requests_for("gerrit"))
    sweeper = Sweeper(Forges.from_settings(simulator.settings()), Schedule())
    assert sweeper.run_once().due == 0  # nothing due: a sweep asks the forge nothing
    assert len(world.requests_for("gerrit")) == asked
    # Verifying the author: the block re-evaluates it at once, and it counts.
    world.comment("gerrit", PROJECTS["gerrit"], 41, "ada", verification_code("student_1"))
    status, body = harness.call(block, "verify_code", {"url": url_of("gerrit", 41)})
    assert status == 200 and body["status"]["completed"] is True


def test_an_account_verified_elsewhere_wakes_the_learners_settled_records(harness, world):
    world.open("github", PROJECTS["github"], 42, author="ada", state="merged")
    first = harness.block()
    assert harness.call(first, "register", {"url": url_of("github", 42)})[0] == 200
    assert TrackedContribution.objects.get().next_check_at is None
    # The account is verified outside this block (the OAuth views, another block's panel):
    identity_api.record("student_1", "github.com", str(account_id_of("ada")), "ada", "oauth",
                        timezone.now())
    # The learner's panel asks for its data when they come back: what waited is due again.
    assert harness.call(first, "identity")[0] == 200
    assert TrackedContribution.objects.get().next_check_at is not None


def test_a_merge_that_still_waits_for_a_code_in_its_description_is_checked_daily(harness,
                                                                                 world):
    world.open("github", PROJECTS["github"], 43, author="ada", state="merged")
    block = harness.block('<upstream_contribution require_ownership_code="true" '
                          'require_author="false"/>')
    assert harness.call(block, "register", {"url": url_of("github", 43)})[0] == 200
    row = TrackedContribution.objects.get()
    assert row.verdict == "pending" and row.next_check_at is not None
    assert (row.next_check_at - row.last_checked_at).total_seconds() == Schedule().closed_every_s
