"""The author rule checks the verified identity by default; typed names count only if trusted."""

import json
from datetime import datetime
from datetime import timezone as dt_timezone

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forge_simulator.shapes import project_id as account_id_of
from tests.tracking.conftest import Registry
from upstream_xblock.forges import Snapshot
from upstream_xblock.identity import api as identity_api
from upstream_xblock.identity.api import VerifiedAccount, verification_code
from upstream_xblock.models import ContributionAward
from upstream_xblock.policy import FAILED, PASSED, WAITING, Identity, Rules, check_author
from upstream_xblock.tracking.block_config import rules_from_dict
from upstream_xblock.tracking.schedule import schedule_for
from upstream_xblock.tracking.sweep import Sweeper

from .conftest import PROJECTS, url_of


def _author_check(status, url):
    contribution = next(c for c in status["contributions"] if c["url"] == url)
    return contribution, {c["id"]: c for c in contribution["checks"]}["author"]


def test_typing_someone_elses_user_name_is_not_credited(harness, world, events):
    world.open("github", PROJECTS["github"], 31, author="ada", state="merged")
    block = harness.block(student="mallory")
    status, body = harness.call(block, "register", {"url": url_of("github", 31),
                                                    "forge_username": "ada"})
    assert status == 200
    contribution, author = _author_check(body["status"], url_of("github", 31))
    assert contribution["verdict"] == "pending" and author["outcome"] == "waiting"
    assert "ada" in author["reason"] and "verify it" in author["reason"]
    assert body["status"]["completed"] is False
    assert not ContributionAward.objects.exists()
    assert not [event for event in events if event[0] == "grade"]


def test_the_verified_author_is_credited(harness, world, events):
    world.open("gerrit", PROJECTS["gerrit"], 32, author="ada", state="merged")
    block = harness.block()
    status, body = harness.call(block, "register", {"url": url_of("gerrit", 32)})
    assert body["status"]["completed"] is False
    world.comment("gerrit", PROJECTS["gerrit"], 32, "ada", verification_code("student_1"))
    status, body = harness.call(block, "verify_code", {"url": url_of("gerrit", 32)})
    assert status == 200, body
    assert body["status"]["completed"] is True  # re-evaluated with the new account at once
    assert [event[0] for event in events].count("grade") == 1


def test_trusting_typed_user_names_is_an_authors_choice(harness, world):
    world.open("github", PROJECTS["github"], 33, author="ada", state="merged")
    block = harness.block('<upstream_contribution trust_typed_usernames="true"/>')
    assert block.trust_typed_usernames is True
    assert "Risky" in type(block).trust_typed_usernames.help
    status, body = harness.call(block, "register", {"url": url_of("github", 33),
                                                    "forge_username": "ada"})
    _contribution, author = _author_check(body["status"], url_of("github", 33))
    assert author["outcome"] == "passed" and body["status"]["completed"] is True


def test_the_field_is_off_by_default_and_editable_in_studio(harness):
    block = harness.block()
    assert block.trust_typed_usernames is False
    assert "trust_typed_usernames" in block.editable_fields
    assert block.rules().trust_typed_usernames is False


def test_staff_vouch_for_the_author_of_a_learners_contribution(harness, world, staff):
    world.open("gitea", PROJECTS["gitea"], 34, author="ada", state="merged")
    block = harness.block()
    harness.call(block, "register", {"url": url_of("gitea", 34)})
    payload = {"learner_id": "student_1", "url": url_of("gitea", 34),
               "reason": "Ada showed me her Codeberg profile in the live session."}
    status, body = harness.call(block, "vouch_identity", payload)
    assert (status, body["error"]["code"]) == (403, "forbidden")
    staff_block = harness.block(student=staff, usage_id=block.scope_ids.usage_id)
    status, body = harness.call(staff_block, "vouch_identity", {**payload, "reason": " "})
    assert (status, body["error"]["code"]) == (400, "bad_request")
    status, body = harness.call(staff_block, "vouch_identity", payload)
    assert status == 200, body
    assert body["account"]["username"] == "ada" and body["account"]["method"] == "vouched"
    assert harness.call(block, "status")[1]["completed"] is True
    (account,) = identity_api.accounts_of("student_1")
    assert account.method == "vouched"


def test_staff_vouch_for_an_account_by_its_id(harness, world, staff):
    block = harness.block(student=staff)
    status, body = harness.call(block, "vouch_identity", {
        "learner_id": "student_9", "host": "review.opendev.org", "account_id": "1234",
        "username": "ada", "reason": "her patch on the mailing list"})
    assert status == 200, body
    assert identity_api.accounts_of("student_9")[0].account_id == "1234"


