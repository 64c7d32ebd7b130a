"""The registry of tracked contributions: the source of truth for what learners registered.

One ``TrackedContribution`` row per (block usage, learner, normalized URL),
holding the last forge snapshot, when it was checked and is due next, the
last error, and whether it counted in an award. One ``ContributionCredit``
row per (course, contribution): the one learner it counts for. One
``ContributionAward`` row per (block usage, learner) once the block's
requirement is met: its unique constraint is what makes the grade and
completion publish exactly once, and its outbox fields keep it until the
platform accepted it.
"""

import hashlib

from django.db import models

from .staff.changes import ReportingModel, ReportingQuerySet

# MySQL (InnoDB, utf8mb4) refuses an index wider than 3,072 bytes: 768 characters. A
# record's unique key holds a digest of its address, not the address (up to 2,048).
URL_MAX_LENGTH = 2048


def url_digest(url):
    """The SHA-256 of a canonical address, as the unique key stores it."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


class TrackedContributionQuerySet(ReportingQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.fill_url_hash()
        return super().bulk_create(objs, *args, **kwargs)


class TrackedContribution(ReportingModel):
    """One contribution a learner registered in one block."""

    # The columns the staff pages' aggregates read (a write to them is reported: staff.changes).
    AGGREGATED = frozenset({"usage_key", "learner_id", "course_key", "verdict", "state",
                            "registered_at", "accepted_at", "awarded_at"})
    objects = TrackedContributionQuerySet.as_manager()

    usage_key = models.CharField(max_length=255, db_index=True)
    course_key = models.CharField(max_length=255, db_index=True, blank=True, default="")
    learner_id = models.CharField(max_length=255, db_index=True,
                                  help_text="the runtime's user id, as a string")
    anonymous_id = models.CharField(max_length=255, blank=True, default="",
                                    help_text="anonymous user id, for awards made in "
                                              "the background")

    url = models.CharField(max_length=URL_MAX_LENGTH, help_text="canonical web URL")
    url_hash = models.CharField(max_length=64, editable=False,
                                help_text="SHA-256 of url: the unique key (an index on the "
                                          "address itself would exceed MySQL's key size)")
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
    forge_id = models.CharField(max_length=255, blank=True, default="", db_index=True,
                                help_text="the forge's own id of the contribution, learned at "
                                          "the first successful check: the same for every URL "
                                          "alias and after a repository is renamed")
    # A mentor vouched for it (tracking/vouching.py): accepted whatever a forge says or cannot say.
    vouched_at = models.DateTimeField(null=True, blank=True)
    vouched_by = models.CharField(max_length=255, blank=True, default="",
                                  help_text="the mentor's user id")
    vouch_reason = models.CharField(max_length=500, blank=True, default="")
    description = models.CharField(max_length=2000, blank=True, default="",
                                   help_text="what the mentor accepted, where no URL shows it")
    vouch_withdrawn_at = models.DateTimeField(null=True, blank=True)
    vouch_withdrawn_by = models.CharField(max_length=255, blank=True, default="",
                                          help_text="the staff member's user id")
    # A change signal (a notification, a change feed, a webhook) said it moved: due now, and
    # not deferred by the fallback's pacing until a check after this time (tracking/changes.py).
    signaled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "upstream_xblock"
        constraints = [
            models.UniqueConstraint(fields=["usage_key", "learner_id", "url_hash"],
                                    name="upstream_unique_contribution_key"),
        ]
        indexes = [models.Index(fields=["usage_key", "learner_id"], name="upstream_block_learner")]

    def __str__(self):
        return f"{self.url} ({self.state or 'unchecked'})"

    def fill_url_hash(self):
        self.url_hash = url_digest(self.url)

    def save(self, *args, **kwargs):
        self.fill_url_hash()
        super().save(*args, **kwargs)


class ContributionAward(ReportingModel):
    """The learner met the block's requirement: graded and completed once."""

    AGGREGATED = frozenset({"usage_key", "learner_id", "course_key"})  # whether one exists
    objects = ReportingQuerySet.as_manager()

    usage_key = models.CharField(max_length=255)
    learner_id = models.CharField(max_length=255)
    course_key = models.CharField(max_length=255, blank=True, default="")
    awarded_at = models.DateTimeField()
    score = models.FloatField(help_text="fraction of the block's points, 0..1")
    points = models.FloatField(default=1.0,
                               help_text="the block's Points (weight) when awarded: the score "
                                         "published is score × points out of points")
    contributions = models.JSONField(default=list, help_text="URLs that counted")
    anonymous_id = models.CharField(max_length=255, blank=True, default="")
    # The outbox: an award is unpublished until the platform accepted it; sweeps retry.
    published = models.BooleanField(default=False,
                                    help_text="the platform accepted the grade and completion")
    score_published = models.BooleanField(default=False,
                                          help_text="a score was written to the platform")
    completion_published = models.BooleanField(default=False,
                                               help_text="a completion was written to the "
                                                         "platform")
    publish_attempts = models.PositiveIntegerField(default=0)
    next_publish_at = models.DateTimeField(null=True, blank=True, db_index=True,
                                           help_text="not before then: a publisher holds it or "
                                                     "it failed and backs off")
    publish_error = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        app_label = "upstream_xblock"
        constraints = [
            models.UniqueConstraint(fields=["usage_key", "learner_id"],
                                    name="upstream_unique_award"),
        ]

    def __str__(self):
        return f"award {self.usage_key} / {self.learner_id}"


