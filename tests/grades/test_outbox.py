"""The awards outbox's rules, with publishers that fail or decline on purpose.

(The real platform path is tested in tests/lms_awards; here the publisher is the
outbox's parameter, so its failures can be chosen.)
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from upstream_xblock.models import AwardRevocation, ContributionAward
from upstream_xblock.tracking import awards
from upstream_xblock.tracking.awards import revoke_award

pytestmark = pytest.mark.django_db


def make_award(**fields):
    return ContributionAward.objects.create(usage_key="block", learner_id="ada",
                                            awarded_at=timezone.now(), score=1.0, **fields)


class Platform:
    """Publishes the score, then the completion; fails on the steps it is told to."""

    def __init__(self, fail_completion=0):
        self.fail_completion, self.scores, self.completions = fail_completion, 0, 0

    def __call__(self, award):
        if not award.score_published:
            self.scores += 1
            award.score_published = True
        if self.fail_completion:
            self.fail_completion -= 1
            raise ConnectionError("completion service down")
        self.completions += 1
        award.completion_published = True


def test_a_failure_backs_off_then_the_retry_writes_only_what_is_missing():
    award, platform, now = make_award(), Platform(fail_completion=2), timezone.now()
    assert awards.publish(award, platform, now) is False
    award.refresh_from_db()
    assert (award.published, award.score_published, award.publish_attempts) == (False, True, 1)
    assert award.next_publish_at == now + timedelta(minutes=1)
    assert "completion service down" in award.publish_error
    assert awards.retry_unpublished(platform, now + timedelta(seconds=30)) == 0  # backing off
    assert awards.retry_unpublished(platform, now + timedelta(minutes=1)) == 0  # fails again
    award.refresh_from_db()
    assert award.next_publish_at == now + timedelta(minutes=1) + timedelta(minutes=2)
    assert awards.retry_unpublished(platform, now + timedelta(minutes=3)) == 1
    award.refresh_from_db()
    assert (award.published, award.completion_published, award.publish_error) == (True, True, "")
    assert (platform.scores, platform.completions) == (1, 1)  # the score went out once


def test_a_request_that_may_not_publish_marks_nothing():
    award, now = make_award(), timezone.now()
    assert awards.publish(award, lambda award: False, now) is False  # noqa: ARG005
    award.refresh_from_db()
    assert (award.published, award.next_publish_at, award.publish_attempts) == (False, None, 0)
    assert awards.retry_unpublished(Platform(), now) == 1


def test_a_held_award_is_not_published_twice():
    award, now = make_award(), timezone.now()
    calls = []

    def publisher(held):
        calls.append(held.pk)
        # A second worker arrives while this one publishes: the lease keeps it out.
        assert awards.publish(ContributionAward.objects.get(pk=held.pk), publisher, now) is False

    assert awards.publish(award, publisher, now) is True
    assert calls == [award.pk]


def test_a_publisher_that_died_is_replaced_when_its_lease_lapses():
    award, now = make_award(), timezone.now()
    ContributionAward.objects.filter(pk=award.pk).update(next_publish_at=now + awards.LEASE)
    assert awards.retry_unpublished(Platform(), now) == 0
    assert awards.retry_unpublished(Platform(), now + awards.LEASE) == 1


def test_revoked_while_publishing_resets_what_went_out():
    award, now = make_award(), timezone.now()

    def publish_then_see_it_revoked(held):
        Platform()(held)
        revoke_award("block", "ada", "staff", "copied", now)

    assert awards.publish(award, publish_then_see_it_revoked, now) is True
    revocation = AwardRevocation.objects.get()
    assert (revocation.reset_score, revocation.reset_completion, revocation.reset_at) == (
        True, True, None)
    resets = []
    assert awards.retry_resets(resets.append, now) == 1
    assert resets == [revocation] and AwardRevocation.objects.get().reset_at == now


def test_a_failed_reset_is_retried():
    now = timezone.now()
    make_award(published=True, score_published=True)
    revocation, _ = revoke_award("block", "ada", "staff", "copied", now)

    def down(_revocation):
        raise ConnectionError("submissions down")

    assert awards.reset(revocation, down, now) is False
    assert awards.retry_resets(down, now + timedelta(seconds=10)) == 0  # waits a minute
    done = []
    assert awards.retry_resets(done.append, now + timedelta(minutes=1)) == 1
    assert len(done) == 1 and AwardRevocation.objects.get().reset_at is not None
    assert awards.retry_resets(done.append, now + timedelta(minutes=2)) == 0  # done once
