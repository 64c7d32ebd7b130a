"""A mentor accepts what no forge API can see: it counts, it is graded through the one award
path, it shows as "accepted by a mentor: reason", staff can withdraw it with a reason."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.mentors.conftest import MENTOR, MENTORED_XML, PR, STAFF, as_user
from upstream_xblock.models import (
    AwardRevocation,
    ContributionAward,
    ContributionCredit,
    TrackedContribution,
)
from upstream_xblock.tracking.credits import FORGE_ID_MAX

LIST_POST = "https://lists.example.org/archives/dev/2026-November/000123.html"


@pytest.fixture
def ada(harness, world):
    """ada registered a pull request that is not hers (stays pending): she is in the table."""
    world.open("github", "openedx/xblock-sdk", 1, author="someone-else")
    block = harness.block(MENTORED_XML, student="ada")
    status, body = harness.call(block, "register", {"url": PR.format(n=1),
                                                    "forge_username": "ada"})
    assert status == 200 and body["status"]["completed"] is False
    return block


def vouch(harness, block, student=MENTOR, **payload):
    return harness.call(as_user(harness, block, student), "vouch",
                        {"learner_id": "ada", "reason": "patch applied by the maintainer",
                         **payload})


def test_a_vouched_mailing_list_patch_completes_the_unit(harness, world, ada):
    requests_before = len(world.requests_for())
    status, body = vouch(harness, ada, url=LIST_POST)
    assert status == 200, body
    assert body["completed"] is True
    contribution = body["contribution"]
    assert contribution["verdict"] == "accepted" and contribution["state_label"] == \
        "Accepted by a mentor"
    assert contribution["checks"] == [{"id": "mentor", "outcome": "passed",
                                       "outcome_label": "Passed",
                                       "reason": "Accepted by a mentor: patch applied by the "
                                                 "maintainer"}]
    # Any host, never fetched: the simulator saw no request for it.
    assert len(world.requests_for()) == requests_before
    award = ContributionAward.objects.get(learner_id="ada")
    assert award.contributions == [LIST_POST] and award.published

    status, learner = harness.call(as_user(harness, ada, "ada"), "status")
    assert status == 200 and learner["completed"] is True
    vouched = [c for c in learner["contributions"] if c["url"] == LIST_POST][0]
    assert vouched["checks"][0]["reason"] == "Accepted by a mentor: patch applied by the maintainer"
    assert vouched["can_withdraw"] is False
    # Graded through the one award path: the learner's block holds the published score.
    assert as_user(harness, ada, "ada").earned_score == 1.0


def test_a_description_counts_toward_required_count(harness, world):
    world.open("github", "openedx/xblock-sdk", 1, author="someone-else")
    block = harness.block('<upstream_contribution mentors=\'["mia"]\' required_count="2"/>',
                          student="ada")
    harness.call(block, "register", {"url": PR.format(n=1), "forge_username": "ada"})
    first = vouch(harness, block, description="[PATCH] fix a typo, sent to the list")
    assert first[0] == 200 and first[1]["completed"] is False
    assert first[1]["contribution"]["title"] == "[PATCH] fix a typo, sent to the list"
    second = vouch(harness, block, description="Talk given at the sprint", reason="I was there")
    assert second[0] == 200 and second[1]["completed"] is True
    assert len(ContributionAward.objects.get(learner_id="ada").contributions) == 2
    # The same description twice is one contribution.
    again = vouch(harness, block, description="Talk given at the sprint")
    assert again[0] == 409 and again[1]["error"]["code"] == "already_vouched"


def test_progress_row_shows_the_mentors_acceptance(harness, ada):
    vouch(harness, ada, description="Patch on the mailing list")
    status, body = harness.call(as_user(harness, ada, MENTOR), "progress", {})
    assert status == 200
    row = body["rows"][0]
    assert row["verdict"] == "accepted" and row["award"] is not None
    vouched = [c for c in row["contributions"] if c["vouch"]][0]
    assert vouched["vouch"]["reason"] == "patch applied by the maintainer"
    assert vouched["checks"][0]["reason"].startswith("Accepted by a mentor: ")


def test_staff_withdrawal_resets_the_award(harness, ada):
    vouch(harness, ada, url=LIST_POST)
    assert as_user(harness, ada, "ada").earned_score == 1.0
    refused = harness.call(as_user(harness, ada, MENTOR), "revoke_vouch",
                           {"learner_id": "ada", "url": LIST_POST, "reason": "not hers"})
    assert refused[0] == 403 and refused[1]["error"]["code"] == "forbidden"
    status, body = harness.call(as_user(harness, ada, STAFF), "revoke_vouch",
                                {"learner_id": "ada", "url": LIST_POST,
                                 "reason": "The patch was written by someone else."})
    assert status == 200, body
    assert body == {"learner_id": "ada", "withdrawn": True, "completed": False,
                    "award_revoked": True}
    assert not ContributionAward.objects.filter(learner_id="ada").exists()
    revocation = AwardRevocation.objects.get(learner_id="ada")
    assert revocation.revoked_by == STAFF and revocation.reset_at is not None
    assert as_user(harness, ada, "ada").earned_score is None
    status, learner = harness.call(as_user(harness, ada, "ada"), "status")
    withdrawn = [c for c in learner["contributions"] if c["url"] == LIST_POST][0]
    assert learner["completed"] is False and withdrawn["verdict"] == "rejected"
    assert withdrawn["checks"][0]["reason"] == ("Course staff withdrew a mentor's acceptance: "
                                                "The patch was written by someone else.")
    # Withdrawn for good: a mentor cannot vouch for it again, staff cannot withdraw twice.
    assert vouch(harness, ada, url=LIST_POST)[1]["error"]["code"] == "revoked"
    again = harness.call(as_user(harness, ada, STAFF), "revoke_vouch",
                         {"learner_id": "ada", "url": LIST_POST, "reason": "twice"})
    assert again[0] == 404 and again[1]["error"]["code"] == "not_vouched"


def test_withdrawal_keeps_an_award_that_still_holds(harness, world):
    """required_count 1, two vouched contributions: withdrawing the one that counted keeps the
    award (it now lists the other one)."""
    world.open("github", "openedx/xblock-sdk", 1, author="someone-else")
    block = harness.block(MENTORED_XML, student="ada")
    harness.call(block, "register", {"url": PR.format(n=1), "forge_username": "ada"})
    vouch(harness, block, url=LIST_POST)
    vouch(harness, block, description="A second patch", reason="reviewed on the list")
    status, body = harness.call(as_user(harness, block, STAFF), "revoke_vouch",
                                {"learner_id": "ada", "url": LIST_POST, "reason": "duplicate"})
    assert status == 200 and body["award_revoked"] is False and body["completed"] is True
    award = ContributionAward.objects.get(learner_id="ada")
    assert LIST_POST not in award.contributions and len(award.contributions) == 1
    assert not AwardRevocation.objects.exists()


def test_a_configured_forge_contribution_counts_for_one_learner(harness, world, events):  # noqa: F811
    """bob's verified, merged pull request counts for bob: a mentor cannot vouch it for ada."""
    from django.utils import timezone

    from forge_simulator.shapes import project_id as account_id_of
    from upstream_xblock.identity import api as identity_api
    world.open("github", "openedx/xblock-sdk", 1, author="someone-else")
    world.open("github", "openedx/xblock-sdk", 7, author="bob", state="merged")
    block = harness.block(MENTORED_XML, student="ada")
    harness.call(block, "register", {"url": PR.format(n=1), "forge_username": "ada"})
    identity_api.record("bob", "github.com", str(account_id_of("bob")), "bob", "oauth",
                        timezone.now())
    status, body = harness.call(as_user(harness, block, "bob"), "register",
                                {"url": PR.format(n=7), "forge_username": "bob"})
    assert status == 200 and body["status"]["completed"] is True

    status, body = vouch(harness, block, url=PR.format(n=7))
    assert status == 409 and body["error"]["code"] == "counts_for_another_learner"
    assert not TrackedContribution.objects.filter(learner_id="ada", number=7).exists()

    # A pull request nobody holds: checked once on the forge (its id learned), then credited.
    world.open("github", "openedx/xblock-sdk", 8, author="carol")
    status, body = vouch(harness, block, url=PR.format(n=8))
    assert status == 200 and body["completed"] is True
    credit = ContributionCredit.objects.get(record__learner_id="ada")
    assert credit.record.number == 8 and not credit.contribution_key.endswith("#8")


