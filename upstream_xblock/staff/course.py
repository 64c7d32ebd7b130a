"""The course-wide workspace's data: each learner once, with their work in every activity.

Built from the registry and its maintained aggregates (``CourseProgress``: one row
per learner and course; ``LearnerProgress``: one per learner and activity), never
by walking the course's content: a page is a fixed number of indexed reads at any
size of course. The filters, sorts and pages are the block table's
(``staff.progress``), plus ``activity`` (one activity's usage key: its learners,
the verdict, waiting and stuck filters read in that activity). Activity names and
mentors come from the blocks' stored settings (``tracking.block_config``).
"""

from dataclasses import dataclass, replace
from datetime import timedelta

from django.db.models import BooleanField, Case, Q, Value, When

from ..i18n import gettext_noop as _
from ..models import BlockConfig, ContributionAward, TrackedContribution
from ..tracking.block_config import activities
from .aggregates import cached_summary
from .models import CourseProgress, LearnerProgress
from .progress import (
    STUCK_AFTER_DAYS,
    VERDICT_RANK,
    FilterError,
    Filters,
    apply_filters,
    overdue_days_of,
    page_of,
    parse_page_request,
    stuck_condition,
    summary_counts,
)

ROW_FIELDS = ("learner_id", "activities", "completed", "pending", "contributions", "accepted",
              "last_activity", "waiting_since", "annotated", "stalled", "verdict_rank")
MAX_ACTIVITY_KEY = 255


def course_stuck(now):
    """An activity not complete with nothing pending, or with no activity for 14 days."""
    stuck_before = now - timedelta(days=STUCK_AFTER_DAYS)
    return Q(stalled__gt=0) | Q(oldest_active__lt=stuck_before)


def course_usages(course_key):
    """The course's activities' usage keys, as a subquery: the standings' index leads with
    the usage key (a join on the records' course would read every record of the course for
    each learner of a page)."""
    return BlockConfig.objects.filter(course_key=course_key).values("usage_key")


def learners(course_key, username, now):
    """The course's learners as a values() queryset of dicts (the block table's keys, plus
    activities, completed and stalled)."""
    return (CourseProgress.objects.filter(course_key=course_key).values(*ROW_FIELDS)
            .annotate(username=username,
                      overdue_days=overdue_days_of(usage_key__in=course_usages(course_key)),
                      stuck=Case(When(course_stuck(now), then=Value(True)),
                                 default=Value(False), output_field=BooleanField())))


@dataclass(frozen=True)
class CourseRequest:
    """A page request of the workspace: the block table's, and one activity or all."""

    page: object  # progress.PageRequest
    activity: str = ""


def has_activity(course_key, usage_key=None):
    """Does the course have learners (in the activity ``usage_key``, if given)?"""
    rows = LearnerProgress.objects.filter(course_key=course_key)
    return (rows.filter(usage_key=usage_key) if usage_key is not None else rows).exists()


def learners_of_activity(usage_key, learner_ids=None, matching=None):
    """The learner ids, in order, of the activity among ``learner_ids`` or the ``matching``
    queryset's learners."""
    rows = LearnerProgress.objects.filter(usage_key=usage_key)
    if learner_ids is not None:
        rows = rows.filter(learner_id__in=learner_ids)
    if matching is not None:
        rows = rows.filter(learner_id__in=matching.values("learner_id"))
    return list(rows.order_by("learner_id").values_list("learner_id", flat=True))


def parse_course_request(data, course_key):
    """A CourseRequest from the JSON (``filters.activity`` must be one of the course's)."""
    raw = data.get("filters")
    activity = ""
    if isinstance(raw, dict) and raw.get("activity") not in (None, ""):
        activity = raw["activity"]
        if not isinstance(activity, str) or len(activity) > MAX_ACTIVITY_KEY or \
                not has_activity(course_key, activity):
            raise FilterError(_("Choose among the offered values."), field="activity")
        raw = {key: value for key, value in raw.items() if key != "activity"}
    return CourseRequest(page=parse_page_request({**data, "filters": raw}), activity=activity)


