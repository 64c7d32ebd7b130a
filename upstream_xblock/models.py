"""The registry of tracked contributions: the source of truth for what learners registered.

One ``TrackedContribution`` row per (block usage, learner, normalized URL),
holding the last forge snapshot, when it was checked and is due next, the
last error, and whether it counted in an award. One ``ContributionAward`` row
per (block usage, learner) once the block's requirement is met: its unique
constraint is what makes the grade and completion publish exactly once.
"""

from django.db import models


class TrackedContribution(models.Model):
    """One contribution a learner registered in one block."""

    usage_key = models.CharField(max_length=255, db_index=True)
    course_key = models.CharField(max_length=255, db_index=True, blank=True, default="")
    learner_id = models.CharField(max_length=255, db_index=True,
                                  help_text="the runtime's user id, as a string")
    anonymous_id = models.CharField(max_length=255, blank=True, default="",
                                    help_text="anonymous user id, for awards made in "
                                              "the background")

    url = models.CharField(max_length=500, help_text="canonical web URL")
    kind = models.CharField(max_length=16)
    host = models.CharField(max_length=255)
    project = models.CharField(max_length=255)
    number = models.PositiveIntegerField()
    forge_username = models.CharField(max_length=100, blank=True, default="")

    state = models.CharField(max_length=16, blank=True, default="",
                             help_text="open | draft | merged | closed, empty until checked")
    title = models.CharField(max_length=300, blank=True, default="")
    snapshot = models.JSONField(null=True, blank=True)
    etag = models.CharField(max_length=200, blank=True, default="")
    verdict = models.CharField(max_length=16, blank=True, default="",
                               help_text="accepted | pending | rejected, from the block's rules")
    checks = models.JSONField(default=list, blank=True)

    registered_at = models.DateTimeField()
    last_checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True,
                                         help_text="null: settled, no more checks")
    claim_token = models.CharField(max_length=32, blank=True, default="", db_index=True,
                                   help_text="the sweep that claimed this record for its due time")
    error_code = models.CharField(max_length=32, blank=True, default="")
    error_message = models.CharField(max_length=300, blank=True, default="")
    error_count = models.PositiveIntegerField(default=0)
    qualified_at = models.DateTimeField(null=True, blank=True,
                                        help_text="since when every rule but the waiting "
                                                  "period holds")
    accepted_at = models.DateTimeField(null=True, blank=True)
    awarded_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False,
                                  help_text="staff revoked the award it counted in: "
                                            "never counts again")

    class Meta:
        app_label = "upstream_xblock"
        constraints = [
            models.UniqueConstraint(fields=["usage_key", "learner_id", "url"],
                                    name="upstream_unique_contribution"),
        ]
        indexes = [models.Index(fields=["usage_key", "learner_id"], name="upstream_block_learner")]

    def __str__(self):
        return f"{self.url} ({self.state or 'unchecked'})"


class ContributionAward(models.Model):
    """The learner met the block's requirement: graded and completed once."""

    usage_key = models.CharField(max_length=255)
    learner_id = models.CharField(max_length=255)
    course_key = models.CharField(max_length=255, blank=True, default="")
    awarded_at = models.DateTimeField()
    score = models.FloatField(help_text="fraction of the block's points, 0..1")
    contributions = models.JSONField(default=list, help_text="URLs that counted")
    published = models.BooleanField(default=False,
                                    help_text="grade and completion reached the platform")
    anonymous_id = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        app_label = "upstream_xblock"
        constraints = [
            models.UniqueConstraint(fields=["usage_key", "learner_id"],
                                    name="upstream_unique_award"),
        ]

    def __str__(self):
        return f"award {self.usage_key} / {self.learner_id}"


class BlockConfig(models.Model):
    """A block's rules as last seen by the LMS or Studio, for work done without the block.

    Background sweeps evaluate contributions with these; the block writes them
    whenever they differ from what it renders with.
    """

    usage_key = models.CharField(max_length=255, unique=True)
    course_key = models.CharField(max_length=255, blank=True, default="")
    rules = models.JSONField(default=dict)
    required_count = models.PositiveSmallIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "upstream_xblock"

    def __str__(self):
        return f"rules of {self.usage_key}"


class AwardRevocation(models.Model):
    """The record of a staff member taking an award back (the award row is removed)."""

    usage_key = models.CharField(max_length=255, db_index=True)
    learner_id = models.CharField(max_length=255)
    course_key = models.CharField(max_length=255, blank=True, default="")
    awarded_at = models.DateTimeField()
    revoked_at = models.DateTimeField()
    revoked_by = models.CharField(max_length=255)
    reason = models.CharField(max_length=500)
    contributions = models.JSONField(default=list)

    class Meta:
        app_label = "upstream_xblock"

    def __str__(self):
        return f"revocation {self.usage_key} / {self.learner_id}"
from .identity.models import VerifiedForgeAccount  # noqa: E402,F401  (the identity layer owns it)
