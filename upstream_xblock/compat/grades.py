"""Publishing an award (score and completion) and resetting it: edx-submissions and
edx-completion in the LMS, the learner's block state in the workbench.
"""

from . import scores
from .learners import write_learner_state
from .viewing import publishing_blocked


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
    transaction (``scores.write``); elsewhere, one award after another.
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
    missing = scores.write(scoring, completing, _anonymous_id_of,
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