def matching_learners(course_key, filters, username, now, activity=""):
    """Every learner of the course matching ``filters`` (in ``activity`` if given)."""
    scope = Q(course_key=course_key)
    rows = learners(course_key, username, now)
    if not activity:
        return apply_filters(rows, scope, filters, now, stuck=course_stuck)
    in_activity = LearnerProgress.objects.filter(usage_key=activity, course_key=course_key)
    if filters.verdicts:
        in_activity = in_activity.filter(
            verdict_rank__in=[VERDICT_RANK[v] for v in filters.verdicts])
    if filters.waiting_days is not None:
        in_activity = in_activity.filter(
            waiting_since__lt=now - timedelta(days=filters.waiting_days))
    if filters.stuck is not None:
        condition = stuck_condition(now)
        in_activity = in_activity.filter(condition if filters.stuck else ~condition)
    if filters.has_annotations is not None:
        in_activity = in_activity.filter(annotated=filters.has_annotations)
    rest = replace(filters, verdicts=(), waiting_days=None, stuck=None, has_annotations=None)
    rows = rows.filter(learner_id__in=in_activity.values("learner_id"))
    return apply_filters(rows, Q(usage_key=activity), rest, now)


@dataclass
class CoursePage:
    rows: list  # CourseProgress dicts
    activities: list  # [(usage key, name, mentors)] of the course
    per_activity: dict  # learner id -> {usage key: LearnerProgress}
    contributions: dict  # learner id -> {usage key: [records, oldest first]}
    awards: dict  # (usage key, learner id) -> ContributionAward
    count: int
    page: int
    pages: int
    summary: dict


def course_page(course_key, request, username, now):
    """One page of the workspace, in a fixed number of queries whatever the course's size."""
    selected = matching_learners(course_key, request.page.filters, username, now,
                                 request.activity)
    totals = summary(course_key, now)
    unfiltered = request.page.filters == Filters() and not request.activity
    count = totals["registered"] if unfiltered else selected.count()
    page, pages, rows = page_of(selected, count, request.page)
    ids = [row["learner_id"] for row in rows]
    per_activity = {learner: {} for learner in ids}
    contributions = {learner: {} for learner in ids}
    awards = {}
    if ids:
        for row in LearnerProgress.objects.filter(course_key=course_key, learner_id__in=ids):
            per_activity[row.learner_id][row.usage_key] = row
        # By (block, learner): the registry's index, not a walk over the course's records.
        usages = sorted({usage for by_usage in per_activity.values() for usage in by_usage})
        for record in TrackedContribution.objects.filter(
                usage_key__in=usages, learner_id__in=ids).order_by("registered_at", "pk"):
            contributions[record.learner_id].setdefault(record.usage_key, []).append(record)
        awards = {(award.usage_key, award.learner_id): award
                  for award in ContributionAward.objects.filter(usage_key__in=usages,
                                                                learner_id__in=ids)}
    return CoursePage(rows=rows, activities=known_activities(course_key, per_activity),
                      per_activity=per_activity, contributions=contributions, awards=awards,
                      count=count, page=page, pages=pages, summary=totals)


def known_activities(course_key, per_activity=None):
    """The course's activities from the blocks' stored settings, and any the page's learners
    worked in that were never stored (named by their key)."""
    listed = activities(course_key)
    seen = {usage for usage, _name, _mentors in listed}
    extra = sorted({usage for by_usage in (per_activity or {}).values() for usage in by_usage}
                   - seen)
    return listed + [(usage, "", []) for usage in extra]


def summary(course_key, now):
    """Learners of the whole course: registered, completed everything they started, in
    progress, needing a new contribution, stuck somewhere (two queries over the index when
    a write made the last count stale, none otherwise)."""
    stuck_before = now - timedelta(days=STUCK_AFTER_DAYS)
    return cached_summary("course", course_key, lambda: summary_counts(
        CourseProgress.objects.filter(course_key=course_key), Q(stalled__gt=0),
        Q(stalled=0, oldest_active__lt=stuck_before)))


def is_course_mentor(course_key, username):
    """Does an activity of the course list ``username`` among its mentors?"""
    return any(username in mentors for _usage, _name, mentors in activities(course_key))