def test_a_listed_mentor_vouches_only_for_learners_of_the_block(harness, world, staff):
    """A mentor listed on one block cannot vouch a forge account for any learner of the site
    (course staff can: see above); the same refusal as annotating or vouching there."""
    block = harness.block('<upstream_contribution mentors=\'["mia"]\'/>', student="mia")
    status, body = harness.call(block, "vouch_identity", {
        "learner_id": "student_9", "host": "review.opendev.org", "account_id": "1234",
        "username": "ada", "reason": "her patch on the mailing list"})
    assert (status, body["error"]["code"]) == (404, "unknown_learner"), body
    assert body["error"]["message"] == "This learner has registered nothing here."
    assert not identity_api.accounts_of("student_9")


def test_a_learner_removes_an_account(harness, world):
    world.open("github", PROJECTS["github"], 35, author="ada", state="merged")
    identity_api.record("student_1", "github.com", str(account_id_of("ada")), "ada", "oauth",
                        timezone.now())
    block = harness.block()
    assert harness.call(block, "register", {"url": url_of("github", 35)})[1]["status"][
        "completed"] is True
    status, body = harness.call(block, "forget_account", {
        "host": "github.com", "account_id": str(account_id_of("ada"))})
    assert status == 200 and body["identity"]["accounts"] == []
    assert body["status"]["completed"] is True  # an award is never taken back by itself


@pytest.mark.parametrize("learners", [10, 40])
def test_a_sweep_loads_the_identities_of_a_chunk_in_one_query(db, world, forges, learners):
    registry = Registry(world)
    registry.block()
    for number in range(learners):
        registry.contribution("gitea", learner=f"learner-{number}", state="merged")
    sweeper = Sweeper(forges, schedule_for({}), publisher=lambda award: None)  # noqa: ARG005
    with CaptureQueriesContext(connection) as queries:
        stats = sweeper.run_once()
    identity_queries = [q for q in queries.captured_queries
                        if "upstream_xblock_verifiedforgeaccount" in q["sql"]]
    assert (stats.checked, stats.awarded) == (learners, learners)
    assert len(identity_queries) == 1


SNAP = dict(kind="github", host="github.com", project="a/b", number=1, state="merged",
            title="t", web_url="https://github.com/a/b/pull/1",
            created_at=datetime(2026, 10, 1, tzinfo=dt_timezone.utc))


@pytest.mark.parametrize("account,snapshot,typed,trusted,outcome", [
    # a renamed account is the same person: the stable id decides
    (VerifiedAccount("github.com", "77", "oldname"), dict(author="newname", author_id="77"),
     None, False, PASSED),
    # the same name with another id is another account
    (VerifiedAccount("github.com", "77", "ada"), dict(author="ada", author_id="88"), None, False,
     WAITING),
    # no id from the forge: the name decides (case-insensitively)
    (VerifiedAccount("github.com", "77", "ada"), dict(author="Ada"), None, False, PASSED),
    # an account on another host proves nothing here
    (VerifiedAccount("gitlab.com", "77", "ada"), dict(author="ada", author_id="77"), None, False,
     WAITING),
    # a typed name: waits for a verification by default, counts when the block trusts it
    (None, dict(author="ada", author_id="77"), "ada", False, WAITING),
    (None, dict(author="ada", author_id="77"), "ada", True, PASSED),
    (None, dict(author="bob", author_id="78"), "ada", True, FAILED),
    (None, dict(author="bob", author_id="78"), "ada", False, FAILED),
])
def test_the_author_check(account, snapshot, typed, trusted, outcome):
    identity = Identity(typed, None, (account,) if account else ())
    check = check_author(Snapshot(**SNAP, **snapshot), identity,
                         Rules(trust_typed_usernames=trusted))
    assert check.outcome == outcome
    assert check.reason % check.params


def test_sweeps_read_the_flag_from_the_stored_rules():
    """A block's trust_typed_usernames reaches background sweeps through its stored rules."""
    stored = json.loads(json.dumps(Rules(trust_typed_usernames=True).to_dict()))
    assert rules_from_dict(stored).trust_typed_usernames is True
    assert rules_from_dict({}).trust_typed_usernames is False


def _account_reads(queries):
    return [q["sql"] for q in queries.captured_queries
            if q["sql"].startswith("SELECT") and "upstream_xblock_verifiedforgeaccount" in q["sql"]]


def test_the_page_and_the_panel_read_the_accounts_once(harness, world):
    identity_api.record("student_1", "github.com", "77", "ada", "oauth", timezone.now())
    block = harness.block()
    with CaptureQueriesContext(connection) as queries:
        html = block.runtime.render(block, "student_view").content
    assert "&quot;account_id&quot;: &quot;77&quot;" in html  # the panel shows the account
    assert len(_account_reads(queries)) == 1, _account_reads(queries)
    with CaptureQueriesContext(connection) as queries:
        status, body = harness.call(block, "forget_account", {"host": "github.com",
                                                              "account_id": "77"})
    assert status == 200 and body["identity"]["accounts"] == []
    assert len(_account_reads(queries)) == 1, _account_reads(queries)
