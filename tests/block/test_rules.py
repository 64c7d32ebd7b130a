"""The acceptance rules on the workbench: each failed or waiting check reaches the learner
with its reason; rule changes re-evaluate; awards are never taken back except by staff."""

from datetime import timedelta

import pytest
from django.utils import timezone

from upstream_xblock import compat
from upstream_xblock.identity.api import ownership_code
from upstream_xblock.models import AwardRevocation, BlockConfig, ContributionAward

# student_1 has verified the forge account "ada" (conftest), as a learner does once.
pytestmark = pytest.mark.usefixtures("verified_ada")

REPO = "openedx/xblock-sdk"
URL = "https://github.com/openedx/xblock-sdk/pull/{n}"
OLD = (timezone.now() - timedelta(days=900)).isoformat()

# (number, how the simulator makes it, block OLX attributes, check id, outcome, reason fragment)
CASES = [
    (1, {"state": "open", "draft": True}, '', "draft", "waiting", "It is a draft"),
    (2, {"state": "closed"}, '', "accepted", "failed", "closed without being accepted"),
    (3, {"state": "merged", "author": "bob"}, '', "author", "failed", "Its author is bob, not ada"),
    (4, {"state": "merged", "labels": ["spam"]}, '', "labels", "failed", "labelled spam"),
    (5, {"state": "merged", "created_at": OLD}, 'opened_after="2026-01-01"', "opened_after",
     "failed", "before the course started"),
    (6, {"state": "merged"}, 'allowed_repositories=\'["github.com/django/*"]\'', "repository",
     "failed", "counts contributions to github.com/django/* only"),
    (7, {"state": "merged"}, 'require_ownership_code="true"', "ownership", "waiting",
     "Add your code upx-"),
    (8, {"state": "merged"}, 'waiting_days="7"', "waiting_period", "waiting",
     "stayed accepted for 7 days"),
    (9, {"state": "open"}, 'count_approved="true"', "accepted", "waiting",
     "Waiting for the maintainers"),
    (10, {"state": "open", "review": "changes_requested"}, 'count_approved="true"', "accepted",
     "waiting", "A reviewer asked for changes"),
]


@pytest.mark.parametrize("number,sim,attributes,check_id,outcome,reason", CASES,
                         ids=[c[3] + "-" + c[4] for c in CASES])
def test_every_failed_or_waiting_check_is_explained(harness, world, number, sim, attributes,
                                                   check_id, outcome, reason):
    fields = dict(sim)
    review = fields.pop("review", None)
    if "created_at" in fields:
        from datetime import datetime
        fields["created_at"] = datetime.fromisoformat(fields["created_at"])
    world.open("github", REPO, number, author=fields.pop("author", "ada"), **fields)
    if review:
        world.approve("github", REPO, number, review)
    block = harness.block(f"<upstream_contribution {attributes}/>")
    status, body = harness.call(block, "register", {"url": URL.format(n=number),
                                                    "forge_username": "ada"})
    assert status == 200
    checks = {c["id"]: c for c in body["contribution"]["checks"]}
    assert checks[check_id]["outcome"] == outcome
    assert reason in checks[check_id]["reason"]
    assert body["status"]["completed"] is False


@pytest.mark.parametrize("setup,attributes", [
    (lambda w: w.approve("github", REPO, 20), 'count_approved="true"'),
    (lambda w: w.label("github", REPO, 20, "hacktoberfest-accepted"),
     'accept_labels=\'["hacktoberfest-accepted"]\''),
    (lambda w: w.land("github", REPO, 20), 'count_landed_by_commit="true"'),
])
def test_other_ways_to_count(harness, world, events, setup, attributes):
    world.open("github", REPO, 20, author="ada")
    setup(world)
    block = harness.block(f"<upstream_contribution {attributes}/>")
    status, body = harness.call(block, "register", {"url": URL.format(n=20),
                                                    "forge_username": "ada"})
    assert status == 200 and body["status"]["completed"] is True
    assert len([e for e in events if e[0] == "grade"]) == 1


def test_landed_by_commit_costs_one_more_request_only_when_closed(harness, world):
    world.open("github", REPO, 21, author="ada")
    block = harness.block('<upstream_contribution count_landed_by_commit="true"/>')
    harness.call(block, "register", {"url": URL.format(n=21), "forge_username": "ada"})
    assert len(world.requests_for("github")) == 1
    world.land("github", REPO, 21)
    block2 = harness.block('<upstream_contribution count_landed_by_commit="true"/>')
    harness.call(block2, "register", {"url": URL.format(n=21), "forge_username": "ada"})
    assert [r[2].split("?")[0].rsplit("/", 1)[-1] for r in world.requests_for("github")[1:]] == [
        "21", "events"]


def test_ownership_code_in_the_description_counts(harness, world):
    block = harness.block('<upstream_contribution require_ownership_code="true"/>')
    code = ownership_code(str(block.scope_ids.usage_id), "student_1")
    world.open("github", REPO, 22, author="ada", state="merged", body=f"Fixes it.\n\n{code}")
    status, body = harness.call(block, "register", {"url": URL.format(n=22),
                                                    "forge_username": "ada"})
    assert body["status"]["ownership_code"] == code
    assert body["status"]["completed"] is True


