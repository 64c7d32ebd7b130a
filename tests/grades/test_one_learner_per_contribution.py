"""One contribution counts for one learner per course, once, whatever its address."""

import pytest
from django.utils import timezone

from upstream_xblock import compat
from upstream_xblock.models import ContributionAward, ContributionCredit, TrackedContribution
from upstream_xblock.tracking import credits

SDK = "openedx/xblock-sdk"
PR = "https://github.com/openedx/xblock-sdk/pull/{n}"
GERRIT = "https://review.opendev.org/c/openstack/nova/+/{n}"


def register(harness, block, url, username="ada"):
    return harness.call(block, "register", {"url": url, "forge_username": username})


def credit_check(body, url):
    contribution = next(c for c in body["contributions"] if c["url"] == url)
    return contribution["verdict"], {c["id"]: c for c in contribution["checks"]}.get("credit")


# Several learners typing one author's user name can all pass the author rule only where
# the author trusts typed user names: the case where one credit per contribution matters.
TRUSTING = '<upstream_contribution trust_typed_usernames="true"/>'
TRUSTING_TWO = '<upstream_contribution required_count="2" trust_typed_usernames="true"/>'


@pytest.fixture(autouse=True)
def ada_verified(verify_account):
    """The learner ada proved the forge account ada is hers; bob proved nothing."""
    verify_account("ada", "ada")


def learners(harness, xml, *names):
    first = harness.block(xml, student=names[0])
    return [first] + [harness.block(student=name, usage_id=first.scope_ids.usage_id)
                      for name in names[1:]]


def test_two_learners_one_pull_request_one_award(harness, world):
    # bob types ada's user name (as trust_typed_usernames would let him): still one credit.
    world.open("github", SDK, 61, author="ada", state="merged")
    ada, bob = learners(harness, TRUSTING, "ada", "bob")
    assert register(harness, ada, PR.format(n=61))[1]["status"]["completed"] is True
    status, body = register(harness, bob, PR.format(n=61))
    assert status == 200 and body["status"]["completed"] is False
    verdict, check = credit_check(body["status"], PR.format(n=61))
    assert verdict == "rejected" and check["outcome"] == "failed"
    assert "another learner" in check["reason"] and "ada" not in check["reason"]
    assert list(ContributionAward.objects.values_list("learner_id", flat=True)) == ["ada"]
    assert ContributionCredit.objects.get().learner_id == "ada"
    # Staff can see the conflict: whose record was refused, and who holds it.
    conflict, = credits.conflicts(compat.usage_key(ada))
    assert (conflict["learner_id"], conflict["holder_learner_id"]) == ("bob", "ada")
    # Asking again changes nothing.
    assert harness.call(bob, "check_now")[0] in (200, 429)
    assert ContributionAward.objects.count() == 1


def test_someone_claiming_first_never_blocks_the_verified_author(harness, world):
    # Default rules: bob registers ada's pull request first, typing her name.
    world.open("github", SDK, 65, author="ada", state="merged")
    ada, bob = learners(harness, "<upstream_contribution/>", "bob", "ada")[::-1]
    body = register(harness, bob, PR.format(n=65))[1]["status"]
    contribution = body["contributions"][0]
    author = {c["id"]: c for c in contribution["checks"]}["author"]
    assert contribution["verdict"] == "pending" and author["outcome"] == "waiting"
    assert "verify" in author["reason"].lower()
    assert ContributionCredit.objects.count() == 0
    assert register(harness, ada, PR.format(n=65))[1]["status"]["completed"] is True
    assert list(ContributionAward.objects.values_list("learner_id", flat=True)) == ["ada"]
    assert harness.call(bob, "status")[1]["completed"] is False


def test_a_credit_no_longer_accepted_passes_to_the_next_claimant(harness, world):
    world.open("github", SDK, 62, author="ada", state="merged")
    ada, bob = learners(harness, TRUSTING_TWO, "ada", "bob")
    register(harness, ada, PR.format(n=62))
    body = register(harness, bob, PR.format(n=62))[1]["status"]
    assert credit_check(body, PR.format(n=62))[0] == "rejected"
    assert harness.call(ada, "withdraw", {"url": PR.format(n=62)})[0] == 200
    body = harness.call(bob, "status")[1]
    assert credit_check(body, PR.format(n=62)) == ("accepted", None)
    assert ContributionCredit.objects.get().learner_id == "bob"


def test_revoking_hands_the_contribution_to_the_other_claimant(harness, world,
                                                                monkeypatch):
    world.open("github", SDK, 63, author="ada", state="merged")
    ada, bob = learners(harness, TRUSTING, "ada", "bob")
    register(harness, ada, PR.format(n=63))
    register(harness, bob, PR.format(n=63))
    with monkeypatch.context() as patch:
        patch.setattr(compat, "is_staff", lambda block: True)  # noqa: ARG005
        staff = harness.block(student="staff", usage_id=ada.scope_ids.usage_id)
        assert harness.call(staff, "revoke", {"learner_id": "ada",
                                              "reason": "bob wrote it"})[0] == 200
    bobs = TrackedContribution.objects.get(learner_id="bob")
    assert bobs.next_check_at is not None and bobs.next_check_at <= timezone.now()
    assert harness.call(bob, "status")[1]["completed"] is True
    assert list(ContributionAward.objects.values_list("learner_id", flat=True)) == ["bob"]