def test_vouching_the_learners_own_pending_record(harness, ada):
    """ada's registered pull request waits (not hers on the forge): a mentor accepts it."""
    status, body = vouch(harness, ada, url=PR.format(n=1))
    assert status == 200 and body["completed"] is True
    assert TrackedContribution.objects.filter(learner_id="ada").count() == 1
    learner = harness.call(as_user(harness, ada, "ada"), "withdraw", {"url": PR.format(n=1)})
    assert learner[0] == 409 and learner[1]["error"]["code"] == "vouched"


def test_unknown_learner_and_studio_rules(harness, ada):
    status, body = harness.call(as_user(harness, ada, MENTOR), "vouch",
                                {"learner_id": "nobody", "reason": "x", "description": "y"})
    assert status == 404 and body["error"]["code"] == "unknown_learner"


def test_studio_preview_refuses_to_vouch_and_stores_nothing(harness, ada):
    """Studio's preview shows draft rules: the award path must not run there."""
    mentor = as_user(harness, ada, MENTOR)
    mentor.runtime.is_author_mode = True
    status, body = harness.call(mentor, "vouch", {"learner_id": "ada", "reason": "ok",
                                                  "description": "a patch"})
    assert status == 403 and body["error"]["code"] == "preview"
    assert not TrackedContribution.objects.filter(vouched_at__isnull=False).exists()
    assert "upx-vouch" not in mentor.progress_view().content