def test_distinct_repositories(harness, world):
    block = harness.block(
        '<upstream_contribution required_count="2" distinct_repositories="true"/>')
    for number in (23, 24):
        world.open("github", REPO, number, author="ada", state="merged")
    harness.call(block, "register", {"url": URL.format(n=23), "forge_username": "ada"})
    body = harness.call(block, "register", {"url": URL.format(n=24), "forge_username": "ada"})[1]
    second = body["status"]["contributions"][1]
    assert second["verdict"] == "rejected"
    checks = {c["id"]: c for c in second["checks"]}
    assert "already counts" in checks["distinct_repository"]["reason"]
    world.open("github", "openedx/xblock", 1, author="ada", state="merged")
    body = harness.call(block, "register", {"url": "https://github.com/openedx/xblock/pull/1",
                                            "forge_username": "ada"})[1]
    assert body["status"]["completed"] is True


def test_rule_change_reevaluates_without_asking_the_forge(harness, world, events):
    world.open("github", REPO, 25, author="bob", state="merged")
    block = harness.block()
    body = harness.call(block, "register", {"url": URL.format(n=25), "forge_username": "ada"})[1]
    assert body["contribution"]["verdict"] == "rejected"
    requests_before = len(world.requests_for("github"))
    block.require_author = False  # the author changes the rule in Studio
    block.save()
    body = harness.call(harness.block(usage_id=block.scope_ids.usage_id), "status")[1]
    assert body["completed"] is True
    assert len(world.requests_for("github")) == requests_before
    assert BlockConfig.objects.get(usage_key=str(block.scope_ids.usage_id)).rules[
        "require_author"] is False


def test_an_award_is_never_taken_back_by_a_rule_change(harness, world):
    world.open("github", REPO, 26, author="ada", state="merged")
    block = harness.block()
    assert harness.call(block, "register", {"url": URL.format(n=26),
                                            "forge_username": "ada"})[1]["status"]["completed"]
    block.denied_repositories = ["github.com/openedx/*"]
    block.save()
    body = harness.call(harness.block(usage_id=block.scope_ids.usage_id), "status")[1]
    assert body["completed"] is True
    assert body["contributions"][0]["counted"] is True


def test_only_staff_can_revoke_and_it_is_recorded(harness, world, monkeypatch):
    world.open("github", REPO, 27, author="ada", state="merged")
    block = harness.block()
    harness.call(block, "register", {"url": URL.format(n=27), "forge_username": "ada"})
    status, body = harness.call(block, "revoke", {"learner_id": "student_1", "reason": "copied"})
    assert (status, body["error"]["code"]) == (403, "forbidden")
    assert ContributionAward.objects.count() == 1

    monkeypatch.setattr(compat, "is_staff", lambda block: True)  # noqa: ARG005
    staff_block = harness.block(student="staff_1", usage_id=block.scope_ids.usage_id)
    status, body = harness.call(staff_block, "revoke", {"learner_id": "student_1",
                                                        "reason": "copied from bob"})
    assert status == 200 and body["revoked"] is True
    record = AwardRevocation.objects.get()
    assert (record.revoked_by, record.reason, record.contributions) == (
        "staff_1", "copied from bob", [URL.format(n=27)])
    learner = harness.call(harness.block(usage_id=block.scope_ids.usage_id), "status")[1]
    assert learner["completed"] is False
    staff_check = {c["id"]: c for c in learner["contributions"][0]["checks"]}["staff"]
    assert staff_check["outcome"] == "failed" and "copied from bob" in staff_check["reason"]
    status, body = harness.call(staff_block, "revoke", {"learner_id": "student_1", "reason": "x"})
    assert (status, body["error"]["code"]) == (404, "not_awarded")


def test_status_writes_nothing_when_nothing_changed(harness, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    block = harness.block(
        '<upstream_contribution required_count="3" distinct_repositories="true"/>')
    for number in (40, 41):
        world.open("github", REPO, number, author="ada", state="merged")
        harness.call(block, "register", {"url": URL.format(n=number), "forge_username": "ada"})
    verdicts = [c["verdict"] for c in harness.call(block, "status")[1]["contributions"]]
    assert verdicts == ["accepted", "rejected"]  # the second is to the same repository
    with CaptureQueriesContext(connection) as queries:
        harness.call(block, "status")
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].startswith(("UPDATE", "INSERT", "DELETE"))]
    assert writes == []


@pytest.mark.parametrize("contributions", [1, 8])
def test_status_queries_do_not_grow_with_contributions(harness, world, contributions):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    block = harness.block('<upstream_contribution required_count="10"/>')
    for number in range(50, 50 + contributions):
        world.open("github", REPO, number, author="ada", state="merged")
        harness.call(block, "register", {"url": URL.format(n=number), "forge_username": "ada"})
    with CaptureQueriesContext(connection) as queries:
        harness.call(block, "status")
    ours = [q["sql"] for q in queries.captured_queries if "upstream_xblock_" in q["sql"]]
    # the block's rules, the learner's verified forge accounts, the learner's records, whom
    # their accepted contributions count for, the award, the target repositories' course
    # records and cached samples (their pace), the learner's email choice: eight, however
    # many records
    assert len(ours) == 8, ours
