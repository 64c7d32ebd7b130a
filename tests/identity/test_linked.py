"""The forge account a learner linked through Open edX third-party auth (python-social-auth)."""

import pytest
from django.utils import timezone
from social_django.models import UserSocialAuth

from upstream_xblock.identity import api as identity_api
from upstream_xblock.identity.models import VerifiedForgeAccount

from .conftest import PROJECTS


@pytest.fixture
def ada(django_user_model):
    user = django_user_model.objects.create_user("ada")
    UserSocialAuth.objects.create(user=user, provider="github", uid="4242",
                                  extra_data={"login": "ada", "access_token": "gho_secret"})
    return user


def test_a_linked_github_account_is_verified(harness, world, ada):
    world.open("github", PROJECTS["github"], 21, author="ada", state="merged")
    block = harness.block(student=str(ada.pk))
    status, body = harness.call(block, "verify_linked")
    assert status == 200, body
    assert list(VerifiedForgeAccount.objects.values_list("learner_id", "host", "account_id",
                                                         "username", "method")) == [
        (str(ada.pk), "github.com", "4242", "ada", "linked")]
    assert "gho_secret" not in str(body)
    assert "Use the forge accounts linked to your profile" in \
        block.runtime.render(block, "student_view").content


def test_another_users_link_never_counts(harness, world, ada, django_user_model):
    mallory = django_user_model.objects.create_user("mallory")
    block = harness.block(student=str(mallory.pk))
    status, body = harness.call(block, "verify_linked")
    assert (status, body["error"]["code"]) == (404, "no_linked_account")
    assert not VerifiedForgeAccount.objects.exists()


def test_a_linked_account_already_verified_by_another_learner(harness, world, ada):
    # (python-social-auth links a forge account to one user; another learner may have
    # proven it another way, e.g. with a code, before)
    identity_api.record("someone-else", "github.com", "4242", "ada", "comment_code",
                        timezone.now())
    status, body = harness.call(harness.block(student=str(ada.pk)), "verify_linked")
    assert (status, body["error"]["code"]) == (409, "account_taken")


def test_workbench_learners_have_no_links(harness, world):
    status, body = harness.call(harness.block(), "verify_linked")  # student ids are not user ids
    assert (status, body["error"]["code"]) == (404, "no_linked_account")


def test_a_linked_gitlab_account_on_the_configured_instance(harness, world, settings,
                                                            django_user_model):
    settings.SOCIAL_AUTH_GITLAB_API_URL = "https://gitlab.com"
    settings.SOCIAL_AUTH_GITEA_API_URL = "https://codeberg.org"
    user = django_user_model.objects.create_user("bea")
    UserSocialAuth.objects.create(user=user, provider="gitlab", uid="77", extra_data={"id": 77})
    UserSocialAuth.objects.create(user=user, provider="gitea", uid="78", extra_data={"id": 78})
    UserSocialAuth.objects.create(user=user, provider="google-oauth2", uid="bea@example.org")
    status, body = harness.call(harness.block(student=str(user.pk)), "verify_linked")
    assert status == 200, body
    assert sorted(VerifiedForgeAccount.objects.values_list("host", "account_id")) == [
        ("codeberg.org", "78"), ("gitlab.com", "77")]
