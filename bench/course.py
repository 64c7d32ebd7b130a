"""A course of learners and their contributions, drawn once from a seeded generator.

Contributions open uniformly over the first ``open_weeks`` weeks; each is
merged after a review time drawn from a log-normal distribution (median
``review_median_h`` hours, long tail: ``review_sigma``), or closed unmerged
(``closed_share``) after a shorter one; a review that would end after the
course leaves it open. Forges and projects follow ``mix.py``. Half of the
contributions get an approving review some hours before their merge (what a
schedule may read as "about to be merged").
"""

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from bench.mix import contributions

COURSE_START = datetime(2026, 1, 5, tzinfo=timezone.utc)


@dataclass
class CourseContribution:
    kind: str
    host: str
    project: str
    number: int
    opened_at: datetime
    merged_at: datetime | None = None
    closed_at: datetime | None = None
    approved_at: datetime | None = None

    def state(self, now):
        if self.merged_at and self.merged_at <= now:
            return "merged"
        if self.closed_at and self.closed_at <= now:
            return "closed"
        return "open"

    def last_activity(self, now):
        """The latest forge event so far (what a forge's ``updated_at`` would say)."""
        moments = [m for m in (self.opened_at, self.approved_at) if m and m <= now]
        return max(moments)


@dataclass(frozen=True)
class CourseShape:
    learners: int = 10_000
    weeks: int = 8
    open_weeks: int = 4
    review_median_h: float = 72.0
    review_sigma: float = 1.2
    closed_share: float = 0.15
    approved_share: float = 0.5
    seed: int = 13


def draw_course(shape=CourseShape()):
    """[CourseContribution], one per learner, in the mix of ``mix.py``."""
    rng = random.Random(shape.seed)
    end = COURSE_START + timedelta(weeks=shape.weeks)
    course = []
    for kind, host, project, number in contributions(shape.learners):
        opened = COURSE_START + timedelta(seconds=rng.uniform(0, shape.open_weeks * 7 * 86400))
        review = timedelta(hours=rng.lognormvariate(math.log(shape.review_median_h),
                                                     shape.review_sigma))
        item = CourseContribution(kind, host, project, number, opened)
        if rng.random() < shape.closed_share:
            if opened + review / 2 < end:
                item.closed_at = opened + review / 2
        elif opened + review < end:
            item.merged_at = opened + review
            if rng.random() < shape.approved_share:
                item.approved_at = item.merged_at - timedelta(hours=rng.uniform(0.5, 24))
                item.approved_at = max(item.approved_at, opened)
        course.append(item)
    return course
