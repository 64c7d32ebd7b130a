"""What the LMS's instructor dashboard calls on the block.

- "Delete learner state": ``clear_student_state`` (the LMS passes the
  learner's anonymous id in the course, and the staff member's) removes the
  learner's records and award and resets what the award published.
- "Rescore" and "Override score" (``xblock.scorable.ScorableXBlockMixin``):
  the LMS's instructor task loads the block for the learner and calls
  ``rescore(only_if_higher)``, or ``set_score(Score(...))`` then
  ``publish_grade()``. Both go through the one grade path: the learner's
  award, published by the outbox to edx-submissions (never the runtime's
  ``grade`` event, which the LMS would read differently).
- The problem responses report: ``generate_report_data``.
"""

from django.utils import timezone
from xblock.scorable import ScorableXBlockMixin, Score

from .. import platform
from ..models import ContributionAward, TrackedContribution
from ..staff import audit
from ..tracking import outbox
from ..tracking.awards import delete_learner_state
from .report import report_rows

DASHBOARD = audit.Actor("", "instructor-dashboard")


class InstructorToolsMixin(ScorableXBlockMixin):
    """Hooks the instructor dashboard looks for on a block."""

    def clear_student_state(self, user_id, course_id, item_id, requesting_user_id):
        """Remove the learner's records and award here, and reset what the award published."""
        del course_id  # the block's own keys say where it is
        learner = platform.learner_of_anonymous_id(user_id)
        now = timezone.now()
        _, revocation = delete_learner_state(
            str(item_id), [learner], user_id, str(requesting_user_id), now)
        if revocation is not None:
            outbox.reset(revocation, platform.reset_published, now)
        audit.record(str(item_id), audit.Actor(str(requesting_user_id), ""), "clear_state", now,
                     learner_id=learner or str(user_id), source="instructor",
                     after="" if revocation is None else "rejected")

    # -- ScorableXBlockMixin: the learner this block is bound to ---------------------------
    def _award(self):
        return ContributionAward.objects.filter(usage_key=platform.usage_key(self),
                                                learner_id=platform.learner_id(self)).first()

    def has_submitted_answer(self):
        """The learner registered something here."""
        return TrackedContribution.objects.filter(usage_key=platform.usage_key(self),
                                                  learner_id=platform.learner_id(self)).exists()

    def get_score(self):
        award = self._award()
        return Score(raw_earned=award.score if award else 0.0, raw_possible=self.max_score())

    def calculate_score(self):
        """The score the learner's records earn now (the award is the score; nothing changes)."""
        return self.get_score()

    def set_score(self, score):
        """An override: the award's score becomes ``score`` (a fraction of the block's points)."""
        possible = score.raw_possible or 0
        fraction = min(max(score.raw_earned / possible, 0.0), 1.0) if possible > 0 else 0.0
        now, award = timezone.now(), self._award()
        before = "accepted" if award else ""
        if award is None:
            if fraction == 0:
                return  # no award and nothing to give: the grade is already 0
            tracker = self._tracker()
            context = tracker.context
            award = ContributionAward(
                usage_key=context.usage_key, learner_id=context.learner_id,
                course_key=context.course_key, anonymous_id=context.anonymous_id,
                awarded_at=now, points=context.points,
                contributions=[row.url for row in tracker.rows()])
        award.score, award.published, award.score_published = fraction, False, False
        award.next_publish_at = None
        award.save()
        audit.record(award.usage_key, DASHBOARD, "score_override", now,
                     learner_id=award.learner_id, reason=f"{fraction:.2f}", before=before,
                     after="accepted", source="instructor", course_key=award.course_key)

    def publish_grade(self):
        """Publish the learner's award (the score ``set_score`` stored) through the outbox."""
        award = self._award()
        if award is not None and not award.published:
            outbox.publish(award, platform.publish_award_in_background, timezone.now())

    def rescore(self, only_if_higher):
        """Apply the block's current rules to the learner's records, then publish the award again.

        Raises ValueError for a learner who registered nothing (as the LMS expects).
        """
        if not self.has_submitted_answer():
            raise ValueError("Cannot rescore: the learner registered nothing here.")
        before = self.get_score()
        tracker = self._tracker()
        tracker.settle()
        award = self._award()
        if award is None or (only_if_higher and award.score <= before.raw_earned
                             and award.published):
            return
        award.published, award.score_published, award.next_publish_at = False, False, None
        award.save(update_fields=["published", "score_published", "next_publish_at"])
        outbox.publish(award, platform.publish_award_in_background, timezone.now())
        audit.record(award.usage_key, DASHBOARD, "rescore", timezone.now(),
                     learner_id=award.learner_id, after="accepted", source="instructor",
                     course_key=award.course_key)

    # -- the problem responses report -------------------------------------------------------
    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """(user name, {URL, state, verdict, merged time, annotations}) per contribution."""
        yield from report_rows(self, user_state_iterator, limit_responses)
