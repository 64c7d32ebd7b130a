"""Staff fixtures: the mentors' workbench block, seen by course staff, and bulk records."""

import pytest

from tests.block.conftest import forge_settings  # noqa: F401
from tests.mentors.conftest import MENTORED_XML, STAFF, as_user, harness, seed_records, staff_ids  # noqa: F401


@pytest.fixture
def staff_block(harness):  # noqa: F811
    return harness.block(MENTORED_XML, student=STAFF)


def unawarded_learners(usage_key, count):
    """``count`` learners with two records each, none holding the award (seed_records awards
    every fifth learner; those are left out)."""
    from upstream_xblock.models import ContributionAward
    learners = seed_records(usage_key, count * 2 + (count * 2) // 4 + 10)
    awarded = set(ContributionAward.objects.filter(usage_key=usage_key).values_list(
        "learner_id", flat=True))
    return [learner for learner in learners if learner not in awarded][:count]


# tests/staff/lms_staff needs the LMS's settings: the LMS-package suite of scripts/test.sh runs it.
collect_ignore = ["lms_staff"]
