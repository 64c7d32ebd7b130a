"""Awarding a learner exactly once, whatever the race, and publishing the award.

The awards outbox: an award stays unpublished until the platform accepted it.
What the platform already took (the score, the completion) is recorded step
by step, so a retry never writes it twice; a revoked award's published score
and completion are reset, and retried until the platform accepted it.
"""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q

from ..i18n import gettext_noop
from ..models import AwardRevocation, ContributionAward, TrackedContribution
from ..policy import FAILED, REJECTED, Check
from . import events
from .credits import release

log = logging.getLogger(__name__)


def award_if_earned(context, rows, publisher, now):
    """The learner's award (new or existing), or None if not earned yet."""
    award = ContributionAward.objects.filter(usage_key=context.usage_key,
                                             learner_id=context.learner_id).first()
    if award is None:
        accepted = [r for r in rows if r.verdict == "accepted"]
        if len(accepted) < context.required_count:
            return None
        counted = accepted[: context.required_count]
        try:
            with transaction.atomic():
                award = ContributionAward.objects.create(
                    usage_key=context.usage_key, learner_id=context.learner_id,
                    course_key=context.course_key, anonymous_id=context.anonymous_id,
                    awarded_at=now, score=1.0, points=context.points,
                    contributions=[r.url for r in counted])
                TrackedContribution.objects.filter(pk__in=[r.pk for r in counted]).update(
                    awarded_at=now)
        except IntegrityError:
            return ContributionAward.objects.get(usage_key=context.usage_key,
                                                 learner_id=context.learner_id)
        for row in counted:
            row.awarded_at = now
        log.info("awarded %s to learner %s (%d contributions)", context.usage_key,
                 context.learner_id, len(counted))
        events.award_stored(award, counted)
    if not award.published and publisher is not None:
        publish(award, publisher, now)
    return award


class NoAward(Exception):
    """There is no award to revoke."""


def revoke_award(usage_key, learner_id, staff_id, reason, now):
    """Take a learner's award back, with a record of who and why.

    The contributions that counted never count again for this learner (a
    re-evaluation keeps them rejected, with the staff member's reason), and
    they no longer count for anyone in the course until someone else's record
    is accepted (their credit is released); new ones can still earn a new
    award. The revocation records what the award had published, for the
    outbox to reset exactly that. Returns (revocation, the removed award).
    """
    with transaction.atomic():
        award = ContributionAward.objects.select_for_update().filter(
            usage_key=usage_key, learner_id=learner_id).first()
        if award is None:
            raise NoAward(learner_id)
        revocation = AwardRevocation.objects.create(
            usage_key=usage_key, learner_id=learner_id, course_key=award.course_key,
            anonymous_id=award.anonymous_id, awarded_at=award.awarded_at, revoked_at=now,
            revoked_by=staff_id, reason=reason[:500], contributions=award.contributions,
            reset_score=award.score_published, reset_completion=award.completion_published)
        check = Check("staff", FAILED, gettext_noop("Course staff took this back: %(reason)s"),
                      {"reason": reason[:500]}).to_dict()
        learners_rows = TrackedContribution.objects.filter(usage_key=usage_key,
                                                           learner_id=learner_id)
        counted = list(learners_rows.filter(url__in=award.contributions))
        # Other addresses of the same contributions are revoked with them.
        forge_ids = {row.forge_id for row in counted if row.forge_id}
        rows = counted + list(learners_rows.filter(forge_id__in=forge_ids).exclude(
            pk__in=[row.pk for row in counted]))
        for row in rows:
            row.revoked, row.awarded_at, row.accepted_at = True, None, None
            row.verdict, row.next_check_at = REJECTED, None
            row.checks = [*row.checks, check]
            row.save()
        release(rows, now)
        award.delete()
    log.info("award %s / %s revoked by %s", usage_key, learner_id, staff_id)
    events.emit(events.REVOKED, {"contributions": list(award.contributions or [])},
                usage_key=usage_key, course_key=award.course_key, user_id=learner_id,
                actor_id=staff_id)
    return revocation, award


CLEARED_REASON = "The learner's state was deleted by course staff."


def delete_learner_state(usage_key, learner_ids, anonymous_id, requested_by, now):
    """Remove a learner's records and award in one block ("delete learner state").

    The learner is found by user id or by the anonymous id their records carry.
    An award is revoked first (recorded, with what it published to reset).
    Returns (records deleted, the revocation or None).
    """
    learner_ids = {str(i) for i in learner_ids if i}
    match = Q(learner_id__in=learner_ids)
    if anonymous_id:
        match |= Q(anonymous_id=anonymous_id)
    for model in (TrackedContribution, ContributionAward):
        learner_ids |= set(model.objects.filter(match, usage_key=usage_key).values_list(
            "learner_id", flat=True))
    revocation = None
    for learner in sorted(learner_ids):
        try:
            revocation, _ = revoke_award(usage_key, learner, requested_by, CLEARED_REASON, now)
        except NoAward:
            continue
    deleted, _ = TrackedContribution.objects.filter(
        usage_key=usage_key, learner_id__in=learner_ids).delete()
    log.info("state of %s in %s deleted by %s", sorted(learner_ids), usage_key, requested_by)
    return deleted, revocation


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
    except Exception as error:
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
    except Exception:
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


# -- what the instructor dashboard does to one learner's award -----------------------
def award_of(usage_key, learner_id):
    """The learner's award in the block, or None."""
    return ContributionAward.objects.filter(usage_key=usage_key, learner_id=learner_id).first()


def new_award(context, rows, now):
    """An award (not saved yet) for ``context``'s learner, listing their records ``rows``."""
    return ContributionAward(
        usage_key=context.usage_key, learner_id=context.learner_id,
        course_key=context.course_key, anonymous_id=context.anonymous_id,
        awarded_at=now, points=context.points, contributions=[row.url for row in rows])


def override_score(award, fraction):
    """The score override: ``award`` holds ``fraction`` of the points, to be published again."""
    award.score, award.published, award.score_published = fraction, False, False
    award.next_publish_at = None
    award.save()


def republish(award, publisher, now):
    """Publish ``award`` again from its first step (a rescore)."""
    award.published, award.score_published, award.next_publish_at = False, False, None
    award.save(update_fields=["published", "score_published", "next_publish_at"])
    publish(award, publisher, now)

