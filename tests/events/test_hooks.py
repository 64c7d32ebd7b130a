"""The plugin's Open edX hooks with the real openedx-events and openedx-filters packages:
the accepted.v1 and completed.v1 signals on the award path (after the award is stored),
and a site's pipeline step on acceptance.requested.v1 holding a contribution, its reason
shown to the learner."""

import pytest
from openedx_filters.filters import PipelineStep

from upstream_xblock.models import ContributionAward
from upstream_xblock.tracking.events import (
    CONTRIBUTION_ACCEPTED,
    CONTRIBUTION_COMPLETED,
    ContributionAcceptanceRequested,
    UpstreamContributionAwardData,
    UpstreamContributionData,
)

PR = "https://github.com/openedx/xblock-sdk/pull/{n}"
FILTER = "org.openedx.learning.upstream_contribution.acceptance.requested.v1"

pytestmark = pytest.mark.usefixtures("verified_ada")


@pytest.fixture
def received():
    """What receivers of the two signals got, and whether the award was stored by then."""
    got = []

    def receiver(signal, sender, **kwargs):  # noqa: ARG001  (Django's receiver signature)
        stored = ContributionAward.objects.filter(learner_id="student_1").exists()
        got.append((kwargs["metadata"].event_type, kwargs.get("contribution") or
                    kwargs.get("award"), stored))

    CONTRIBUTION_ACCEPTED.connect(receiver)
    CONTRIBUTION_COMPLETED.connect(receiver)
    yield got
    CONTRIBUTION_ACCEPTED.disconnect(receiver)
    CONTRIBUTION_COMPLETED.disconnect(receiver)


def test_the_award_sends_accepted_then_completed_with_typed_payloads(harness, world,
                                                                     received):
    world.open("github", "openedx/xblock-sdk", 1, author="ada")
    world.merge("github", "openedx/xblock-sdk", 1)
    block = harness.block('<upstream_contribution required_count="1" weight="3"/>')
    status, body = harness.call(block, "register", {"url": PR.format(n=1),
                                                    "forge_username": "ada"})
    assert status == 200 and body["status"]["completed"] is True
    assert [(event_type, stored) for event_type, _data, stored in received] == [
        ("org.openedx.learning.upstream_contribution.accepted.v1", True),
        ("org.openedx.learning.upstream_contribution.completed.v1", True)]
    contribution, award = received[0][1], received[1][1]
    assert isinstance(contribution, UpstreamContributionData)
    assert (contribution.url, contribution.host, contribution.kind, contribution.repository,
            contribution.number, contribution.user_id) == (
        PR.format(n=1), "github.com", "github", "openedx/xblock-sdk", 1, "student_1")
    assert contribution.usage_key == str(block.scope_ids.usage_id)
    assert isinstance(award, UpstreamContributionAwardData)
    assert (award.score, award.max_score, award.contributions) == (3.0, 3.0, [PR.format(n=1)])
    # Once awarded, a later status sends nothing again.
    harness.call(block, "status")
    assert len(received) == 2


def test_a_staff_bulk_accept_sends_them_too(harness, world, received):
    """Staff accepting a learner whose pull request the project has not merged: the same
    signals as an award a sweep makes, after it is stored."""
    from tests.mentors.conftest import STAFF, as_user  # noqa: PLC0415

    world.open("github", "openedx/xblock-sdk", 2, author="ada")
    block = harness.block('<upstream_contribution required_count="1"/>')
    assert harness.call(block, "register", {"url": PR.format(n=2), "forge_username": "ada"})[0] \
        == 200
    staff = as_user(harness, block, STAFF)
    status, _job = harness.call(staff, "bulk", {"action": "accept", "learner_ids": ["student_1"],
                                                "reason": "Reviewed in class"})
    assert status == 200
    assert [(event_type, stored) for event_type, _data, stored in received] == [
        ("org.openedx.learning.upstream_contribution.accepted.v1", True),
        ("org.openedx.learning.upstream_contribution.completed.v1", True)]
    assert received[0][1].url == PR.format(n=2) and received[1][1].user_id == "student_1"


class RequireSignedCla(PipelineStep):
    """A site's rule: contributions count once the project's CLA check passed (here:
    never, for pull request 1)."""

    def run_filter(self, contribution, snapshot, checks):  # noqa: ARG002
        if contribution["number"] == 1:
            raise ContributionAcceptanceRequested.PreventAcceptance(
                "The project's CLA check has not passed yet.")
        return {"contribution": contribution, "snapshot": snapshot, "checks": checks}


def test_a_site_pipeline_step_holds_a_contribution_with_its_reason(harness, world, settings,
                                                                    received):
    settings.OPEN_EDX_FILTERS_CONFIG = {FILTER: {
        "pipeline": ["tests.events.test_hooks.RequireSignedCla"], "fail_silently": False}}
    for number in (1, 2):
        world.open("github", "openedx/xblock-sdk", number, author="ada")
        world.merge("github", "openedx/xblock-sdk", number)
    block = harness.block('<upstream_contribution required_count="1"/>')
    body = harness.call(block, "register", {"url": PR.format(n=1),
                                            "forge_username": "ada"})[1]
    held = body["contribution"]
    assert held["verdict"] == "pending" and body["status"]["completed"] is False
    assert held["checks"][-1] == {"id": "site", "outcome": "waiting",
                                  "outcome_label": "Waiting", "reason":
                                  "Held by a rule of this site: The project's CLA check has "
                                  "not passed yet."}
    assert received == []
    # Another contribution the step lets through counts.
    body = harness.call(block, "register", {"url": PR.format(n=2), "forge_username": "ada"})[1]
    assert body["contribution"]["verdict"] == "accepted" and body["status"]["completed"]
    # With the filter empty again (the default), the held one is accepted when re-evaluated.
    settings.OPEN_EDX_FILTERS_CONFIG = {}
    status = harness.call(block, "status")[1]
    assert [c["verdict"] for c in status["contributions"]] == ["accepted", "accepted"]


def test_the_filter_is_empty_by_default(settings):
    assert not getattr(settings, "OPEN_EDX_FILTERS_CONFIG", {}).get(FILTER)
    assert ContributionAcceptanceRequested.filter_type == FILTER
    assert ContributionAcceptanceRequested.run_filter(
        contribution={"number": 1}, snapshot={}, checks=[]) == {
        "contribution": {"number": 1}, "snapshot": {}, "checks": []}
