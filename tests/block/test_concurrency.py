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


LEARNERS, ROUNDS = 20, 5


@pytest.mark.django_db(transaction=True)
def test_the_first_busy_minute_of_a_published_block_never_answers_500(forge_settings, world):
    """Twenty learners register at once on a block nobody opened yet, five blocks in a row:
    its stored rules are written once (not raced into a deadlock: error 1213 on MariaDB from
    BlockConfig's update_or_create, 4 runs in 5), every registration answers 200, every
    learner's merged contribution is awarded once."""
    from tests.block.conftest import BlockHarness
    from upstream_xblock.models import BlockConfig
    answers = []
    for round_ in range(ROUNDS):
        harness = BlockHarness()
        block = harness.block()  # published, never opened by a learner
        usage_id = block.scope_ids.usage_id
        # The workbench keeps the block's settings in xblock-sdk's XBlockState, whose rows
        # are made on first read without a unique key (concurrent first reads make two); the
        # LMS reads them from the modulestore. Read once here: the race left is the product's.
        for name in block.fields:
            getattr(block, name)
        learners = [f"busy{round_}-{i}" for i in range(LEARNERS)]
        for number, learner in enumerate(learners, start=100 * round_ + 1):
            world.open("github", "openedx/xblock-sdk", number, author=learner, state="merged")
            verify(learner)
        queue = list(enumerate(learners, start=100 * round_ + 1))
        assert run_concurrently(registering(harness, usage_id, queue, answers), LEARNERS) == []
        assert BlockConfig.objects.filter(usage_key=str(usage_id)).count() == 1
    assert [status for status, _ in answers] == [200] * LEARNERS * ROUNDS, \
        [body for status, body in answers if status != 200][:3]
    assert ContributionAward.objects.count() == LEARNERS * ROUNDS
    assert TrackedContribution.objects.exclude(claim_token="").count() == 0


def registering(harness, usage_id, queue, answers):
    """A thread's work: the next learner of ``queue`` registers their pull request."""
    def register():
        number, learner = queue.pop()
        answers.append(harness.call(harness.block(student=learner, usage_id=usage_id),
                                    "register", {"url": PR.format(n=number)}))
    return register


def verify(learner):
    from django.utils import timezone as django_timezone

    from forge_simulator.shapes import project_id as account_id_of
    from upstream_xblock.identity import api as identity_api
    identity_api.record(learner, "github.com", str(account_id_of(learner)), learner, "oauth",
                        django_timezone.now())


PR = "https://github.com/openedx/xblock-sdk/pull/{n}"