def test_every_gerrit_alias_of_a_change_counts_once(harness, world):
    world.open("gerrit", "openstack/nova", 900001, author="ada", state="merged")
    block = harness.block('<upstream_contribution required_count="2"/>', student="ada")
    assert register(harness, block, GERRIT.format(n=900001))[0] == 200
    for alias in ("https://review.opendev.org/c/900001", "https://review.opendev.org/#/c/900001/",
                  "https://review.opendev.org/900001"):
        status, body = register(harness, block, alias)
        assert (status, body["error"]["code"]) == (400, "already_registered"), alias
    assert TrackedContribution.objects.count() == 1
    assert ContributionAward.objects.count() == 0  # one change is one of the two required


def test_an_alias_registered_first_by_number_is_the_same_change(harness, world):
    world.open("gerrit", "openstack/nova", 900002, author="ada", state="merged")
    block = harness.block('<upstream_contribution required_count="2"/>', student="ada")
    assert register(harness, block, "https://review.opendev.org/900002")[0] == 200
    status, body = register(harness, block, GERRIT.format(n=900002))
    assert (status, body["error"]["code"]) == (400, "already_registered")
    row = TrackedContribution.objects.get()
    assert row.forge_id and row.url == "https://review.opendev.org/c/900002"


def test_a_renamed_github_repository_counts_once(harness, world):
    world.open("github", "openedx/old-name", 7, author="ada", state="merged")
    block = harness.block('<upstream_contribution required_count="2"/>', student="ada")
    assert register(harness, block, "https://github.com/openedx/old-name/pull/7")[0] == 200
    world.rename("github", "openedx/old-name", "openedx/new-name")
    status, body = register(harness, block, "https://github.com/openedx/new-name/pull/7")
    assert (status, body["error"]["code"]) == (400, "already_registered")
    assert TrackedContribution.objects.count() == 1
    assert ContributionAward.objects.count() == 0


def test_one_contribution_counts_in_one_activity_of_a_course(harness, world):
    world.open("github", SDK, 64, author="ada", state="merged")
    first = harness.block(student="ada")
    second = BlockHarnessOtherScenario(harness).block(student="ada")
    assert register(harness, first, PR.format(n=64))[1]["status"]["completed"] is True
    body = register(harness, second, PR.format(n=64))[1]["status"]
    verdict, check = credit_check(body, PR.format(n=64))
    assert verdict == "rejected" and "another activity" in check["reason"]
    assert ContributionAward.objects.count() == 1


class BlockHarnessOtherScenario:
    """A second block of the same (workbench) course."""

    def __init__(self, harness):
        from tests.block.conftest import BlockHarness
        self.other = BlockHarness()
        self.other.scenario = harness.scenario + "-b"

    def block(self, **kwargs):
        return self.other.block(**kwargs)


def test_an_alias_known_only_after_a_later_check_counts_once(harness, world):
    world.open("github", "openedx/old-name", 9, author="ada", state="merged")
    block = harness.block('<upstream_contribution required_count="2"/>', student="ada")
    register(harness, block, "https://github.com/openedx/old-name/pull/9")
    world.rename("github", "openedx/old-name", "openedx/new-name")
    world.fail_next("github", 503, times=3)  # the new address cannot be checked at first
    new = "https://github.com/openedx/new-name/pull/9"
    assert register(harness, block, new)[0] == 200
    TrackedContribution.objects.filter(url=new).update(next_check_at=timezone.now())
    body = harness.call(block, "status")[1]
    verdict, check = credit_check(body, new)
    assert verdict == "rejected" and "already, as https://github.com/openedx/old-name/pull/9" \
        in check["reason"]
    assert body["accepted"] == 1 and body["completed"] is False
    assert ContributionAward.objects.count() == 0


def test_a_revoked_contribution_does_not_come_back_through_another_address(
        harness, world, monkeypatch):
    world.open("github", "openedx/old-name", 10, author="ada", state="merged")
    block = harness.block(student="ada")
    register(harness, block, "https://github.com/openedx/old-name/pull/10")
    world.rename("github", "openedx/old-name", "openedx/new-name")
    world.fail_next("github", 503, times=3)
    new = "https://github.com/openedx/new-name/pull/10"
    register(harness, block, new)  # stored unchecked: not yet known to be the same one
    with monkeypatch.context() as patch:
        patch.setattr(compat, "is_staff", lambda block: True)  # noqa: ARG005
        staff = harness.block(student="staff", usage_id=block.scope_ids.usage_id)
        assert harness.call(staff, "revoke", {"learner_id": "ada", "reason": "not hers"})[0] \
            == 200
    TrackedContribution.objects.filter(url=new).update(next_check_at=timezone.now())
    body = harness.call(block, "status")[1]
    assert body["completed"] is False
    assert credit_check(body, new)[0] == "rejected"
    assert ContributionAward.objects.count() == 0