class ContributionCredit(models.Model):
    """Which learner a contribution counts for in a course: at most one (the unique row decides).

    Taken by the first of a learner's records to be accepted, released when that
    record stops being accepted (unless it counted in an award), is withdrawn,
    revoked or deleted with the learner's state.
    """

    course_key = models.CharField(max_length=255)
    contribution_key = models.CharField(max_length=500,
                                        help_text="kind:host:forge id of the contribution")
    record = models.OneToOneField(TrackedContribution, on_delete=models.CASCADE,
                                  related_name="credit")
    learner_id = models.CharField(max_length=255)
    usage_key = models.CharField(max_length=255)
    credited_at = models.DateTimeField()

    class Meta:
        app_label = "upstream_xblock"
        constraints = [
            models.UniqueConstraint(fields=["course_key", "contribution_key"],
                                    name="upstream_one_learner_per_contribution"),
        ]

    def __str__(self):
        return f"credit {self.contribution_key} → {self.learner_id}"


class BlockConfig(models.Model):
    """A published block's rules, for work done without the block (sweeps, outbox).

    Written when Studio publishes the course and when the LMS renders the
    published block for a learner; never from a draft or Studio's preview.
    """

    usage_key = models.CharField(max_length=255, unique=True)
    course_key = models.CharField(max_length=255, blank=True, default="")
    rules = models.JSONField(default=dict)
    required_count = models.PositiveSmallIntegerField(default=1)
    points = models.FloatField(default=1.0, help_text="the block's Points (weight)")
    # What the course-wide workspace shows of the activity, and who mentors it.
    display_name = models.CharField(max_length=255, blank=True, default="")
    mentors = models.JSONField(default=list, help_text="the block's mentors' user names")
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
    # What the award had published, so that exactly that is reset (retried until done).
    reset_score = models.BooleanField(default=False)
    reset_completion = models.BooleanField(default=False)
    reset_at = models.DateTimeField(null=True, blank=True,
                                    help_text="when the platform accepted the reset")
    anonymous_id = models.CharField(max_length=255, blank=True, default="")
    next_reset_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        app_label = "upstream_xblock"

    def __str__(self):
        return f"revocation {self.usage_key} / {self.learner_id}"


class RelaySubscription(models.Model):
    """The relay's bot subscribed to a tracked pull request (tracking/relay.py).

    One row per pull request of a host; ``node_id`` is what the forge's API
    subscribes and unsubscribes (GitHub's node id). A failed subscription is
    kept (``failed_at``) so that it is tried again later, not at every sweep.
    """

    host = models.CharField(max_length=255)
    project = models.CharField(max_length=255)
    number = models.PositiveIntegerField()
    node_id = models.CharField(max_length=100, blank=True, default="")
    subscribed_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "upstream_xblock"
        constraints = [models.UniqueConstraint(fields=["host", "project", "number"],
                                               name="upstream_one_relay_subscription")]

    def __str__(self):
        return f"relay {self.host}/{self.project}#{self.number}"


class WebhookDelivery(models.Model):
    """A webhook delivery already taken (tracking/webhooks.py): its id is never taken twice."""

    host = models.CharField(max_length=255)
    delivery_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "upstream_xblock"
        constraints = [models.UniqueConstraint(fields=["host", "delivery_id"],
                                               name="upstream_one_webhook_delivery")]

    def __str__(self):
        return f"delivery {self.delivery_id} from {self.host}"


