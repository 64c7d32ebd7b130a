"""Learners claiming one contribution at the same moment: the unique credit row decides.

The tracking layer is called from threads directly (the workbench's own field
store is not safe for concurrent first writes; the LMS's is).
"""

import threading

import pytest

from tests.helpers import run_concurrently
from upstream_xblock.models import ContributionAward, ContributionCredit
from upstream_xblock.policy import Rules
from upstream_xblock.tracking.service import BlockContext, ContributionTracker

THREADS = 6
URL = "https://github.com/openedx/xblock-sdk/pull/90"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_claims_credit_one_learner(world, forges):
    world.open("github", "openedx/xblock-sdk", 90, author="ada", state="merged")
    learners = [f"learner_{n}" for n in range(THREADS)]
    lock, awards = threading.Lock(), []

    def claim():
        with lock:
            learner = learners.pop()
        context = BlockContext(usage_key="course-block", learner_id=learner,
                               course_key="course-v1:FLOSS+Upstream+2026",
                               rules=Rules(trust_typed_usernames=True))
        _, _, award = ContributionTracker(context, forges).register(
            URL, "ada")
        awards.append(award)

    assert run_concurrently(claim, THREADS) == []
    assert len(awards) == THREADS and sum(award is not None for award in awards) == 1
    assert ContributionAward.objects.count() == 1 and ContributionCredit.objects.count() == 1
    assert ContributionCredit.objects.get().learner_id == ContributionAward.objects.get().learner_id
