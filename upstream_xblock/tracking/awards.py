"""Awarding a learner exactly once, whatever the race.

The ``ContributionAward`` row's unique (usage, learner) constraint decides who
awards: the request (or worker) whose insert succeeds publishes the grade and
completion; every other one finds the row and does nothing. If publishing
failed (the platform was down), ``published`` stays false and the next
status call or sweep publishes again. Publishing is claimed by flipping
``published`` with a conditional update, so two requests never both publish.
"""

import logging

from django.db import IntegrityError, transaction

from ..models import AwardRevocation, ContributionAward, TrackedContribution
from ..policy import FAILED, REJECTED, Check, gettext_noop

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
                    awarded_at=now, score=1.0,
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
    if not award.published and publisher is not None:
        publish(award, publisher)
    return award


def publish(award, publisher):
    """Hand the award to the platform once: the flip of ``published`` is the claim."""
    claimed = ContributionAward.objects.filter(pk=award.pk, published=False).update(published=True)
    if not claimed:
        return False  # another request or worker published it, or is publishing it now
    award.published = True
    try:
        publisher(award)
    except Exception:  # pylint: disable=broad-except
        log.exception("publishing award %s failed; will retry", award.pk)
        ContributionAward.objects.filter(pk=award.pk).update(published=False)
        award.published = False
        return False
    return True


class NoAward(Exception):
    """There is no award to revoke."""


def revoke_award(usage_key, learner_id, staff_id, reason, now):
    """Take a learner's award back, with a record of who and why.

    The contributions that counted never count again (a re-evaluation keeps
    them rejected, with the staff member's reason); new ones can still earn a
    new award. Returns (revocation, the removed award).
    """
    with transaction.atomic():
        award = ContributionAward.objects.select_for_update().filter(
            usage_key=usage_key, learner_id=learner_id).first()
        if award is None:
            raise NoAward(learner_id)
        revocation = AwardRevocation.objects.create(
            usage_key=usage_key, learner_id=learner_id, course_key=award.course_key,
            awarded_at=award.awarded_at, revoked_at=now, revoked_by=staff_id,
            reason=reason[:500], contributions=award.contributions)
        check = Check("staff", FAILED, gettext_noop("Course staff took this back: %(reason)s"),
                      {"reason": reason[:500]}).to_dict()
        for row in TrackedContribution.objects.filter(usage_key=usage_key, learner_id=learner_id,
                                                      url__in=award.contributions):
            row.revoked, row.awarded_at, row.accepted_at = True, None, None
            row.verdict, row.next_check_at = REJECTED, None
            row.checks = [*row.checks, check]
            row.save()
        award.delete()
    log.info("award %s / %s revoked by %s", usage_key, learner_id, staff_id)
    return revocation, award
