"""Awarding a learner exactly once, whatever the race, and publishing the award.

Awards are made and published in batches (a sweep's round, one learner's
request being a batch of one): the learners who earned their block are awarded
with one insert, and their awards handed to the platform together.

The awards outbox: an award stays unpublished until the platform accepted it.
What the platform already took (the score, the completion) is recorded step
by step, so a retry never writes it twice; a revoked award's published score
and completion are reset, and retried until the platform accepted it.
"""

import logging
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q

from ..i18n import gettext_noop
from ..models import AwardRevocation, ContributionAward, TrackedContribution
from ..policy import ACCEPTED, FAILED, REJECTED, Check
from . import events
from .credits import release

log = logging.getLogger(__name__)


def _pairs(awards_query, keys):
    """{(usage key, learner id): award} of ``awards_query`` for the pairs in ``keys``."""
    return {(a.usage_key, a.learner_id): a for a in awards_query.filter(
        usage_key__in={k[0] for k in keys}, learner_id__in={k[1] for k in keys})
        if (a.usage_key, a.learner_id) in keys}


def award_many(groups, now):
    """Award, once, each learner of ``groups`` [(context, their rows)] whose accepted records
    meet their block's requirement.

    Returns ({(usage key, learner id): their award, new or made before, or None},
    [the awards made now]). Five queries for a batch, however many learners.
    """
    keys = {(context.usage_key, context.learner_id): (context, rows) for context, rows in groups}
    found = _pairs(ContributionAward.objects.all(), keys)
    earned = {}
    for key, (context, rows) in keys.items():
        accepted = [row for row in rows if row.verdict == ACCEPTED]
        if key not in found and len(accepted) >= context.required_count:
            earned[key] = (context, accepted[: context.required_count])
    made = []
    if earned:
        with transaction.atomic():
            # A concurrent award (the learner's own request, another sweep) wins: ours is dropped.
            ContributionAward.objects.bulk_create(
                [new_award(context, counted, now) for context, counted in earned.values()],
                ignore_conflicts=True)
            found.update(_pairs(ContributionAward.objects.all(), earned))
            made = [found[key] for key in earned if key in found and found[key].awarded_at == now]
            TrackedContribution.objects.filter(pk__in=[
                row.pk for award in made
                for row in earned[(award.usage_key, award.learner_id)][1]]).update(awarded_at=now)
        for award in made:
            for row in earned[(award.usage_key, award.learner_id)][1]:
                row.awarded_at = now
            log.info("awarded %s to learner %s (%d contributions)", award.usage_key,
                     award.learner_id, len(award.contributions))
            events.award_stored(award, earned[(award.usage_key, award.learner_id)][1])
    return {key: found.get(key) for key in keys}, made


def award_if_earned(context, rows, publisher, now, publish_many=None):
    """The learner's award (new or existing), or None if not earned yet."""
    found, _ = award_many([(context, rows)], now)
    award = found[(context.usage_key, context.learner_id)]
    if award is not None and not award.published and publisher is not None:
        publish_all([award], publisher, now, publish_many)
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
    return publish_all([award], publisher, now) == 1


def publish_all(awards, publisher, now, publish_many=None):
    """Hand the platform those of ``awards`` nobody holds; how many it accepted.

    ``publish_many(awards)`` ({award pk: True, or the exception}) publishes them
    together where given, else ``publisher(award)`` one after another (False:
    this request may not publish; it is left as it was). The published ones are
    marked on ``awards`` too.
    """
    held_since = {award.pk: award.next_publish_at for award in awards}
    lease = now + LEASE + timedelta(microseconds=secrets.randbelow(1_000_000))
    ContributionAward.objects.filter(_due(now), pk__in=list(held_since), published=False).update(
        next_publish_at=lease)
    mine = list(ContributionAward.objects.filter(pk__in=list(held_since), next_publish_at=lease))
    if not mine:
        return 0
    if publish_many is not None:
        outcomes = publish_many(mine)
    else:
        outcomes = {award.pk: _publish_one(publisher, award) for award in mine}
    done = _record(mine, outcomes, held_since, now)
    for award in awards:
        if award.pk in done:
            award.published, award.next_publish_at, award.publish_error = True, None, ""
            award.score_published = done[award.pk].score_published
            award.completion_published = done[award.pk].completion_published
    return len(done)


def _publish_one(publisher, award):
    try:
        return publisher(award) is not False
    except Exception as error:  # noqa: BLE001  (recorded on the award: the outbox retries it)
        log.exception("publishing award %s failed; will retry", award.pk)
        return error


def _record(mine, outcomes, held_since, now):
    """Write what the platform did with each award; {pk: award} of those now published."""
    done = {award.pk: award for award in mine if outcomes.get(award.pk) is True}
    by_steps = {}
    for award in done.values():
        by_steps.setdefault((award.score_published, award.completion_published), []).append(
            award.pk)
    for (score, completion), pks in by_steps.items():
        updated = ContributionAward.objects.filter(pk__in=pks).update(
            published=True, next_publish_at=None, publish_error="", score_published=score,
            completion_published=completion)
        if updated < len(pks):  # staff revoked some while they were being published
            kept = set(ContributionAward.objects.filter(pk__in=pks).values_list("pk", flat=True))
            for pk in set(pks) - kept:
                _revoked_meanwhile(done[pk])
    for award in mine:
        outcome = outcomes.get(award.pk)
        if outcome is True:
            continue
        if outcome is False:  # this request may not publish: leave it as it was
            award.next_publish_at = held_since[award.pk]
            _save(award, "next_publish_at")
            continue
        award.publish_attempts += 1
        award.next_publish_at = now + backoff(award.publish_attempts)
        award.publish_error = f"{type(outcome).__name__}: {outcome}"[:300]
        _save(award, "publish_attempts", "next_publish_at", "publish_error")
    return done


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


def publish_made(usage_key, learner_ids, awarded_at, publisher, now, publish_many=None):
    """Publish the awards made at ``awarded_at`` for ``learner_ids`` in a block (a bulk
    job's chunk), now rather than by later sweeps; how many the platform accepted."""
    made = list(ContributionAward.objects.filter(
        usage_key=usage_key, learner_id__in=list(learner_ids), awarded_at=awarded_at,
        published=False))
    return publish_all(made, publisher, now, publish_many) if made else 0


def retry_unpublished(publisher, now, publish_many=None, deadline=None):
    """Publish the awards still in the outbox whose back-off is over, RETRY_BATCH at a time,
    every one of them (until ``deadline``, if given); the count published."""
    published, after = 0, 0
    while deadline is None or not deadline.expired:
        batch = list(ContributionAward.objects.filter(_due(now), published=False, pk__gt=after)
                     .order_by("pk")[:RETRY_BATCH])
        if not batch:
            break
        published += publish_all(batch, publisher, now, publish_many)
        after = batch[-1].pk
    return published


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


def new_award(context, rows, now, score=1.0):
    """An award (not saved yet) for ``context``'s learner, listing their records ``rows``."""
    return ContributionAward(
        usage_key=context.usage_key, learner_id=context.learner_id,
        course_key=context.course_key, anonymous_id=context.anonymous_id,
        awarded_at=now, score=score, points=context.points,
        contributions=[row.url for row in rows])


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

