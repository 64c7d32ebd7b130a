"""One forge account belongs to one learner: also when two learners prove it at the same moment."""

import pytest
from django.utils import timezone

from tests.helpers import run_concurrently
from upstream_xblock.identity import api as identity_api
from upstream_xblock.identity.api import IdentityError
from upstream_xblock.identity.models import VerifiedForgeAccount


@pytest.mark.django_db(transaction=True)
def test_two_learners_proving_one_account_at_once():
    learners = iter(f"learner-{n}" for n in range(6))
    outcomes = []

    def prove():
        learner = next(learners)
        try:
            identity_api.record(learner, "github.com", "4242", "ada", "oauth", timezone.now())
            outcomes.append("verified")
        except IdentityError as error:
            outcomes.append(error.code)

    assert run_concurrently(prove, 6) == []
    assert sorted(outcomes) == ["account_taken"] * 5 + ["verified"]
    assert VerifiedForgeAccount.objects.count() == 1


@pytest.mark.django_db
def test_proving_again_refreshes_a_renamed_account():
    first = timezone.now()
    identity_api.record("ada", "gitlab.com", "77", "ada", "comment_code", first)
    identity_api.record("ada", "gitlab.com", "77", "ada-lovelace", "oauth", timezone.now())
    (account,) = identity_api.accounts_of("ada")
    assert (account.username, account.method) == ("ada-lovelace", "oauth")


@pytest.mark.django_db
def test_staff_move_an_account_with_a_reason(caplog):
    identity_api.record("twin", "github.com", "4242", "ada", "oauth", timezone.now())
    with pytest.raises(IdentityError):
        identity_api.vouch("ada", "github.com", "4242", "ada", "staff-1", "  ", timezone.now())
    identity_api.vouch("ada", "github.com", "4242", "ada", "staff-1",
                       "the twin account was created by mistake", timezone.now())
    row = VerifiedForgeAccount.objects.get()
    assert (row.learner_id, row.method, row.verified_by) == ("ada", "vouched", "staff-1")
    assert row.reason == "the twin account was created by mistake"
    assert identity_api.accounts_of("twin") == ()
    assert "moved github.com account 4242 from learner twin to learner ada" in caplog.text


@pytest.mark.django_db
def test_identities_of_many_learners_in_one_query(django_assert_num_queries):
    for number in range(30):
        identity_api.record(f"l{number}", "codeberg.org", str(number), f"u{number}", "oauth",
                            timezone.now())
    with django_assert_num_queries(1):
        found = identity_api.accounts_of_learners([f"l{n}" for n in range(30)] + ["nobody"])
    assert len(found) == 30 and found["l7"][0].username == "u7"
