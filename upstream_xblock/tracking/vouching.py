"""Mentors accept what no forge API can see; course staff can withdraw that acceptance.

A vouched contribution is an ordinary registry record of the learner with
the mentor's word on it (``vouched_at``, ``vouched_by``, ``vouch_reason``):
it counts like any accepted contribution toward ``required_count`` and is
awarded through the one award path (``awards.award_if_earned`` and the
outbox). Three kinds of address:

- a contribution on a configured forge: the record is the forge's own (the
  learner's record if they registered it, else a new one checked once like a
  registration, to learn the forge's id of it); it still counts for one
  learner per course (credits);
- any other web address (a mailing-list archive, a forge this site does not
  configure): kept as text and shown as a link, never fetched;
- no address, a description only.

Withdrawing (staff, with a reason) rejects the record for good; the award is
revoked through the existing revoke path when it no longer holds without it,
and the learner's other contributions that counted in it count again.
"""

import hashlib
import logging
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Q

from ..forges import ForgeError
from ..models import ContributionAward, ContributionCredit, TrackedContribution
from ..policy import ACCEPTED, FAILED, REJECTED, Check
from ..i18n import gettext_noop as _
from . import vouched
from .awards import NoAward, revoke_award
from .credits import alias_of, contribution_key, identity_from_snapshot, release
from .service import MAX_CONTRIBUTIONS_PER_BLOCK
from .vouch_request import VouchError

log = logging.getLogger(__name__)

ALREADY_VOUCHED = _("A mentor already accepted this contribution.")
OTHER, DESCRIBED = "other", "described"  # kinds of records no forge client handles
DESCRIBED_PREFIX = "vouched:"


def _target(request, forges):
    """(url, kind, host, project, number, ref) of what the mentor vouches for."""
    if not request.url:
        digest = hashlib.sha256(request.description.encode()).hexdigest()[:24]
        url = DESCRIBED_PREFIX + digest
        return url, DESCRIBED, "", url, 0, None
    try:
        ref = forges.parse(request.url)
    except ForgeError:  # not a contribution on a configured forge: kept as text, never fetched
        host = (urlsplit(request.url).hostname or "").lower()[:255]
        return request.url, OTHER, host, request.url[:255], 0, None
    return ref.url, ref.kind, ref.host, ref.project, ref.number, ref


def vouch(tracker, request, mentor_id, now):
    """Record the mentor's acceptance for ``tracker``'s learner; returns (row, rows, award).

    Raises VouchError (nothing stored) when the contribution counts for another
    learner of the course, was taken back by staff, already counted, or the
    learner has as many records as a block allows.
    """
    url, kind, host, project, number, ref = _target(request, tracker.forges)
    rows = tracker.rows()
    row = next((r for r in rows if r.url == url), None) or (
        alias_of(ref, rows) if ref is not None else None)
    if row is not None:
        _ensure_vouchable(row)
        created = False
    else:
        if len(rows) >= MAX_CONTRIBUTIONS_PER_BLOCK:
            raise VouchError("too_many", _("This learner has registered as many contributions as "
                                           "this activity allows."), status=409)
        row = _create(tracker.context, url, kind, host, project, number, now)
        created = True
    previous = {name: getattr(row, name) for name in _VOUCH_FIELDS}
    row.vouched_at, row.vouched_by, row.vouch_reason = now, mentor_id, request.reason
    row.description = request.description
    if request.description and not row.title:
        row.title = request.description.splitlines()[0][:300]
    row.save(update_fields=[*_VOUCH_FIELDS, "title"])
    if created and ref is not None:
        tracker.refresh(row)  # learns the forge's id (one bounded call, like a registration)
    if ref is not None:
        _ensure_credit_is_free(row, tracker.context, created, previous)
    rows, award = tracker.settle()
    log.info("%s vouched for %s of learner %s in %s", mentor_id, row.url,
             tracker.context.learner_id, tracker.context.usage_key)
    return next(r for r in rows if r.pk == row.pk), rows, award


_VOUCH_FIELDS = ("vouched_at", "vouched_by", "vouch_reason", "description")


def _ensure_vouchable(row):
    if row.revoked:
        raise VouchError("revoked", _("Course staff took this contribution back; it cannot be "
                                      "accepted again."), status=409)
    if vouched.is_vouched(row):
        raise VouchError("already_vouched", ALREADY_VOUCHED,
                         status=409)
    if row.awarded_at:
        raise VouchError("already_counted", _("This contribution already counts for this "
                                              "learner."), status=409)


