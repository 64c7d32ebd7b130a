"""Mentors accept what no forge API can see; course staff can withdraw that acceptance.

A vouch request is validated before anything is stored; a vouched record's
verdict is accepted, with the mentor's reason.
"""

import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Q

from ..errors import UpstreamError
from ..forges import ForgeError
from ..i18n import gettext_noop as _
from ..models import ContributionAward, ContributionCredit, TrackedContribution
from ..policy import ACCEPTED, FAILED, REJECTED, Check
from . import events
from .awards import NoAward, revoke_award
from .credits import alias_of, contribution_key, identity_from_snapshot, release
from .recording import CHECK_ID, WITHDRAWN, is_proposed, is_vouched
from .service import MAX_CONTRIBUTIONS_PER_BLOCK

MAX_REASON = 500
MAX_DESCRIPTION = 2000
MAX_URL = 500
# Characters that make text read differently from what it is (Trojan Source).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


class VouchError(UpstreamError):
    """A vouch the tracking layer refuses: a stable code, an English template, an HTTP status."""


@dataclass(frozen=True)
class VouchRequest:
    reason: str
    url: str = ""
    description: str = ""


def _bad(field, limit):
    return VouchError("bad_request", _("Send %(field)s as text of at most %(limit)s characters, "
                                       "without control characters."),
                      params={"field": field, "limit": limit})


def clean_text(value, field, limit, multiline=False):
    """``value`` stripped, or VouchError: text, 1..limit characters, no control characters."""
    if not isinstance(value, str):
        raise _bad(field, limit)
    value = value.strip()
    allowed = "\n\t" if multiline else ""
    if not value or len(value) > limit or any(
            (unicodedata.category(c) == "Cc" and c not in allowed) or c in BIDI_CONTROLS
            for c in value):
        raise _bad(field, limit)
    return value


def clean_url(value):
    """A plain absolute http(s) URL with a host name, no credentials, no spaces."""
    url = clean_text(value, "url", MAX_URL)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        raise _invalid_url() from None
    if parts.scheme not in ("http", "https") or not host or not port_ok \
            or parts.username is not None or any(c.isspace() for c in url) \
            or not all(c.isalnum() or c in ".-" for c in host):
        raise _invalid_url()
    return url


def _invalid_url():
    return VouchError("invalid_url", _("Give the contribution's address as a web address "
                                       "starting with https:// or http://."))


def parse_vouch(data):
    """A VouchRequest from the handler's JSON: a reason, and a URL or a description (or both)."""
    reason = clean_text(data.get("reason"), "reason", MAX_REASON)
    url = data.get("url")
    description = data.get("description")
    url = "" if url in (None, "") else clean_url(url)
    description = "" if description in (None, "") else clean_text(
        description, "description", MAX_DESCRIPTION, multiline=True)
    if not url and not description:
        raise VouchError("bad_request", _("Give the contribution's address (url) or describe "
                                          "it (description)."))
    return VouchRequest(reason=reason, url=url, description=description)


log = logging.getLogger(__name__)

ALREADY_VOUCHED = _("A mentor already accepted this contribution.")
ALREADY_PROPOSED = _("A mentor already proposed this contribution: course staff can confirm "
                     "it.")
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


