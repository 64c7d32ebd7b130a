"""The LMS's score and completion stores, written for many awards at once.

One transaction per batch of awards (a sweep's round, a bulk job's chunk):

- the learners' edx-submissions student items and submissions, in bulk. Each
  award's submission has a stable key (``submission_uuid``): the one it already
  made is found before one is created, so an award published again after a
  worker died between writing and recording it never submits twice;
- the scores in bulk, each learner's ``ScoreSummary`` kept as edx-submissions'
  own receiver keeps it for a score saved alone (``_summaries``); the
  ``score_set`` signal the LMS grades from is sent after the commit, with what
  ``submissions.api.set_score`` sends;
- the completions (edx-completion's ``BlockCompletion``), in bulk, each with its
  tracking log as ``submit_completion`` emits it.

Every import of edx-submissions, edx-completion and the LMS is inside a function.
"""

import uuid

ITEM_TYPE = "upstream_contribution"
SUBMISSION_KEYS = uuid.UUID("5f0c6b9e-6a39-4f7e-9a4b-3d2f1c0e8b71")  # namespace of our keys


def submission_uuid(award):
    """The stable key of ``award``'s submission: the same for every attempt to publish it."""
    return uuid.uuid5(SUBMISSION_KEYS, f"{award.usage_key}|{award.learner_id}|{award.pk}|"
                                       f"{award.awarded_at.isoformat()}")


def student_item(award, anonymous):
    return {"student_id": anonymous, "course_id": award.course_key,
            "item_id": award.usage_key, "item_type": ITEM_TYPE}


def write(scoring, completing, anonymous_of, user_ids_of):
    """Write the scores of ``scoring`` [(award, earned, possible)] and the completions of
    ``completing`` [award] in one transaction; send what the LMS listens to after it.

    ``anonymous_of(award)``: the learner's anonymous id; ``user_ids_of(awards)``: {award
    pk: user id}. Returns the awards whose completion could not be written (no such user).
    """
    from django.db import transaction
    with transaction.atomic():
        scored = _scores(scoring, anonymous_of)
        completions, missing = _completions(completing, user_ids_of)
    _announce(scored, completions)
    return missing


def _student_items(awards, anonymous_of):
    """{award pk: StudentItem}, created where missing (two or three queries in all)."""
    from submissions.models import StudentItem
    keys = {award.pk: (anonymous_of(award), award.course_key, award.usage_key)
            for award in awards}

    def existing():
        found = StudentItem.objects.filter(
            student_id__in={key[0] for key in keys.values()},
            item_id__in={key[2] for key in keys.values()}, item_type=ITEM_TYPE)
        return {(item.student_id, item.course_id, item.item_id): item for item in found}

    items = existing()
    missing = set(keys.values()) - set(items)
    if missing:
        StudentItem.objects.bulk_create(
            [StudentItem(student_id=s, course_id=c, item_id=i, item_type=ITEM_TYPE)
             for s, c, i in missing], ignore_conflicts=True)
        items = existing()
    return {pk: items[key] for pk, key in keys.items()}


def _submissions(awards, items):
    """{award pk: its Submission}: the one made before (by its stable key), else a new one."""
    from django.db.models import Max
    from submissions.models import Submission
    keys = {award.pk: submission_uuid(award) for award in awards}
    made = {s.uuid: s for s in Submission.objects.filter(uuid__in=keys.values())}
    new = [award for award in awards if keys[award.pk] not in made]
    if new:
        attempts = dict(Submission._objects.filter(  # noqa: SLF001  (edx-submissions' own manager of every submission)
            student_item__in={items[a.pk].pk for a in new}).values_list("student_item").annotate(
            Max("attempt_number")))
        Submission.objects.bulk_create([Submission(
            uuid=keys[a.pk], student_item=items[a.pk],
            attempt_number=attempts.get(items[a.pk].pk, 0) + 1,
            answer={"contributions": list(a.contributions), "award": str(keys[a.pk])})
            for a in new])
        made = {s.uuid: s for s in Submission.objects.filter(uuid__in=keys.values())}
    return {pk: made[key] for pk, key in keys.items()}


