"""The awards outbox: an award stays unpublished until the platform accepted it.

Publishing is claimed with a conditional update of ``next_publish_at`` (a
lease), so two requests or workers never publish one award at once, and a
publisher that dies mid-way leaves the award to be retried when the lease
lapses. A failure backs off exponentially; every sweep retries what is due.
What the platform already took (the score, the completion) is recorded step
by step, so a retry never writes it twice. A publisher that may not publish
(Studio or LMS preview, masquerade) returns False: nothing is marked.

Revocations go through the same outbox in reverse: the award's published
score and completion are reset, and retried until the platform accepted it.
"""

import logging
from datetime import timedelta

from django.db.models import Q

from ..models import AwardRevocation, ContributionAward

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BACKOFF_MIN = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
RETRY_BATCH = 200


def backoff(attempts):
    """1, 2, 4 … minutes after each failure, at most 6 hours."""
    return min(BACKOFF_MIN * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _due(now):
    return Q(next_publish_at__isnull=True) | Q(next_publish_at__lte=now)


def publish(award, publisher, now):
    """Hand ``award`` to ``publisher`` once, if nobody holds it; True if it is now published."""
    claimed = ContributionAward.objects.filter(_due(now), pk=award.pk, published=False).update(
        next_publish_at=now + LEASE)
    if not claimed:
        return False  # published already, held by another publisher, or backing off
    held_since = award.next_publish_at
    try:
        accepted = publisher(award)
    except Exception as error:  # pylint: disable=broad-except
        log.exception("publishing award %s failed; will retry", award.pk)
        award.publish_attempts += 1
        award.next_publish_at = now + backoff(award.publish_attempts)
        award.publish_error = f"{type(error).__name__}: {error}"[:300]
        _save(award, "publish_attempts", "next_publish_at", "publish_error")
        return False
    if accepted is False:  # this request may not publish: leave it as it was
        award.next_publish_at = held_since
        _save(award, "next_publish_at")
        return False
    award.published, award.next_publish_at, award.publish_error = True, None, ""
    if not _save(award, "published", "next_publish_at", "publish_error"):
        _revoked_meanwhile(award)
    return True


def _save(award, *fields):
    """Write the outbox state (and the steps the publisher marked on ``award``)."""
    fields = (*fields, "score_published", "completion_published")
    return ContributionAward.objects.filter(pk=award.pk).update(
        **{name: getattr(award, name) for name in fields})


def _revoked_meanwhile(award):
    """Staff revoked the award while it was being published: reset what just went out."""
    AwardRevocation.objects.filter(
        usage_key=award.usage_key, learner_id=award.learner_id, awarded_at=award.awarded_at,
    ).update(reset_score=award.score_published, reset_completion=award.completion_published,
             reset_at=None, next_reset_at=None)


def retry_unpublished(publisher, now, limit=RETRY_BATCH):
    """Publish the awards still in the outbox whose back-off is over; the count published."""
    due = ContributionAward.objects.filter(_due(now), published=False).order_by("awarded_at")
    return sum(publish(award, publisher, now) for award in due[:limit])


# -- revocations: reset what was published ----------------------------------------------------

def reset(revocation, resetter, now):
    """Reset what the revoked award had published; True once the platform accepted it."""
    if revocation.reset_at or not (revocation.reset_score or revocation.reset_completion):
        return True
    claimed = AwardRevocation.objects.filter(
        Q(next_reset_at__isnull=True) | Q(next_reset_at__lte=now), pk=revocation.pk,
        reset_at__isnull=True).update(next_reset_at=now + LEASE)
    if not claimed:
        return False
    try:
        resetter(revocation)
    except Exception:  # pylint: disable=broad-except
        log.exception("resetting the grade of revocation %s failed; will retry", revocation.pk)
        AwardRevocation.objects.filter(pk=revocation.pk).update(next_reset_at=now + BACKOFF_MIN)
        return False
    revocation.reset_at, revocation.next_reset_at = now, None
    AwardRevocation.objects.filter(pk=revocation.pk).update(reset_at=now, next_reset_at=None)
    return True


def retry_resets(resetter, now, limit=RETRY_BATCH):
    pending = AwardRevocation.objects.filter(
        Q(next_reset_at__isnull=True) | Q(next_reset_at__lte=now), reset_at__isnull=True
    ).filter(Q(reset_score=True) | Q(reset_completion=True)).order_by("revoked_at")
    return sum(reset(revocation, resetter, now) for revocation in pending[:limit])
