"""Concurrent status calls: one forge check per due time, one award, one grade."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import run_concurrently
from upstream_xblock.models import ContributionAward, TrackedContribution

# student_1 has verified the forge account "ada" (conftest), as a learner does once.
pytestmark = pytest.mark.usefixtures("verified_ada")

THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_status_calls_award_once(forge_settings, world, events):
    from tests.block.conftest import BlockHarness
    harness = BlockHarness()
    world.open("github", "openedx/xblock-sdk", 1, author="ada")
    block = harness.block()
    usage_id = block.scope_ids.usage_id
    harness.call(block, "register", {"url": "https://github.com/openedx/xblock-sdk/pull/1",
                                     "forge_username": "ada"})
    world.merge("github", "openedx/xblock-sdk", 1)
    TrackedContribution.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
    world.clear_log()

    answers = []

    def learner_tab():
        answers.append(harness.call(harness.block(usage_id=usage_id), "status"))

    assert run_concurrently(learner_tab, THREADS) == []
    assert all(status == 200 for status, _ in answers) and len(answers) == THREADS
    assert len(world.requests_for("github")) == 1          # one check for one due time
    assert ContributionAward.objects.count() == 1
    assert len([e for e in events if e[0] == "grade"]) == 1
    assert len([e for e in events if e[0] == "completion"]) == 1
    # Every tab eventually sees the completion on its next call.
    assert harness.call(harness.block(usage_id=usage_id), "status")[1]["completed"] is True
