"""The same bulk accept submitted twice and run at once by two runners (two workers, or a
worker and the staff page's poll): each learner is awarded, changed and recorded once.

Also run on MariaDB (tests/mariadb_server.py), where the two runners really overlap.
"""

import pytest
from django.utils import timezone

from tests.helpers import run_concurrently
from tests.staff.conftest import unawarded_learners
from upstream_xblock.models import ContributionAward, TrackedContribution
from upstream_xblock.staff import bulk
from upstream_xblock.staff.audit import Actor
from upstream_xblock.staff.models import AuditEntry

LEARNERS, ROUNDS = 60, 5


@pytest.mark.django_db(transaction=True)
def test_a_bulk_accept_submitted_twice_and_run_at_once_records_each_learner_once():
    for round_ in range(ROUNDS):
        usage = f"double-{round_}"
        learners = unawarded_learners(usage, LEARNERS)
        params = {"reason": "clicked twice", "points": 1.0, "url": ""}
        jobs = [bulk.start(usage, "", "accept", learners, params, Actor("sam", "sam"),
                           timezone.now()).pk for _ in range(2)]
        assert run_concurrently(lambda jobs=jobs: bulk.run_all(jobs.pop(), timezone.now),
                                2) == []
        assert ContributionAward.objects.filter(usage_key=usage,
                                                learner_id__in=learners).count() == LEARNERS
        entries = AuditEntry.objects.filter(usage_key=usage, action="accept")
        assert sorted(entries.values_list("learner_id", flat=True)) == sorted(learners)
        for checks in TrackedContribution.objects.filter(
                usage_key=usage, learner_id__in=learners).values_list("checks", flat=True):
            assert [c["id"] for c in checks].count("staff") <= 1  # changed by one job only
