"""A merge noticed by a sweep completes the unit with no page open (workbench path)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from upstream_xblock import compat
from upstream_xblock.forges import forges_for
from upstream_xblock.models import TrackedContribution
from upstream_xblock.tracking.schedule import schedule_for
from upstream_xblock.tracking.sweep import Sweeper

pytestmark = pytest.mark.usefixtures("verified_ada")  # student_1 verified the account "ada"


def test_sweep_awards_into_the_learners_block_state(harness, world, forge_settings, events):
    world.open("github", "openedx/xblock-sdk", 1, author="ada")
    block = harness.block('<upstream_contribution required_count="1"/>')
    harness.call(block, "register", {"url": "https://github.com/openedx/xblock-sdk/pull/1",
                                     "forge_username": "ada"})
    assert block.earned_score is None
    world.merge("github", "openedx/xblock-sdk", 1)
    TrackedContribution.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))

    sweeper = Sweeper(forges_for(forge_settings), schedule_for(forge_settings),
                      publisher=compat.publish_award_in_background)
    stats = sweeper.run_once()
    assert (stats.checked, stats.awarded) == (1, 1)

    again = harness.block(usage_id=block.scope_ids.usage_id)
    assert again.earned_score == 1.0
    status = harness.call(again, "status")[1]
    assert status["completed"] is True and status["contributions"][0]["counted"] is True
    assert sweeper.run_once().awarded == 0
    assert not [e for e in events if e[0] == "grade"]  # the award came from the sweep
