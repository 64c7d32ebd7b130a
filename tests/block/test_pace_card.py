"""The learner's card: the ``upstream`` contract of ``status``, its sentence and next step.

The repository's history is the known one of tests/tracking/test_pace.py, read
over the simulator as a sweep reads it (one GraphQL query for the repository).
"""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests.tracking.test_pace import REPO, seed
from upstream_xblock.forges import Forges
from upstream_xblock.tracking import pace

pytestmark = pytest.mark.usefixtures("verified_ada")
UPSTREAM_KEYS = {"first_response_days_median", "first_response_days_p80", "merge_days_median",
                 "sample_size", "waited_days", "overdue"}


def registered(harness, world, simulator, ago_days, **xml):
    """student_1's pull request #13, opened ``ago_days`` ago, after the sample was read."""
    seed(world)
    world.open("github", REPO, 13, author="ada", created_at=timezone.now() -
               timedelta(days=ago_days))
    attributes = " ".join(f'{name}="{value}"' for name, value in xml.items())
    block = harness.block(f"<upstream_contribution {attributes}/>")
    assert harness.call(block, "register", {"url": f"https://github.com/{REPO}/pull/13",
                                            "forge_username": "ada"})[0] == 200
    token = Forges.from_settings(simulator.settings(github_token="sim-token"))
    assert pace.refresh_samples(token, timezone.now()) == {"github.com": 1}
    return block


def test_an_overdue_contribution_shows_the_project_pace(harness, world, simulator):
    block = registered(harness, world, simulator, ago_days=9)
    contribution = harness.call(block, "status")[1]["contributions"][0]
    assert set(contribution["upstream"]) == UPSTREAM_KEYS
    assert contribution["upstream"] == {
        "first_response_days_median": 2.5, "first_response_days_p80": 6.0,
        "merge_days_median": 5.5, "sample_size": 13, "waited_days": 9, "overdue": True}
    assert contribution["upstream_summary"] == (
        "This project usually answers within 3 days (80 % within 6, from 13 recent "
        "contributions); yours has waited 9 days.")
    assert contribution["next_step"].startswith("This is taking longer than usual")


def test_a_young_contribution_is_not_overdue_and_says_one_day(harness, world, simulator):
    block = registered(harness, world, simulator, ago_days=1)
    contribution = harness.call(block, "status")[1]["contributions"][0]
    assert contribution["upstream"]["overdue"] is False
    assert contribution["upstream_summary"].endswith("yours has waited 1 day.")
    assert contribution["next_step"].startswith("While you wait")


def test_the_author_writes_the_next_step(harness, world, simulator):
    block = registered(harness, world, simulator, ago_days=9,
                       next_step_overdue="Ask on the project's forum, politely.")
    contribution = harness.call(block, "status")[1]["contributions"][0]
    assert contribution["next_step"] == "Ask on the project's forum, politely."


def test_the_card_in_french(harness, world, simulator):
    block = registered(harness, world, simulator, ago_days=9)
    with translation.override("fr"):
        contribution = harness.call(block, "status")[1]["contributions"][0]
    assert contribution["upstream_summary"] == (
        "Ce projet répond d'habitude en 3 jours (80 % en 6, sur 13 contributions récentes) ; "
        "la vôtre attend depuis 9 jours.")
    assert contribution["next_step"].startswith("C'est plus long que d'habitude")


def test_no_figure_is_null(harness, world):
    world.open("github", "small/project", 1, author="ada")
    block = harness.block()
    harness.call(block, "register", {"url": "https://github.com/small/project/pull/1",
                                     "forge_username": "ada"})
    contribution = harness.call(block, "status")[1]["contributions"][0]
    assert contribution["upstream"] is None
    assert contribution["upstream_summary"] == ""
    assert contribution["next_step"].startswith("While you wait")
