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

from ..models import ContributionAward, TrackedContribution

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
                    course_key=context.course_key, awarded_at=now, score=1.0,
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
