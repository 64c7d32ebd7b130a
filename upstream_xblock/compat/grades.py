"""Publishing an award (score and completion) and resetting it: edx-submissions and
edx-completion in the LMS, the learner's block state in the workbench.

The LMS's score and completion stores are written for many awards at once, in one
transaction per batch of awards (a sweep's round, a bulk job's chunk):

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

from .learners import write_learner_state
from .runtime import publishing_blocked


def _in_the_lms():
    from django.apps import apps
    return apps.is_installed("submissions") and apps.is_installed("completion")

def published_points(points):
    """The points edx-submissions can hold: whole numbers (it stores them as integers)."""
    return max(int(round(points or 0)), 0)

def publish_award(award, block=None):
    """Hand one award to the platform: the one grade path, in a request or in the background.

    Returns False when this request may not publish (Studio or LMS preview,
    masquerade): nothing is written and the award stays in the outbox. Raises
    if the platform failed; what was written before the failure is marked on
    ``award`` (``score_published``, ``completion_published``) so a retry does
    not write it twice.

    In the LMS: the score in edx-submissions (keyed by the learner's anonymous
    id; the LMS reads it as already weighted, so it is score × points out of
    points), then completion where completion tracking is on. A block with 0
    points publishes completion only. In the workbench: the learner's block state.
    """
    if block is not None and publishing_blocked(block):
        return False
    if _in_the_lms():
        if _lms_publish([award]):
            raise LookupError("No user for this award's learner.")
    else:
        _workbench_publish(award, block)
    return True

def publish_award_in_background(award):
    """The same grade path for a learner who is not there (sweeps, tasks, outbox retries)."""
    return publish_award(award)

def publish_awards_in_background(awards):
    """Several awards at once (a sweep's round, a bulk job's chunk): {award pk: outcome}.

    The outcome is True once published, or the exception that stood in the way
    (what was written before it is marked on the award, as ``publish_award``
    does). In the LMS, every score and completion of the batch is written in one
    transaction (``write``); elsewhere, one award after another.
    """
    if not _in_the_lms():
        outcomes = {}
        for award in awards:
            try:
                outcomes[award.pk] = publish_award(award)
            except Exception as error:  # noqa: BLE001  (handed back: the outbox retries it)
                outcomes[award.pk] = error
        return outcomes
    try:
        missing = _lms_publish(awards)
    except Exception as error:  # noqa: BLE001  (the transaction wrote nothing: all retried)
        return {award.pk: error for award in awards}
    gone = LookupError("No user for this award's learner.")
    return {award.pk: gone if award in missing else True for award in awards}

def _lms_publish(awards):
    """The score in edx-submissions (weighted: score × points out of points) and the
    completion, for each of ``awards``; returns those whose learner has no user."""
    scoring = [(award, int(round(award.score * published_points(award.points))),
                published_points(award.points))
               for award in awards if published_points(award.points) and not award.score_published]
    completing = [award for award in awards if not award.completion_published] \
        if _completion_tracking_on() else []
    missing = write(scoring, completing, _anonymous_id_of,
                           lambda batch: {a.pk: _user_id(a) for a in batch})
    for award, _, _ in scoring:
        award.score_published = True
    for award in completing:
        award.completion_published = award not in missing
    return missing

def _user_id(award):
    try:
        return int(award.learner_id)
    except (TypeError, ValueError):
        return None

def _completion_tracking_on():
    from completion.waffle import ENABLE_COMPLETION_TRACKING_SWITCH
    return ENABLE_COMPLETION_TRACKING_SWITCH.is_enabled()

def _submit_completion(award, value):
    from completion.models import BlockCompletion
    from opaque_keys.edx.keys import UsageKey
    BlockCompletion.objects.submit_completion(
        user=_user_of(award), block_key=UsageKey.from_string(award.usage_key), completion=value)

def _user_of(award):
    from django.contrib.auth import get_user_model
    return get_user_model().objects.get(pk=int(award.learner_id))

def _anonymous_id_of(award):
    """The learner's anonymous id in the course (stored at registration; else the LMS's)."""
    if award.anonymous_id:
        return award.anonymous_id
    from common.djangoapps.student.models import anonymous_id_for_user
    from opaque_keys.edx.keys import CourseKey
    return anonymous_id_for_user(_user_of(award), CourseKey.from_string(award.course_key))

def _workbench_publish(award, block):
    """The workbench keeps no grades: the learner's block state carries the score."""
    if block is None:  # a sweep or task: the learner's block state, without loading the block
        write_learner_state(award.usage_key, award.learner_id, "earned_score", award.score)
    else:
        block.earned_score = award.score
        # The workbench runtime's own events (raw score, scaled by the runtime like the LMS's).
        block.runtime.publish(block, "grade", {"value": award.score, "max_value": 1.0})
        block.runtime.publish(block, "completion", {"completion": 1.0})
    award.score_published = True

def reset_published(revocation):
    """Undo exactly what an award published (``reset_score``, ``reset_completion``).

    In the LMS: edx-submissions' reset score and a completion of 0; in the
    workbench: the learner's block state. Raises if the platform failed.
    """
    if _in_the_lms():
        if revocation.reset_score:
            from submissions import api as submissions_api
            submissions_api.reset_score(_anonymous_id_of(revocation), revocation.course_key,
                                        revocation.usage_key)
        if revocation.reset_completion and _completion_tracking_on():
            _submit_completion(revocation, 0.0)
    elif revocation.reset_score:
        write_learner_state(revocation.usage_key, revocation.learner_id, "earned_score", None)


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
