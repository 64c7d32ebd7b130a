"""Mentors' filter "waiting longer than this project usually takes" and the sort by how overdue,
both in SQL over the hourly scan's standings (tracking/overdue.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from forge_simulator.shapes import project_id as account_id_of  # noqa: I001
from tests.mentors.conftest import MENTOR, MENTORED_XML, as_user
from tests.tracking.test_pace import REPO, seed
from upstream_xblock.forges import Forges
from upstream_xblock.identity import api as identity_api
from upstream_xblock.models import PaceStanding
from upstream_xblock.tracking import overdue, pace


@pytest.fixture
def waiting(harness, world, simulator):
    """ada waits 9 days, bob 20, cy 1 on a project whose p80 first answer is 6 days."""
    now = timezone.now()
    seed(world)
    block = None
    for number, (learner, days) in enumerate((("ada", 9), ("bob", 20), ("cy", 1)), start=13):
        identity_api.record(learner, "github.com", str(account_id_of(learner)), learner,
                            "oauth", now)
        world.open("github", REPO, number, author=learner, created_at=now - timedelta(days=days))
        block = harness.block(MENTORED_XML, student=learner, usage_id=block.scope_ids.usage_id
                              if block else None)
        assert harness.call(block, "register", {"url": f"https://github.com/{REPO}/pull/{number}",
                                                "forge_username": learner})[0] == 200
    pace.refresh_samples(Forges.from_settings(simulator.settings(github_token="t")), now)
    overdue.scan(now)
    return as_user(harness, block, MENTOR)


def learners(harness, mentor, **request):
    status, body = harness.call(mentor, "progress", request)
    assert status == 200, body
    return [(row["learner"]["username"], row["overdue_days"]) for row in body["rows"]]


def test_the_filter_keeps_exactly_the_overdue(harness, waiting):
    assert sorted(learners(harness, waiting, filters={"overdue": True})) == \
        [("ada", 3.0), ("bob", 14.0)]
    assert learners(harness, waiting, filters={"overdue": False}) == [("cy", 0)]
    assert PaceStanding.objects.count() == 2


def test_the_sort_puts_the_most_overdue_first(harness, waiting):
    assert [name for name, _ in learners(harness, waiting, sort="-overdue")] == \
        ["bob", "ada", "cy"]
    assert [name for name, _ in learners(harness, waiting, sort="overdue")] == \
        ["cy", "ada", "bob"]


def test_a_bad_filter_value_is_refused(harness, waiting):
    assert harness.call(waiting, "progress", {"filters": {"overdue": "yes"}})[0] == 400
