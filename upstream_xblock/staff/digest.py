"""Each mentor's weekly digest: their block's learners who wait longer than usual or are stuck.

A mentor is subscribed to a block's digest when they open its progress table
(``subscribe``). Once a week (the first sweep of each ISO week that finds one
due), each subscribed mentor gets one email listing exactly the block's learners
whose contribution waits longer than its project usually takes
(``tracking/pace.py``) or who are stuck (the progress table's rule: nothing
pending, or no activity for two weeks). No note is ever in it. The notice's key
holds the block and the week: never twice in one week.
"""

import logging

from django.core.cache import cache
from django.db import IntegrityError

from .. import compat
from ..models import BlockConfig, MentorSubscription, TrackedContribution
from ..tracking import notices, overdue
from . import progress

log = logging.getLogger(__name__)
DIGEST_LOOK_KEY, DIGEST_LOOK_EVERY_S = "upstream_xblock:digest-look", 3600


def subscribe(usage_key, course_key, mentor_id, now):
    """``mentor_id`` mentors ``usage_key``: they get its weekly digest (idempotent)."""
    if MentorSubscription.objects.filter(usage_key=usage_key, mentor_id=mentor_id).exists():
        return
    try:
        MentorSubscription.objects.create(usage_key=usage_key, course_key=course_key or "",
                                          mentor_id=str(mentor_id), since=now)
    except IntegrityError:  # the same mentor's two tabs at once
        pass


def needing_attention(usage_key, now):
    """[{"username", "overdue", "days", "repository"}] of the block's learners who need a
    mentor: overdue first (longest wait first), then stuck, each learner once."""
    rows = list(progress.learners(usage_key, compat.username_expression(), now).values(
        "learner_id", "username", "stuck"))
    names = {row["learner_id"]: row["username"] or row["learner_id"] for row in rows}
    waiting = TrackedContribution.objects.filter(usage_key=usage_key, state__in=("open", "draft"),
                                                 awarded_at__isnull=True, revoked=False)
    found, seen = [], set()
    for row, upstream, _ in sorted(overdue.overdue_records(now, waiting),
                                   key=lambda found: -found[1]["waited_days"]):
        if row.learner_id not in seen:
            seen.add(row.learner_id)
            snapshot = row.snapshot if isinstance(row.snapshot, dict) else {}
            found.append({"username": names.get(row.learner_id, row.learner_id),
                          "overdue": True, "days": upstream["waited_days"],
                          "repository": snapshot.get("target_repository") or row.project})
    for row in rows:
        if row["stuck"] and row["learner_id"] not in seen:
            seen.add(row["learner_id"])
            found.append({"username": names[row["learner_id"]], "overdue": False})
    return found


def still_mentors(subscription, mentors_of):
    """Whether a subscriber still mentors the block (its stored mentors) or is course staff:
    one removed from both gets no more digests, and their subscription is dropped."""
    usage_key = subscription.usage_key
    if usage_key not in mentors_of:
        names = BlockConfig.objects.filter(usage_key=usage_key).values_list(
            "mentors", flat=True).first() or []
        mentors_of[usage_key] = set(compat.learner_ids_of_usernames(names).values())
    if subscription.mentor_id in mentors_of[usage_key] or (
            subscription.course_key
            and compat.is_course_staff(subscription.mentor_id, subscription.course_key)):
        return True
    subscription.delete()
    return False


def send_weekly(now):
    """Queue this week's digest of every subscribed mentor with learners to list; how many."""
    year, week, _ = now.isocalendar()
    queued, lists, mentors_of = 0, {}, {}
    for subscription in MentorSubscription.objects.order_by("usage_key", "pk"):
        usage_key = subscription.usage_key
        if not still_mentors(subscription, mentors_of):
            continue
        if usage_key not in lists:
            lists[usage_key] = needing_attention(usage_key, now)
        if not lists[usage_key]:
            continue
        unit = notices.next_steps_of(usage_key).get("display_name") or usage_key
        queued += bool(notices.notify(
            "mentor_digest", subscription.mentor_id, f"digest:{usage_key}:{year}-W{week:02d}",
            params={"unit": unit, "learners": lists[usage_key]},
            course_key=subscription.course_key, usage_key=usage_key, now=now))
    return queued


def after_sweep(now):
    """At most one look an hour for the week's digests due (never fails the sweep)."""
    try:
        if cache.add(DIGEST_LOOK_KEY, True, timeout=DIGEST_LOOK_EVERY_S):
            return send_weekly(now)
    except Exception:  # noqa: BLE001
        log.exception("mentors' digests not queued")
    return 0
