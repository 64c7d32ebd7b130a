"""Mentor and staff fixtures: the workbench with a block that lists mentors, staff ids,
and registry records made in bulk (no forge call) for tables of many learners."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.block.conftest import BlockHarness, events, forge_settings  # noqa: F401
from upstream_xblock.models import ContributionAward, TrackedContribution
from upstream_xblock.staff.models import AnnotationIndex

MENTOR, OTHER_MENTOR, STAFF = "mia", "zed", "sam"
MENTORED_XML = '<upstream_contribution mentors=\'["mia"]\'/>'
OTHER_XML = '<upstream_contribution mentors=\'["zed"]\'/>'
PR = "https://github.com/openedx/xblock-sdk/pull/{n}"


@pytest.fixture
def staff_ids(settings):
    settings.UPSTREAM_XBLOCK_DEMO_STAFF = [STAFF]
    return settings.UPSTREAM_XBLOCK_DEMO_STAFF


@pytest.fixture
def harness(db, forge_settings, staff_ids):  # noqa: F811
    return BlockHarness()


def as_user(harness, block, student):
    """The same block (usage) as seen by another user."""
    return harness.block(student=student, usage_id=block.scope_ids.usage_id)


def seed_records(usage_key, count, per_learner=2, now=None):
    """``count`` registry records, ``per_learner`` per learner, with every verdict and state,
    an award for every fifth learner and an annotation index row for every seventh."""
    now = now or timezone.now()
    verdicts = ("pending", "accepted", "rejected", "pending", "")
    states = ("open", "merged", "closed", "draft", "")
    rows = []
    for index in range(count):
        learner = f"learner{index // per_learner:05d}"
        rows.append(TrackedContribution(
            usage_key=usage_key, learner_id=learner, url=PR.format(n=index + 1), kind="github",
            host="github.com", project="openedx/xblock-sdk", number=index + 1,
            state=states[index % 5], verdict=verdicts[index % 5], title=f"Change {index}",
            checks=[{"id": "accepted", "outcome": "waiting",
                     "reason": "Waiting for the maintainers to accept it."}],
            registered_at=now - timedelta(days=index % 40), next_check_at=None))
    TrackedContribution.objects.bulk_create(rows, batch_size=2000)
    learners = sorted({row.learner_id for row in rows})
    ContributionAward.objects.bulk_create(
        [ContributionAward(usage_key=usage_key, learner_id=learner, awarded_at=now, score=1.0)
         for learner in learners[::5]], batch_size=2000)
    AnnotationIndex.objects.bulk_create(
        [AnnotationIndex(usage_key=usage_key, learner_id=learner, count=1, for_learner=1,
                         updated_at=now) for learner in learners[::7]], batch_size=2000)
    return learners


def seed_annotation_state(usage_key, learners, text="seeded note"):
    """Annotations in the workbench's block state of ``learners`` (as the store writes them)."""
    from workbench.models import XBlockState
    scenario, tag, _rest = usage_key.split(".", 2)
    XBlockState.objects.bulk_create([XBlockState(
        scope="usage", scope_id=usage_key, user_id=learner, scenario=scenario, tag=tag,
        state=json.dumps({"annotations": [{
            "id": f"n{learner}", "author": MENTOR, "author_id": MENTOR,
            "created_at": timezone.now().isoformat(), "text": text, "visibility": "learner",
            "tag": "", "url": "", "edited_at": None, "deleted": False, "history": []}]}))
        for learner in learners])
