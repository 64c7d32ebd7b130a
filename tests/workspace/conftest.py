"""The course-wide workspace's fixtures: a course of two activities (their stored settings,
as a publish or a learner's visit stores them) and registry records made in bulk."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.block.conftest import forge_settings  # noqa: F401
from tests.mentors.conftest import harness, staff_ids  # noqa: F401
from tests.staff.conftest import staff_block  # noqa: F401
from upstream_xblock.models import BlockConfig, ContributionAward, TrackedContribution

COURSE = "course-v1:FLOSS+Upstream+2026"
WEEK3 = "block-v1:FLOSS+Upstream+2026+type@upstream_contribution+block@week3"
WEEK6 = "block-v1:FLOSS+Upstream+2026+type@upstream_contribution+block@week6"
OTHER_COURSE_BLOCK = "block-v1:Other+Course+Run+type@upstream_contribution+block@one"
STAFF, MENTOR = "sam", "mia"
BASE = "/upstream-xblock/course/" + COURSE + "/"


@pytest.fixture
def course(db, settings):
    settings.UPSTREAM_XBLOCK_DEMO_STAFF = [STAFF]
    BlockConfig.objects.create(usage_key=WEEK3, course_key=COURSE, rules={},
                               display_name="First contribution (week 3)", mentors=[MENTOR])
    BlockConfig.objects.create(usage_key=WEEK6, course_key=COURSE, rules={}, points=2.0,
                               display_name="Second contribution (week 6)", mentors=[])
    return COURSE


def seed_course(records, now=None, awarded_every=5):
    """``records`` registry records, two per learner: one in each activity (half of them
    pending, a fifth of the learners awarded week 3). Returns the learner ids."""
    now = now or timezone.now()
    verdicts = ("pending", "accepted", "rejected", "pending", "")
    rows = []
    for index in range(records):
        learner = f"learner{index // 2:05d}"
        usage = WEEK3 if index % 2 == 0 else WEEK6
        rows.append(TrackedContribution(
            usage_key=usage, course_key=COURSE, learner_id=learner,
            url=f"https://github.com/openedx/xblock-sdk/pull/{index + 1}", kind="github",
            host="github.com", project="openedx/xblock-sdk", number=index + 1,
            state=("open", "merged", "closed", "draft", "")[index % 5],
            verdict=verdicts[index % 5], title=f"Change {index}", checks=[],
            registered_at=now - timedelta(days=index % 40), next_check_at=None))
    TrackedContribution.objects.bulk_create(rows, batch_size=2000)
    learners = sorted({row.learner_id for row in rows})
    ContributionAward.objects.bulk_create(
        [ContributionAward(usage_key=WEEK3, course_key=COURSE, learner_id=learner,
                           awarded_at=now, score=1.0) for learner in learners[::awarded_every]],
        batch_size=2000)
    return learners


def call(client, endpoint, payload=None, student=STAFF):
    """(status, JSON) of a POST to one of the workspace's endpoints, as ``student``."""
    query = f"?student={student}" if student else ""
    response = client.post(BASE + endpoint + "/" + query, data=json.dumps(payload or {}),
                           content_type="application/json")
    return response.status_code, response.json()


@pytest.fixture
def client():
    return Client()
