"""Awarding a learner exactly once, whatever the race.

The ``ContributionAward`` row's unique (usage, learner) constraint decides who
awards: the request (or worker) whose insert succeeds made the award; every
other one finds the row. The award carries what the platform needs to grade
it without the block (the block's points, the learner's anonymous id) and
goes through the outbox (``outbox.py``): it stays unpublished until the
platform accepted it, and the next status call or sweep retries it.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import Q

from ..models import AwardRevocation, ContributionAward, TrackedContribution
from ..policy import FAILED, REJECTED, Check
from ..i18n import gettext_noop
from . import outbox
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
    if not award.published and publisher is not None:
        outbox.publish(award, publisher, now)
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
