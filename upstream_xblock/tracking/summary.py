"""A block's numbers at a glance, for its author (read only)."""

from django.db.models import Count, Q

from ..models import ContributionAward, TrackedContribution


def block_summary(usage_key):
    """Learners who registered, their contributions, how many are accepted, who was awarded.

    Two queries, whatever the number of learners.
    """
    counts = TrackedContribution.objects.filter(usage_key=usage_key).aggregate(
        learners=Count("learner_id", distinct=True), contributions=Count("pk"),
        accepted=Count("pk", filter=Q(verdict="accepted")))
    counts["awarded"] = ContributionAward.objects.filter(usage_key=usage_key).count()
    return counts
