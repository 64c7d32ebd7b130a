"""One row per learner who registered something in a block, aggregated by the database.

Definitions the table, its filters and its summary share:

- a learner's verdict: ``accepted`` once they hold the block's award; else
  ``pending`` while one of their contributions is still pending; else
  ``rejected`` (nothing pending and not enough accepted: they must act);
- last activity: the latest registration or acceptance of their contributions;
- waiting since: the registration of their oldest contribution still pending
  that is not a draft (waiting for the project's review, not for the learner);
- stuck: no award, and either nothing pending or no activity for
  ``STUCK_AFTER_DAYS`` days.
"""

from datetime import timedelta

from django.db.models import (BooleanField, Case, Count, Exists, IntegerField, Max, Min,
                              OuterRef, Q, Value, When)
from django.db.models.functions import Coalesce, Greatest

from ..annotations.models import AnnotationIndex
from ..models import ContributionAward, TrackedContribution

STUCK_AFTER_DAYS = 14
VERDICT_RANK = {"accepted": 0, "pending": 1, "rejected": 2}
VERDICTS = tuple(VERDICT_RANK)
PENDING = Q(verdict__in=("pending", ""))
WAITING_FOR_REVIEW = PENDING & ~Q(state="draft")


def learners(usage_key, username, now):
    """The block's learners as a values() queryset of dicts, one per learner.

    ``username`` is a query expression for a row's learner's user name (from
    ``platform.username_expression``). Keys: learner_id, username,
    contributions, pending, accepted, last_activity, waiting_since, awarded,
    annotated, verdict_rank, stuck.
    """
    stuck_before = now - timedelta(days=STUCK_AFTER_DAYS)
    awarded = Exists(ContributionAward.objects.filter(usage_key=usage_key,
                                                      learner_id=OuterRef("learner_id")))
    annotated = Exists(AnnotationIndex.objects.filter(usage_key=usage_key, count__gt=0,
                                                      learner_id=OuterRef("learner_id")))
    return (
        TrackedContribution.objects.filter(usage_key=usage_key)
        .values("learner_id")
        .annotate(
            username=username,
            contributions=Count("pk"),
            pending=Count("pk", filter=PENDING),
            accepted=Count("pk", filter=Q(verdict="accepted")),
            last_activity=Max(Greatest("registered_at", Coalesce("accepted_at", "registered_at"))),
            waiting_since=Min("registered_at", filter=WAITING_FOR_REVIEW),
            awarded=awarded,
            annotated=annotated,
        )
        .annotate(
            verdict_rank=Case(
                When(awarded=True, then=Value(VERDICT_RANK["accepted"])),
                When(pending__gt=0, then=Value(VERDICT_RANK["pending"])),
                default=Value(VERDICT_RANK["rejected"]), output_field=IntegerField()),
            stuck=Case(
                When(Q(awarded=False) & (Q(pending=0) | Q(last_activity__lt=stuck_before)),
                     then=Value(True)),
                default=Value(False), output_field=BooleanField()),
        )
    )


def verdict_of(row):
    return VERDICTS[row["verdict_rank"]]


def learner_ids_with_contributions(usage_key, condition):
    """Learners with at least one contribution matching ``condition`` (a subquery)."""
    return (TrackedContribution.objects.filter(usage_key=usage_key).filter(condition)
            .values("learner_id"))


def records_by_learner(usage_key, learner_ids):
    """{learner id: [their records in the block, oldest first]} for each of ``learner_ids``
    (one query; none for no learner)."""
    by_learner = {learner: [] for learner in learner_ids}
    for record in TrackedContribution.objects.filter(
            usage_key=usage_key, learner_id__in=list(by_learner)).order_by("registered_at", "pk"):
        by_learner[record.learner_id].append(record)
    return by_learner


def awarded_learners(usage_key, learner_ids):
    """The ones of ``learner_ids`` holding the block's award (one query)."""
    return set(ContributionAward.objects.filter(
        usage_key=usage_key, learner_id__in=list(learner_ids)).values_list("learner_id",
                                                                            flat=True))