# -- the upstream's pace (tracking/pace.py) and its notices (tracking/notices.py) ---------
class RepositorySample(models.Model):
    """A target repository's recent contributions, cached (refreshed at most daily)."""

    kind = models.CharField(max_length=16)
    host = models.CharField(max_length=255)
    project = models.CharField(max_length=255, help_text="lowercase path on the host")
    items = models.JSONField(default=list, help_text="SampleItem dicts, newest first")
    fetched_at = models.DateTimeField(null=True, blank=True, help_text="the last good read")
    attempted_at = models.DateTimeField(db_index=True, help_text="the last read asked for")
    next_fetch_at = models.DateTimeField(db_index=True)
    error_code = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        app_label = "upstream_xblock"
        constraints = [models.UniqueConstraint(fields=["host", "project"],
                                               name="upstream_unique_repository_sample")]

    def __str__(self):
        return f"sample of {self.host}/{self.project}"


class NoticeSent(models.Model):
    """One notice handed to edx-ace: never twice for one event (the unique key)."""

    key = models.CharField(max_length=64, unique=True,
                           help_text="SHA-256 of kind, recipient and event")
    kind = models.CharField(max_length=32)
    recipient_id = models.CharField(max_length=255, db_index=True)
    course_key = models.CharField(max_length=255, blank=True, default="")
    usage_key = models.CharField(max_length=255, blank=True, default="")
    params = models.JSONField(default=dict, blank=True,
                              help_text="what the message says (never a token, never a "
                                        "mentors-only note)")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True,
                                   help_text="when it was handed to edx-ace; null: not yet")
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        app_label = "upstream_xblock"

    def __str__(self):
        return f"notice {self.kind} to {self.recipient_id}"


class NoticePreference(models.Model):
    """A user's choice about the block's emails (set in the block; no row: they are sent)."""

    user_id = models.CharField(max_length=255, unique=True)
    emails = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "upstream_xblock"

    def __str__(self):
        return f"notices {'on' if self.emails else 'off'} for {self.user_id}"


class MentorSubscription(models.Model):
    """A mentor of a block (who opened its progress table): they get its weekly digest."""

    usage_key = models.CharField(max_length=255)
    course_key = models.CharField(max_length=255, blank=True, default="")
    mentor_id = models.CharField(max_length=255)
    since = models.DateTimeField()

    class Meta:
        app_label = "upstream_xblock"
        constraints = [models.UniqueConstraint(fields=["usage_key", "mentor_id"],
                                               name="upstream_unique_mentor_subscription")]

    def __str__(self):
        return f"{self.mentor_id} mentors {self.usage_key}"


class BlockNextSteps(models.Model):
    """A published block's next steps as its author wrote them (empty: the shipped texts)."""

    usage_key = models.CharField(max_length=255, unique=True)
    texts = models.JSONField(default=dict, help_text="{field name: the author's text}")

    class Meta:
        app_label = "upstream_xblock"

    def __str__(self):
        return f"next steps of {self.usage_key}"


class PaceStanding(models.Model):
    """A contribution waiting longer than its project usually takes, and by how much.

    Written by the hourly overdue scan (``pace.scan_overdue``); the progress table
    filters and sorts its learners by it in SQL.
    """

    record = models.OneToOneField("upstream_xblock.TrackedContribution", on_delete=models.CASCADE,
                                  related_name="pace_standing")
    usage_key = models.CharField(max_length=255)
    learner_id = models.CharField(max_length=255)
    overdue_days = models.FloatField(help_text="days beyond 80 %% of the project's recent "
                                               "contributions for the step it waits on")
    updated_at = models.DateTimeField()

    class Meta:
        app_label = "upstream_xblock"
        indexes = [models.Index(fields=["usage_key", "learner_id"], name="upstream_pace_learner")]

    def __str__(self):
        return f"{self.record_id} overdue by {self.overdue_days} days"


# Models of other rooms, registered with the app here so that migrations see them.
from .identity.models import VerifiedForgeAccount  # noqa: E402,F401  (the identity room owns it)
from .staff.models import AnnotationIndex, AuditEntry, BulkJob  # noqa: E402,F401
