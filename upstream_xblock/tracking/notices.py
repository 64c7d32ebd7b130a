"""Notices to learners and mentors through edx-ace, on the site's email channel.

A learner is told when a contribution is accepted, when the unit is counted, when
a mentor writes a note meant for them, when a review asks for changes, and when
their contribution waits longer than its project usually takes (with the
author's next step); a mentor gets a weekly digest (``staff/digest.py``).

``notify`` writes a ``NoticeSent`` row whose unique key is the notice's kind, its
recipient and the event it is about: a second call for the same event finds the
key taken and sends nothing. The row is delivered from Celery where it runs
(the task ``upstream_xblock.deliver_notice``, sent by name after the
transaction commits); elsewhere at once in a learner's or mentor's request, and
at the sweep's end for a sweep's (``deliver_pending``). A notice whose delivery
failed is taken again by the next sweeps (``retry_unsent``). A delivery claims its row first (a
conditional update), so two workers never send one notice twice. A recipient
who turned the emails off in the block (``NoticePreference``) gets none.

What a message holds is chosen here: titles, repositories, the learner's own
note text, the author's next step. Never a token (none is ever in ``params``),
never a mentors-only note (only ``visibility == "learner"`` notes are sent).
"""

import hashlib
import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from edx_ace import ace
from edx_ace.message import MessageType
from edx_ace.recipient import Recipient

from .. import compat
from ..models import BlockNextSteps, NoticePreference, NoticeSent
from . import background
from .notice_texts import compose

log = logging.getLogger(__name__)

NOTICE_TASK = "upstream_xblock.deliver_notice"
RETRY_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 5
MAX_NOTE_LENGTH = 2000


class UpstreamNotice(MessageType):
    """The block's edx-ace message types: templates under ``upstream_xblock/edx_ace/<name>/``."""

    APP_LABEL = "upstream_xblock"


# One message type per kind of notice (an operator's templates can differ per type).
KINDS = ("contribution_accepted", "unit_counted", "mentor_note", "changes_requested",
         "longer_than_usual", "mentor_digest")
MESSAGE_TYPES = {kind: type("".join(part.title() for part in kind.split("_")),
                            (UpstreamNotice,), {"NAME": kind, "__module__": __name__})
                 for kind in KINDS}


# -- preferences -----------------------------------------------------------------------
def emails_on(user_id):
    """Whether ``user_id`` gets the block's emails (yes unless they turned them off)."""
    return not NoticePreference.objects.filter(user_id=str(user_id), emails=False).exists()


def set_emails(user_id, on):
    NoticePreference.objects.update_or_create(user_id=str(user_id),
                                              defaults={"emails": bool(on)})


def store_next_steps(usage_key, texts):
    """Keep a published block's name and next steps for notices sent without the block."""
    BlockNextSteps.objects.update_or_create(usage_key=str(usage_key),
                                            defaults={"texts": dict(texts)})


def next_steps_of(usage_key):
    row = BlockNextSteps.objects.filter(usage_key=str(usage_key)).first()
    return dict(row.texts) if row else {}


# -- queueing --------------------------------------------------------------------------
def notice_key(kind, recipient_id, event):
    return hashlib.sha256(f"{kind}\n{recipient_id}\n{event}".encode()).hexdigest()


def notify(kind, recipient_id, event, *, params=None, course_key="", usage_key="", now=None,
           inline=False):
    """Queue one notice, at most once for ``event``; the row, or None (off, or already).

    Where Celery runs it goes to a worker; elsewhere it is sent at once if ``inline`` (a
    request), else at the sweep's end (``deliver_pending``)."""
    if kind not in MESSAGE_TYPES or not emails_on(recipient_id):
        return None
    try:
        with transaction.atomic():
            notice = NoticeSent.objects.create(
                key=notice_key(kind, recipient_id, event), kind=kind,
                recipient_id=str(recipient_id), course_key=str(course_key or ""),
                usage_key=str(usage_key or ""), params=dict(params or {}),
                created_at=now or timezone.now())
    except IntegrityError:
        return None  # this event's notice was queued already
    transaction.on_commit(lambda: _hand_over(notice.pk, inline))
    return notice


def _hand_over(notice_id, inline):
    if background.runs_in_workers():
        background.send(NOTICE_TASK, args=(notice_id,))  # a broker down: retry_unsent
    elif inline:
        deliver(notice_id)


