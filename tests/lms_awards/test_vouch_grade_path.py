"""A mentor's vouch is graded through the one grade path, with the real edx-submissions and
edx-completion: the score is the block's points, and staff withdrawal resets exactly that."""

from completion.models import BlockCompletion
from django.contrib.auth import get_user_model
from django.core.cache import cache
from opaque_keys.edx.keys import UsageKey
from submissions import api as submissions_api

from upstream_xblock.models import AwardRevocation, ContributionAward

from .lms_runtime import COURSE, USAGE, call, lms_block

PR = "https://github.com/openedx/xblock/pull/{n}"
LIST_POST = "https://lists.example.org/archives/dev/000123.html"


def score_of(anonymous_id):
    score = submissions_api.get_score({"student_id": anonymous_id, "course_id": COURSE,
                                       "item_id": USAGE, "item_type": "upstream_contribution"})
    return None if score is None else (score["points_earned"], score["points_possible"])


def completion_of(user):
    row = BlockCompletion.objects.filter(user=user, block_key=UsageKey.from_string(USAGE)).first()
    return None if row is None else row.completion


def test_a_vouched_contribution_publishes_the_score_and_withdrawal_resets_it(lms_forges):
    cache.clear()
    users = get_user_model().objects
    ada, staff = users.create(username="ada"), users.create(username="sam")
    lms_forges.open("github", "openedx/xblock", 9, author="someone-else")  # not hers: pending
    status, body = call(lms_block(ada, "anon-ada", weight=4), "register",
                        {"url": PR.format(n=9), "forge_username": "ada"})
    assert status == 200 and body["status"]["completed"] is False
    assert score_of("anon-ada") is None

    mentor = lms_block(staff, "anon-sam", is_staff=True, weight=4)
    status, body = call(mentor, "vouch", {"learner_id": str(ada.pk), "url": LIST_POST,
                                          "reason": "merged from the mailing list"})
    assert status == 200 and body["completed"] is True, body
    # Published for ada (her anonymous id), in the block's points, not for the mentor.
    assert score_of("anon-ada") == (4, 4) and completion_of(ada) == 1.0
    assert score_of("anon-sam") is None and completion_of(staff) is None
    assert ContributionAward.objects.get(learner_id=str(ada.pk)).published

    status, body = call(mentor, "revoke_vouch", {"learner_id": str(ada.pk), "url": LIST_POST,
                                                 "reason": "the patch was not hers"})
    assert status == 200 and body["award_revoked"] is True
    assert score_of("anon-ada") is None and completion_of(ada) == 0.0
    revocation = AwardRevocation.objects.get()
    assert revocation.reset_at is not None and revocation.revoked_by == str(staff.pk)