def test_the_mentor_view_offers_the_dialog(harness, ada):
    html = as_user(harness, ada, MENTOR).render("student_view").content
    assert 'class="upx-vouch"' in html and "UpstreamContributionProgressView" in html
    assert "upx-vouch" not in as_user(harness, ada, "ada").render("student_view").content


def test_the_dialog_and_the_mentors_word_in_french(harness, ada):
    from django.utils import translation
    with translation.override("fr"):
        fragment = as_user(harness, ada, MENTOR).render("student_view")
        html = fragment.content
        status, body = vouch(harness, ada, description="Correctif sur la liste",
                             reason="appliqué par la mainteneuse")
        refused = vouch(harness, ada, description="x", reason="bell\x07")
    catalog = next(r.data for r in fragment.resources if "var UpstreamXBlockI18N" in r.data)
    assert "Accepter la contribution" in html
    assert '"Accept a contribution of %(username)s": "Accepter une contribution de' in catalog
    assert status == 200
    assert body["contribution"]["checks"][0]["reason"] == \
        "Acceptée par un mentor : appliqué par la mainteneuse"
    assert body["contribution"]["state_label"] == "Acceptée par un mentor"
    assert refused[1]["error"]["message"].startswith("Envoyez reason sous forme de texte")


def test_withdrawal_gives_back_the_other_contributions_that_counted(harness, world):
    """required_count 2: ada's own merged pull request and a vouched patch earned the award;
    withdrawing the patch revokes the award, and her pull request counts again (not revoked)."""
    from django.utils import timezone

    from forge_simulator.shapes import project_id as account_id_of
    from upstream_xblock.identity import api as identity_api
    world.open("github", "openedx/xblock-sdk", 3, author="ada", state="merged")
    identity_api.record("ada", "github.com", str(account_id_of("ada")), "ada", "oauth",
                        timezone.now())
    block = harness.block('<upstream_contribution mentors=\'["mia"]\' required_count="2"/>',
                          student="ada")
    status, body = harness.call(block, "register", {"url": PR.format(n=3),
                                                    "forge_username": "ada"})
    assert status == 200 and body["status"]["accepted"] == 1
    assert vouch(harness, block, description="A patch on the list")[1]["completed"] is True

    described = TrackedContribution.objects.get(learner_id="ada", kind="described")
    status, body = harness.call(as_user(harness, block, STAFF), "revoke_vouch",
                                {"learner_id": "ada", "url": described.url, "reason": "no"})
    assert status == 200 and body["award_revoked"] is True and body["completed"] is False
    own = TrackedContribution.objects.get(learner_id="ada", number=3)
    assert not own.revoked and own.verdict == "accepted" and own.awarded_at is None
    described.refresh_from_db()
    assert described.revoked and described.next_check_at is None
    status, learner = harness.call(as_user(harness, block, "ada"), "status")
    assert learner["accepted"] == 1 and learner["completed"] is False


def test_a_long_address_keeps_the_credit_key_within_its_index(harness, ada):
    """The derived id of a contribution the forge could not tell about fits ``FORGE_ID_MAX``, so
    kind:host:id fits the credit's 500-character unique key (MySQL's index limit)."""
    # A merge request of a deeply nested GitLab group the simulated forge does not know.
    url = "https://gitlab.com/" + "/".join(["a-long-subgroup-name"] * 14) + "/-/merge_requests/5"
    status, body = vouch(harness, ada, url=url)
    assert status == 200, body
    row = TrackedContribution.objects.get(url=url)
    assert row.forge_id and len(row.forge_id) <= FORGE_ID_MAX
    credit = ContributionCredit.objects.get(record=row)
    assert len(credit.contribution_key) <= 500


def test_a_vouch_reads_only_the_learners_verified_accounts(harness, world, ada):
    with CaptureQueriesContext(connection) as queries:
        status, body = vouch(harness, ada, url=LIST_POST)
    assert status == 200, body
    accounts = [q["sql"] for q in queries.captured_queries
                if "upstream_xblock_verifiedforgeaccount" in q["sql"]]
    assert len(accounts) == 1, accounts  # ada's, once (not the mentor's as well)
