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
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True,
                                   help_text="when edx-ace accepted it; null: not yet")

    class Meta:
        app_label = "upstream_xblock"

    def __str__(self):
        return f"notice {self.kind} to {self.recipient_id}"
