"""The pace's records: each target repository's cached sample, and each notice sent.

A ``RepositorySample`` holds a repository's recent contributions as one read of
its forge returned them (``forges/samples.py``), when it was read and when it
may be read again (a day after a good read, an hour after a failed one).

A ``NoticeSent`` row is written before a notice goes out: its unique ``key``
(a digest of the notice's kind, its learner or mentor, and the event it is
about) is what makes a notice go at most once for one event.
"""

from django.db import models


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