def _scores(scoring, anonymous_of):
    """[(award, its Score)]: one written per award, unless its submission has it already
    (published before a worker died: announced again, not written again)."""
    from submissions.models import Score
    if not scoring:
        return []
    awards = [award for award, _, _ in scoring]
    items = _student_items(awards, anonymous_of)
    submissions = _submissions(awards, items)
    latest = {}
    for score in Score.objects.filter(submission__in=submissions.values()).order_by("id"):
        latest[score.submission_id] = score
    kept, wanted = [], []
    for award, earned, possible in scoring:
        score = latest.get(submissions[award.pk].pk)
        if score is not None and (score.points_earned, score.points_possible) == (
                earned, possible):
            score.student_item = items[award.pk]  # (what the announcement reads)
            kept.append((award, score))
        else:
            wanted.append((award, Score(student_item=items[award.pk],
                                        submission=submissions[award.pk],
                                        points_earned=earned, points_possible=possible)))
    if wanted:
        Score.objects.bulk_create([score for _, score in wanted])
        if any(score.pk is None for _, score in wanted):  # a database that returns no ids
            ids = {s.submission_id: s for s in Score.objects.filter(
                submission__in=[score.submission for _, score in wanted]).order_by("id")}
            wanted = [(award, ids[score.submission_id]) for award, score in wanted]
        _summaries([score for _, score in wanted])
    return kept + wanted


def _summaries(scores):
    """Each student item's ScoreSummary after ``scores``, as edx-submissions' own receiver
    (``ScoreSummary.update_score_summary``) keeps it for a score saved alone: the latest
    is the new score; the highest too if it is a reset, if the highest so far has no
    points possible, or if it is higher."""
    from submissions.models import ScoreSummary
    summaries = {summary.student_item_id: summary for summary in ScoreSummary.objects.filter(
        student_item__in=[score.student_item for score in scores]).select_related("highest")}
    created, updated = {}, []
    for score in scores:
        summary = summaries.get(score.student_item_id) or created.get(score.student_item_id)
        if summary is None:
            created[score.student_item_id] = ScoreSummary(
                student_item=score.student_item, highest=score, latest=score)
            continue
        summary.latest = score
        new, best = score.to_float(), summary.highest.to_float()
        if score.reset or (best is None and new is not None) or (
                new is not None and best is not None and new > best):
            summary.highest = score
        if summary.pk:
            updated.append(summary)
    ScoreSummary.objects.bulk_create(created.values())
    if updated:
        ScoreSummary.objects.bulk_update(updated, ["highest", "latest"])


def _completions(awards, user_ids_of):
    """([BlockCompletion] written, [awards without a user]): completion 1.0 for each."""
    from completion.models import BlockCompletion
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from opaque_keys.edx.keys import UsageKey
    if not awards:
        return [], []
    user_ids = user_ids_of(awards)
    users = {user.pk: user for user in get_user_model().objects.filter(
        pk__in=set(user_ids.values()))}
    missing = [award for award in awards if user_ids.get(award.pk) not in users]
    wanted = {(user_ids[a.pk], a.usage_key): a for a in awards if a not in missing}
    blocks = {usage: UsageKey.from_string(usage) for _, usage in wanted}
    existing = {(c.user_id, c.block_key): c for c in BlockCompletion.objects.filter(
        user_id__in={user for user, _ in wanted}, block_key__in=blocks.values())}
    now, created, updated = timezone.now(), [], []
    for user_id, usage in wanted:
        completion = existing.get((user_id, blocks[usage]))
        if completion is None:
            block = blocks[usage]
            created.append(BlockCompletion(
                user=users[user_id], context_key=block.context_key, block_key=block,
                block_type=block.block_type, completion=1.0))
        elif completion.completion != 1.0:
            completion.completion, completion.modified = 1.0, now
            updated.append(completion)
    BlockCompletion.objects.bulk_create(created)
    if updated:
        BlockCompletion.objects.bulk_update(updated, ["completion", "modified"])
    for completion in created + updated:
        completion.user = users[completion.user_id]  # the tracking log reads it
    return created + updated, missing


def _announce(scored, completions):
    """What the LMS listens to, once the transaction committed (as set_score and
    submit_completion do): ``score_set`` per score, a tracking log per completion."""
    import logging

    from submissions.models import score_set
    log = logging.getLogger(__name__)
    for award, score in scored:
        for _receiver, error in score_set.send_robust(
                sender=None, points_possible=score.points_possible,
                points_earned=score.points_earned,
                anonymous_user_id=score.student_item.student_id,
                course_id=award.course_key, item_id=award.usage_key,
                created_at=score.created_at):
            if isinstance(error, Exception):
                log.error("a score_set receiver failed for award %s: %r", award.pk, error)
    for completion in completions:
        completion.emit_tracking_log()