def _create(context, url, kind, host, project, number, now):
    try:
        with transaction.atomic():
            return TrackedContribution.objects.create(
                usage_key=context.usage_key, course_key=context.course_key,
                learner_id=context.learner_id, anonymous_id=context.anonymous_id,
                url=url, kind=kind, host=host, project=project, number=number,
                registered_at=now, verdict=ACCEPTED,
                # Only a configured forge's contribution is checked (once, for its id).
                next_check_at=now if kind not in (OTHER, DESCRIBED) else None)
    except IntegrityError:  # the same description twice, or a concurrent vouch
        raise VouchError("already_vouched", ALREADY_VOUCHED,
                         status=409) from None


def _ensure_credit_is_free(row, context, created, previous):
    """Refuse (and undo) a vouch for a contribution that counts for another learner."""
    row.refresh_from_db()
    if not row.forge_id:  # the forge could not be asked: its address stands for it
        row.forge_id = identity_from_snapshot(row)
        TrackedContribution.objects.filter(pk=row.pk).update(forge_id=row.forge_id)
    others = ContributionCredit.objects.filter(course_key=context.course_key).exclude(
        learner_id=context.learner_id)
    held = others.filter(Q(contribution_key=contribution_key(row))
                         | Q(record__host=row.host, record__url=row.url))
    if not held.filter(Q(record__verdict=ACCEPTED) | Q(record__awarded_at__isnull=False)).exists():
        return
    if created:
        row.delete()
    else:
        TrackedContribution.objects.filter(pk=row.pk).update(**previous)
    raise VouchError("counts_for_another_learner", _(
        "This contribution already counts for another learner of this course: a contribution "
        "counts once."), status=409)


def withdraw(tracker, url, staff_id, reason, now):
    """Staff withdraw a mentor's acceptance of ``url``; returns (the revocation or None, award).

    The record is rejected for good with the staff member's reason. If it counted
    in the learner's award, the award is kept when the learner's other accepted
    contributions still meet the requirement (it then lists them), else revoked
    through ``revoke_award`` (its published grade is reset by the caller through
    the outbox); the other contributions that counted in it count again.
    """
    context = tracker.context
    rows = tracker.rows()
    row = next((r for r in rows if r.url == url and vouched.is_vouched(r)), None)
    if row is None:
        raise VouchError("not_vouched", _("No mentor accepted this contribution of this "
                                           "learner."), status=404)
    revocation = None
    with transaction.atomic():
        award = ContributionAward.objects.select_for_update().filter(
            usage_key=context.usage_key, learner_id=context.learner_id).first()
        if award is not None and row.url in (award.contributions or []):
            revocation = _award_without(award, row, rows, context, staff_id, reason, now)
        _reject(row, staff_id, reason, now)
    rows, award = tracker.settle()
    log.info("%s withdrew the mentor's acceptance of %s of learner %s", staff_id, row.url,
             context.learner_id)
    return revocation, award


def _award_without(award, row, rows, context, staff_id, reason, now):
    """Keep the award with other accepted records if they suffice, else revoke it."""
    others = [r for r in rows if r.pk != row.pk and not r.revoked and r.verdict == ACCEPTED]
    if len(others) >= context.required_count:
        counted = sorted(others, key=lambda r: (not r.awarded_at, r.registered_at))
        counted = counted[: context.required_count]
        ContributionAward.objects.filter(pk=award.pk).update(
            contributions=[r.url for r in counted])
        TrackedContribution.objects.filter(pk__in=[r.pk for r in counted],
                                           awarded_at__isnull=True).update(
            awarded_at=award.awarded_at)
        return None
    revoked_before = set(TrackedContribution.objects.filter(
        usage_key=context.usage_key, learner_id=context.learner_id, revoked=True)
        .values_list("pk", flat=True))
    try:
        revocation, _award = revoke_award(context.usage_key, context.learner_id, staff_id,
                                          reason, now)
    except NoAward:
        return None
    # The learner's other contributions lose the award, not their acceptance; a forge's are
    # checked again (what no forge shows never is).
    restored = TrackedContribution.objects.filter(
        usage_key=context.usage_key, learner_id=context.learner_id, revoked=True,
    ).exclude(pk__in=revoked_before | {row.pk})
    restored.exclude(kind__in=(OTHER, DESCRIBED)).update(next_check_at=now)
    restored.update(revoked=False)
    return revocation


def _reject(row, staff_id, reason, now):
    check = Check(vouched.CHECK_ID, FAILED, vouched.WITHDRAWN, {"reason": reason}).to_dict()
    row.vouch_withdrawn_at, row.vouch_withdrawn_by = now, staff_id
    row.revoked, row.verdict, row.accepted_at, row.awarded_at = True, REJECTED, None, None
    row.checks, row.next_check_at = [check], None
    row.save(update_fields=["vouch_withdrawn_at", "vouch_withdrawn_by", "revoked", "verdict",
                            "accepted_at", "awarded_at", "checks", "next_check_at"])
    release([row], now)
