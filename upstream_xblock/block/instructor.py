"""The instructor dashboard's problem responses report for the block.

The LMS hands ``generate_report_data`` an iterator of ``XBlockUserState``
(user name and the learner's block state) for every learner of the block;
rows are yielded chunk by chunk (three queries per chunk of learners), one
per contribution, with the annotations mentors see (from the block state the
LMS already read).
"""

from itertools import islice

from django.utils import timezone
from xblock.scorable import ScorableXBlockMixin, Score

from .. import compat
from ..i18n import gettext_noop as _
from ..staff import annotations, audit
from ..staff.progress import awarded_learners, records_by_learner
from ..tracking import awards
from ..tracking.awards import delete_learner_state
from ..tracking.service import TrackingError, has_records

CHUNK = 500


def _annotations(state):
    return annotations.as_text((state or {}).get("annotations"))


def _rows_of_chunk(usage_key, states):
    ids = compat.learner_ids_of_usernames([s.username for s in states])
    records = records_by_learner(usage_key, ids.values())
    awarded = awarded_learners(usage_key, ids.values())
    for state in states:
        learner = ids.get(state.username)
        notes = _annotations(state.state)
        for record in records.get(learner, []):
            yield state.username, {
                "URL": record.url, "Title": record.title, "State": record.state or "unknown",
                "Verdict": record.verdict or "pending",
                "Merged at": (record.snapshot or {}).get("merged_at") or "",
                "Counted": "yes" if record.awarded_at else "",
                "Awarded": "yes" if learner in awarded else "",
                "Annotations": notes}


def report_rows(block, user_state_iterator, limit_responses=None):
    usage_key, yielded = compat.usage_key(block), 0
    iterator = iter(user_state_iterator)
    while True:
        states = list(islice(iterator, CHUNK))
        if not states:
            return
        for row in _rows_of_chunk(usage_key, states):
            if limit_responses is not None and yielded >= limit_responses:
                return
            yield row
            yielded += 1


DASHBOARD = audit.Actor("", "instructor-dashboard")


def dashboard_actor():
    """Who asked for the instructor dashboard's task (the LMS's InstructorTask), else
    ``DASHBOARD``."""
    requester = compat.dashboard_requester()
    return audit.Actor(*requester) if requester else DASHBOARD


class InstructorMixin(ScorableXBlockMixin):
    """Hooks the instructor dashboard looks for on a block."""

    def clear_student_state(self, user_id, course_id, item_id, requesting_user_id):
        """Remove the learner's records and award here, and reset what the award published."""
        del course_id  # the block's own keys say where it is
        learner = compat.learner_of_anonymous_id(user_id)
        now = timezone.now()
        deleted, revocation = delete_learner_state(
            str(item_id), [learner], user_id, str(requesting_user_id), now)
        if revocation is not None:
            awards.reset(revocation, compat.reset_published, now)
        if not deleted and revocation is None:
            return  # nothing was there: no change, no entry
        if not learner and revocation is not None:  # found by the anonymous id its records keep
            learner = revocation.learner_id
        audit.record(str(item_id), audit.Actor(str(requesting_user_id), ""), "clear_state", now,
                     learner_id=learner or str(user_id), source="instructor",
                     before="accepted" if revocation is not None else "",
                     after="" if revocation is None else "rejected")

    # -- ScorableXBlockMixin: the learner this block is bound to ---------------------------
    def _award(self):
        return awards.award_of(compat.usage_key(self), compat.learner_id(self))

    def has_submitted_answer(self):
        """The learner registered something here."""
        return has_records(compat.usage_key(self), compat.learner_id(self))

    def get_score(self):
        award = self._award()
        return Score(raw_earned=award.score if award else 0.0, raw_possible=self.max_score())

    def calculate_score(self):
        """The score the learner's records earn now (the award is the score; nothing changes)."""
        return self.get_score()

    def set_score(self, score):
        """An override: the award's score becomes ``score`` (a fraction of the block's points).

        Refused (``self_grading``) when whoever asked for it is the learner: the LMS then
        marks the dashboard's task failed, with the message.
        """
        who = dashboard_actor()
        if who.id and who.id == compat.learner_id(self):
            raise TrackingError("self_grading", _("You cannot grade your own work: ask another "
                                                  "mentor or course staff."), status=403)
        possible = score.raw_possible or 0
        fraction = min(max(score.raw_earned / possible, 0.0), 1.0) if possible > 0 else 0.0
        now, award = timezone.now(), self._award()
        before = audit.verdict_now(compat.usage_key(self), compat.learner_id(self))
        if award is None:
            if fraction == 0:
                return  # no award and nothing to give: the grade is already 0
            tracker = self._tracker()
            award = awards.new_award(tracker.context, tracker.rows(), now)
        elif award.score == fraction:
            return  # the score already: no change, no entry
        awards.override_score(award, fraction)
        audit.record(award.usage_key, who, "score_override", now,
                     learner_id=award.learner_id, reason=f"{fraction:.2f}", before=before,
                     after="accepted", source="instructor", course_key=award.course_key)

    def publish_grade(self):
        """Publish the learner's award (the score ``set_score`` stored) through the outbox."""
        award = self._award()
        if award is not None and not award.published:
            awards.publish(award, compat.publish_award_in_background, timezone.now())

    def rescore(self, only_if_higher):
        """Apply the block's current rules to the learner's records, then publish the award again.

        Raises ValueError for a learner who registered nothing (as the LMS expects).
        """
        if not self.has_submitted_answer():
            raise ValueError("Cannot rescore: the learner registered nothing here.")
        before = self.get_score()
        usage, learner = compat.usage_key(self), compat.learner_id(self)
        verdict_before = audit.verdict_now(usage, learner)
        tracker = self._tracker()
        tracker.settle()
        award = self._award()
        verdict_after = audit.verdict_now(usage, learner)
        republish = award is not None and not (
            only_if_higher and award.score <= before.raw_earned and award.published)
        if republish:
            awards.republish(award, compat.publish_award_in_background, timezone.now())
        if republish or verdict_after != verdict_before:  # one entry per rescore that acted
            audit.record(usage, dashboard_actor(), "rescore", timezone.now(), learner_id=learner,
                         before=verdict_before, after=verdict_after, source="instructor",
                         course_key=compat.course_key(self))

    # -- the problem responses report -------------------------------------------------------
    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """(user name, {URL, state, verdict, merged time, annotations}) per contribution."""
        yield from report_rows(self, user_state_iterator, limit_responses)