def vouch(tracker, request, mentor_id, now, proposal=False):
    """Record the mentor's acceptance for ``tracker``'s learner; returns (row, rows, award).

    With ``proposal`` (the block's ``mentor_vouches_need_staff``, a mentor who is not
    staff), the acceptance is a proposal: recorded, shown, counted only once course
    staff ``confirm`` it. Raises VouchError (nothing stored) when the contribution
    counts for another learner of the course, was taken back by staff, already
    counted or was vouched for, or the learner has as many records as a block allows.
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
        row = _create(tracker.context, url, kind, host, project, number, now, proposal)
        created = True
    previous = {name: getattr(row, name) for name in _VOUCH_FIELDS}
    row.vouched_at = None if proposal else now
    row.vouched_by, row.vouch_reason = mentor_id, request.reason
    row.description = request.description
    if request.description and not row.title:
        row.title = request.description.splitlines()[0][:300]
    # Conditional: of two mentors vouching at once, one wins (one vouch, one audit entry).
    if not TrackedContribution.objects.filter(pk=row.pk, vouched_by="").update(
            **{name: getattr(row, name) for name in (*_VOUCH_FIELDS, "title")}):
        raise VouchError("already_vouched", ALREADY_VOUCHED, status=409)
    if created and ref is not None:
        tracker.refresh(row)  # learns the forge's id (one bounded call, like a registration)
    if ref is not None:
        _ensure_credit_is_free(row, tracker.context, created, previous)
    events.about(row, events.VOUCHED, actor_id=mentor_id)
    rows, award = tracker.settle()
    log.info("%s vouched for %s of learner %s in %s", mentor_id, row.url,
             tracker.context.learner_id, tracker.context.usage_key)
    return next(r for r in rows if r.pk == row.pk), rows, award


_VOUCH_FIELDS = ("vouched_at", "vouched_by", "vouch_reason", "description")


def _ensure_vouchable(row):
    if row.revoked:
        raise VouchError("revoked", _("Course staff took this contribution back; it cannot be "
                                      "accepted again."), status=409)
    if is_vouched(row):
        raise VouchError("already_vouched", ALREADY_VOUCHED,
                         status=409)
    if is_proposed(row):
        raise VouchError("already_vouched", ALREADY_PROPOSED, status=409)
    if row.awarded_at:
        raise VouchError("already_counted", _("This contribution already counts for this "
                                              "learner."), status=409)


def _create(context, url, kind, host, project, number, now, proposal=False):
    try:
        with transaction.atomic():
            return TrackedContribution.objects.create(
                usage_key=context.usage_key, course_key=context.course_key,
                learner_id=context.learner_id, anonymous_id=context.anonymous_id,
                url=url, kind=kind, host=host, project=project, number=number,
                registered_at=now, verdict="" if proposal else ACCEPTED,
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


def confirm(tracker, url, now):
    """Course staff confirm a mentor's proposal of ``url``: it counts from now on.

    Returns (row, rows, award); VouchError ``not_proposed`` (404) when no proposal waits
    (confirmed already: one confirmation, one audit entry), ``counts_for_another_learner``.
    """
    row = next((r for r in tracker.rows() if r.url == url and is_proposed(r)), None)
    if row is None or not TrackedContribution.objects.filter(
            pk=row.pk, vouched_at__isnull=True, vouch_withdrawn_at__isnull=True).update(
            vouched_at=now):
        raise VouchError("not_proposed", _("No mentor's proposal of this contribution waits "
                                           "for course staff."), status=404)
    previous = {name: getattr(row, name) for name in _VOUCH_FIELDS}
    row.vouched_at = now
    if row.kind not in (OTHER, DESCRIBED):
        _ensure_credit_is_free(row, tracker.context, False, previous)
    rows, award = tracker.settle()
    log.info("course staff confirmed the mentor's proposal of %s for learner %s", row.url,
             tracker.context.learner_id)
    return next(r for r in rows if r.pk == row.pk), rows, award


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
    row = next((r for r in rows if r.url == url and (is_vouched(r) or is_proposed(r))), None)
    # Conditional: of two withdrawals at once, one wins (one change, one audit entry).
    if row is None or not TrackedContribution.objects.filter(
            pk=row.pk, vouch_withdrawn_at__isnull=True).update(vouch_withdrawn_at=now,
                                                               vouch_withdrawn_by=staff_id):
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
    check = Check(CHECK_ID, FAILED, WITHDRAWN, {"reason": reason}).to_dict()
    row.vouch_withdrawn_at, row.vouch_withdrawn_by = now, staff_id
    row.revoked, row.verdict, row.accepted_at, row.awarded_at = True, REJECTED, None, None
    row.checks, row.next_check_at = [check], None
    row.save(update_fields=["vouch_withdrawn_at", "vouch_withdrawn_by", "revoked", "verdict",
                            "accepted_at", "awarded_at", "checks", "next_check_at"])
    release([row], now)
