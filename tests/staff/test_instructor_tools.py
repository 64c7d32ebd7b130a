"""The instructor dashboard's tools on the workbench: score override, rescore, the report,
and staff masquerading acting as themselves."""

from collections import namedtuple

from django.utils import timezone
from xblock.scorable import Score

from forge_simulator.ids import num_id as account_id_of
from tests.mentors.conftest import PR
from upstream_xblock.identity import api as identity_api
from upstream_xblock.models import ContributionAward
from upstream_xblock.staff.models import AuditEntry

# What the LMS's user state client yields to generate_report_data.
XBlockUserState = namedtuple("XBlockUserState", "username block_key state updated scope")


def registered(harness, staff_block, world, student="ada", number=1, state="open"):
    """``student`` (verified as the forge account of the same name) registers a pull request."""
    world.open("github", "openedx/xblock-sdk", number, author=student, state=state)
    identity_api.record(student, "github.com", str(account_id_of(student)), student, "oauth",
                        timezone.now())
    block = harness.block(student=student, usage_id=staff_block.scope_ids.usage_id)
    status, body = harness.call(block, "register", {"url": PR.format(n=number),
                                                    "forge_username": student})
    assert status == 200, body
    return block


def test_score_override_goes_through_the_award_path(harness, staff_block, world):
    ada = registered(harness, staff_block, world)
    assert ada.has_submitted_answer() and ada.get_score() == Score(0.0, 1.0)
    # As the LMS's override task does: weighted score / weight, max_score / weight.
    ada.set_score(Score(raw_earned=0.5, raw_possible=1.0))
    ada.publish_grade()
    award = ContributionAward.objects.get(learner_id="ada")
    assert (award.score, award.published, award.score_published) == (0.5, True, True)
    assert ada.get_score() == Score(0.5, 1.0) == ada.calculate_score()
    fresh = harness.block(student="ada", usage_id=staff_block.scope_ids.usage_id)
    assert fresh.earned_score == 0.5  # the workbench's grade: the learner's block state
    entry = AuditEntry.objects.get(action="score_override")
    assert (entry.learner_id, entry.reason, entry.source) == ("ada", "0.50", "instructor")


def test_a_zero_override_without_an_award_changes_nothing(harness, staff_block, world):
    ada = registered(harness, staff_block, world)
    ada.set_score(Score(raw_earned=0, raw_possible=1.0))
    ada.publish_grade()
    assert not ContributionAward.objects.exists()


def test_rescore_applies_the_rules_and_publishes_again(harness, staff_block, world):
    ada = registered(harness, staff_block, world, state="merged")
    award = ContributionAward.objects.get(learner_id="ada")
    assert award.published
    ada.rescore(only_if_higher=False)
    award.refresh_from_db()
    assert award.published and award.score == 1.0
    assert AuditEntry.objects.filter(action="rescore", learner_id="ada").count() == 1


def test_rescore_of_a_learner_who_registered_nothing_is_refused(harness, staff_block):
    nobody = harness.block(student="nobody", usage_id=staff_block.scope_ids.usage_id)
    try:
        nobody.rescore(only_if_higher=False)
    except ValueError:
        return
    raise AssertionError("rescore accepted a learner without records")


def test_problem_responses_report(harness, staff_block, world):
    registered(harness, staff_block, world, "ada", 1, "merged")
    registered(harness, staff_block, world, "bob", 2)
    harness.call(staff_block, "annotate", {"learner_id": "bob", "text": "Ping the reviewers",
                                           "visibility": "mentors"})
    states = [XBlockUserState("ada", None, {}, None, None),
              XBlockUserState("bob", None, {"annotations": [{
                  "author": "sam", "visibility": "mentors", "text": "Ping the reviewers"}]},
                  None, None),
              XBlockUserState("carol", None, {}, None, None)]
    rows = list(staff_block.generate_report_data(iter(states)))
    assert [(name, data["URL"], data["Verdict"]) for name, data in rows] == [
        ("ada", PR.format(n=1), "accepted"), ("bob", PR.format(n=2), "pending")]
    assert rows[1][1]["Annotations"] == "sam (mentors): Ping the reviewers"
    assert rows[0][1]["Merged at"] and rows[0][1]["State"] == "merged"
    assert list(staff_block.generate_report_data(iter(states), limit_responses=1)) == rows[:1]


class PublishService:
    """The LMS's publish service: the request's user, which masquerade marks with real_user."""

    def __init__(self, user):
        self.user, self.course_id = user, None


User = namedtuple("User", "pk username real_user")


def test_staff_masquerading_act_as_themselves(harness, staff_block, world):
    registered(harness, staff_block, world)
    # The request's user is the learner viewed; the real user is another staff member.
    staff = User(pk="7", username="root", real_user=None)
    learner = User(pk="ada", username="ada", real_user=staff)
    staff_block.runtime._services["publish"] = PublishService(learner)
    status, _body = harness.call(staff_block, "bulk", {"action": "accept", "learner_ids": ["ada"],
                                                       "reason": "Seen on the list"})
    assert status == 200
    entry = AuditEntry.objects.get(action="accept")
    assert (entry.actor_id, entry.actor_username) == ("7", "root")
    assert AuditEntry.objects.get(action="bulk").actor_username == "root"
    assert ContributionAward.objects.get(learner_id="ada").score == 1.0