# -- delivery --------------------------------------------------------------------------
def deliver(notice_id, now=None):
    """Send the notice ``notice_id`` through edx-ace once; True if it was handed over."""
    now = now or timezone.now()
    # The claim: only the one who sets sent_at sends (a retry or a second worker finds it set).
    if not NoticeSent.objects.filter(pk=notice_id, sent_at__isnull=True).update(
            sent_at=now, attempts=F("attempts") + 1):
        return False
    notice = NoticeSent.objects.get(pk=notice_id)
    try:
        sent = _send(notice)
    except Exception:  # noqa: BLE001  (a channel's failure: retried by the next sweep)
        log.exception("notice %s (%s) not delivered", notice.pk, notice.kind)
        sent = False
    if not sent and notice.attempts < MAX_ATTEMPTS:
        NoticeSent.objects.filter(pk=notice.pk).update(sent_at=None)
    return sent


def _send(notice):
    """Render and send ``notice``; False if its recipient has no address or turned emails off."""
    if not emails_on(notice.recipient_id):
        return True  # settled: nothing to send, nothing to retry
    recipient = compat.recipient_of(notice.recipient_id)
    if recipient is None:
        log.info("notice %s: recipient %s has no email address", notice.pk, notice.recipient_id)
        return True
    link = notice.params.get("url") if notice.kind in ("contribution_accepted",
                                                       "changes_requested",
                                                       "longer_than_usual") else ""
    link = link if isinstance(link, str) and link.startswith(("https://", "http://")) else \
        compat.unit_address(notice.usage_key)
    context = compose(notice.kind, notice.params, recipient["language"],
                      compat.platform_name(), link)
    if notice.course_key:  # the LMS's course email opt-out policy reads it (bulk_email)
        context["course_ids"] = [str(notice.course_key)]
    message = MESSAGE_TYPES[notice.kind](context=context).personalize(
        recipient=Recipient(recipient["id"], recipient["email"]),
        language=recipient["language"] or "en", user_context={})
    ace.send(message)
    return True


def retry_unsent(now, limit=500):
    """Deliver the notices left unsent (a broker down, a channel failure); how many went."""
    ids = list(NoticeSent.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS,
                                         created_at__lte=now - RETRY_AFTER)
               .order_by("pk").values_list("pk", flat=True)[:limit])
    return sum(1 for notice_id in ids if deliver(notice_id, now))


# -- the events that cause notices -------------------------------------------------------
def _contribution(row):
    snapshot = row.snapshot if isinstance(row.snapshot, dict) else {}
    return {"title": row.title or f"#{row.number}",
            "repository": snapshot.get("target_repository") or row.project,
            "url": snapshot.get("web_url") or row.url}


def _about(row, kind, event, inline=False, **more):
    return notify(kind, row.learner_id, event, params={**_contribution(row), **more},
                  course_key=row.course_key, usage_key=row.usage_key, inline=inline)


def _check_notices(row, verdict_before):
    """[(kind, event, extra params)] a check that wrote ``row`` causes."""
    found = []
    if row.verdict == "accepted" and verdict_before != "accepted":
        # A mentor's vouch accepts what the project has not (yet): the email says who did.
        found.append(("contribution_accepted", f"accepted:{row.pk}",
                      {"by": "mentor"} if row.vouched_at else {}))
    snapshot = row.snapshot if isinstance(row.snapshot, dict) else {}
    if snapshot.get("review_decision") == "changes_requested" and not row.awarded_at:
        round_at = snapshot.get("changes_requested_at") or "first"
        found.append(("changes_requested", f"changes:{row.pk}:{round_at}",
                      {"next_steps": next_steps_of(row.usage_key)}))
    return found


def after_check(row, verdict_before, inline=False):
    """A check wrote ``row``: accepted now, or a review asked for changes (never raises)."""
    try:
        for kind, event, more in _check_notices(row, verdict_before):
            _about(row, kind, event, inline=inline, **more)
    except Exception:  # noqa: BLE001  (a notice never fails a check)
        log.exception("notices after the check of %s", row.pk)


def after_checks(checked):
    """A sweep's chunk: [(row, verdict before)]. Their notices are queued in one insert and
    handed to Celery in one task where it runs; elsewhere the sweep's end delivers them
    (``deliver_pending``). Never raises."""
    try:
        return _queue_many([(kind, row.learner_id, event, {**_contribution(row), **more},
                             row.course_key, row.usage_key)
                            for row, before in checked
                            for kind, event, more in _check_notices(row, before)])
    except Exception:  # noqa: BLE001  (a notice never fails a sweep)
        log.exception("notices after a sweep's checks")
        return 0


def after_awards(awards):
    """``after_award`` for many awards at once (a staff job's chunk): one insert, one read
    of each block's name. Never raises."""
    try:
        units = {}
        for award in awards:
            if award.usage_key not in units:
                units[award.usage_key] = next_steps_of(award.usage_key).get("display_name") \
                    or str(award.usage_key).rsplit("@", 1)[-1]
        return _queue_many([("unit_counted", award.learner_id, f"counted:{award.usage_key}",
                             {"unit": units[award.usage_key]}, award.course_key,
                             award.usage_key) for award in awards])
    except Exception:  # noqa: BLE001  (a notice never fails an award)
        log.exception("notices of %s awards", len(awards))
        return 0


def _queue_many(wanted):
    """Queue [(kind, recipient, event, params, course key, usage key)] in one insert (not for
    a recipient who turned the emails off; an event's notice once) and hand them to Celery
    where it runs; how many were asked for."""
    if not wanted:
        return 0
    off = set(NoticePreference.objects.filter(
        user_id__in={str(item[1]) for item in wanted}, emails=False)
        .values_list("user_id", flat=True))
    now = timezone.now()
    notices = [NoticeSent(key=notice_key(kind, recipient, event), kind=kind,
                          recipient_id=str(recipient), course_key=str(course_key or ""),
                          usage_key=str(usage_key or ""), created_at=now, params=params)
               for kind, recipient, event, params, course_key, usage_key in wanted
               if str(recipient) not in off]
    NoticeSent.objects.bulk_create(notices, ignore_conflicts=True)
    if background.runs_in_workers():
        ids = list(NoticeSent.objects.filter(
            key__in=[n.key for n in notices], sent_at__isnull=True, attempts=0)
            .values_list("pk", flat=True))
        transaction.on_commit(lambda: [background.send(NOTICE_TASK, args=(pk,))
                                       for pk in ids])
    return len(notices)


def deliver_pending(now, limit=1000):
    """Deliver the notices never tried yet (a sweep's, where no Celery runs); how many went."""
    ids = list(NoticeSent.objects.filter(sent_at__isnull=True, attempts=0)
               .order_by("pk").values_list("pk", flat=True)[:limit])
    return sum(1 for notice_id in ids if deliver(notice_id, now))


def after_award(award, inline=False):
    try:
        unit = next_steps_of(award.usage_key).get("display_name") or ""
        notify("unit_counted", award.learner_id, f"counted:{award.usage_key}",
               params={"unit": unit or str(award.usage_key).rsplit("@", 1)[-1]},
               course_key=award.course_key, usage_key=award.usage_key, inline=inline)
    except Exception:  # noqa: BLE001
        log.exception("notice of the award %s / %s", award.usage_key, award.learner_id)


def after_note(annotation, usage_key, course_key, learner_id, inline=False):
    """A mentor's note: only one meant for the learner is ever sent, and only its text."""
    if annotation.get("visibility") != "learner":
        return None
    text = str(annotation.get("text", ""))[:MAX_NOTE_LENGTH]
    try:
        return notify("mentor_note", learner_id, f"note:{annotation.get('id', '')}",
                      params={"text": text}, course_key=course_key, usage_key=usage_key,
                      inline=inline)
    except Exception:  # noqa: BLE001
        log.exception("notice of a note for %s", learner_id)
        return None


def longer_than_usual(row, upstream):
    """``row`` waits longer than its project usually takes: tell its learner once."""
    return _about(row, "longer_than_usual", f"overdue:{row.pk}",
                  waited_days=upstream["waited_days"], next_steps=next_steps_of(row.usage_key))


def already_sent(kind, pairs):
    """Of ``pairs`` (recipient id, event), those whose notice of ``kind`` was queued (1 query)."""
    keys = {notice_key(kind, recipient, event): (recipient, event) for recipient, event in pairs}
    return {keys[key] for key in NoticeSent.objects.filter(key__in=list(keys)).values_list(
        "key", flat=True)}
