"""Staff's records: bulk jobs (the work to do in chunks) and the audit trail (what was done).

A ``BulkJob`` holds the learner ids it was started on (a selection or a whole
filter, resolved once, so the count the confirmation showed is the count
worked on), a cursor, and a lease: whoever runs the next chunk (a Celery
worker, or the staff page's progress poll where no worker runs) claims it with
a conditional update, so two runners never work on one chunk at once and a
runner that dies only delays the job until its lease lapses.

An ``AuditEntry`` says who did what, when, on whom, why, and the learner's
verdict before and after. Entries are never changed or deleted by the block.
"""

from datetime import datetime, timezone

from django.db import models

from .changes import ReportingModel, ReportingQuerySet


class BulkJob(models.Model):
    """A bulk action on many learners of one block, run in chunks."""

    usage_key = models.CharField(max_length=255, db_index=True)
    course_key = models.CharField(max_length=255, blank=True, default="")
    action = models.CharField(max_length=16, help_text="check_now | accept | revoke | annotate")
    params = models.JSONField(default=dict, help_text="reason, text, visibility, url")
    learner_ids = models.JSONField(default=list, help_text="the learners selected, in order")
    count = models.PositiveIntegerField(default=0)
    cursor = models.PositiveIntegerField(default=0, help_text="learners done so far")
    changed = models.PositiveIntegerField(default=0, help_text="learners this job changed")
    skipped = models.PositiveIntegerField(default=0,
                                          help_text="learners left as they were (already so)")
    failed = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, default="queued",
                              help_text="queued | running | done")
    actor_id = models.CharField(max_length=255)
    actor_username = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True,
                                       help_text="a runner holds the next chunk until then")

    class Meta:
        app_label = "upstream_xblock"

    def __str__(self):
        return f"bulk {self.action} on {self.count} learners of {self.usage_key}"


class AuditEntry(models.Model):
    """One staff or mentor action on one learner of one block."""

    usage_key = models.CharField(max_length=255)
    course_key = models.CharField(max_length=255, blank=True, default="")
    at = models.DateTimeField()
    actor_id = models.CharField(max_length=255)
    actor_username = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=32)
    learner_id = models.CharField(max_length=255, blank=True, default="")
    url = models.CharField(max_length=500, blank=True, default="")
    reason = models.CharField(max_length=2000, blank=True, default="")
    verdict_before = models.CharField(max_length=16, blank=True, default="")
    verdict_after = models.CharField(max_length=16, blank=True, default="")
    job = models.ForeignKey(BulkJob, null=True, blank=True, on_delete=models.SET_NULL)
    source = models.CharField(max_length=16, blank=True, default="",
                              help_text="handler | bulk | csv | instructor")

    class Meta:
        app_label = "upstream_xblock"
        indexes = [models.Index(fields=["usage_key", "-at"], name="upstream_audit_block_at"),
                   models.Index(fields=["usage_key", "learner_id"],
                                name="upstream_audit_learner"),
                   models.Index(fields=["course_key", "-at"], name="upstream_audit_course_at")]

    def __str__(self):
        return f"{self.action} on {self.learner_id} by {self.actor_username} at {self.at}"


class AnnotationIndex(ReportingModel):
    """How many live annotations a learner has in a block, and since when."""

    AGGREGATED = frozenset({"usage_key", "learner_id", "count"})
    objects = ReportingQuerySet.as_manager()

    usage_key = models.CharField(max_length=255)
    learner_id = models.CharField(max_length=255)
    count = models.PositiveIntegerField(default=0, help_text="live (not deleted) annotations")
    for_learner = models.PositiveIntegerField(default=0,
                                              help_text="live annotations the learner sees")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "upstream_xblock"
        constraints = [
            models.UniqueConstraint(fields=["usage_key", "learner_id"],
                                    name="upstream_unique_annotation_index"),
        ]

    def __str__(self):
        return f"{self.count} annotations on {self.usage_key} / {self.learner_id}"


# Not waiting sorts after every waiting start (a non-null key: the sort reads an index).
NOT_WAITING = datetime(9999, 12, 31, tzinfo=timezone.utc)


class LearnerProgress(models.Model):
    """One learner's work in one block, aggregated from the registry (``staff.aggregates``).

    What the progress table shows, sorts and filters on, kept up to date at each
    write to the learner's records, award or annotation index: a page reads these
    rows by index, whatever the number of learners.
    """

    usage_key = models.CharField(max_length=255)
    course_key = models.CharField(max_length=255, blank=True, default="")
    learner_id = models.CharField(max_length=255)
    contributions = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    last_activity = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True,
                                         help_text="the oldest pending, non-draft registration")
    waiting_key = models.DateTimeField(default=NOT_WAITING,
                                       help_text="waiting_since, or the far future when not "
                                                 "waiting: the waiting sort, by index")
    awarded = models.BooleanField(default=False)
    annotated = models.BooleanField(default=False)
    verdict_rank = models.PositiveSmallIntegerField(default=2,
                                                    help_text="0 completed, 1 in progress, "
                                                              "2 needs a new contribution")
    stuck_state = models.PositiveSmallIntegerField(
        default=0, help_text="0 completed; 1 nothing pending (stuck at any date); 2 work "
                             "pending (stuck once inactive for long): the stuck ranges")

    class Meta:
        app_label = "upstream_xblock"
        constraints = [models.UniqueConstraint(fields=["usage_key", "learner_id"],
                                               name="upstream_unique_learner_progress")]
        # Each sort (and its tie-break by learner) read in index order; the stuck count as
        # index ranges; a course's rows of a learner.
        indexes = [
            models.Index(fields=["usage_key", "verdict_rank", "learner_id"],
                         name="upstream_progress_verdict"),
            models.Index(fields=["usage_key", "waiting_key", "learner_id"],
                         name="upstream_progress_waiting"),
            models.Index(fields=["usage_key", "last_activity", "learner_id"],
                         name="upstream_progress_activity"),
            models.Index(fields=["usage_key", "stuck_state", "last_activity"],
                         name="upstream_progress_stuck"),
            models.Index(fields=["course_key", "learner_id"], name="upstream_progress_course"),
        ]

    def __str__(self):
        return f"progress of {self.learner_id} in {self.usage_key}"


class CourseProgress(models.Model):
    """One learner's work across a course's activities, aggregated from ``LearnerProgress``."""

    course_key = models.CharField(max_length=255)
    learner_id = models.CharField(max_length=255)
    activities = models.PositiveIntegerField(default=0, help_text="activities with a record")
    completed = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0, help_text="activities in progress")
    contributions = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    last_activity = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    waiting_key = models.DateTimeField(default=NOT_WAITING)
    annotated = models.BooleanField(default=False)
    stalled = models.PositiveIntegerField(
        default=0, help_text="activities not complete with nothing pending (stuck at any date)")
    oldest_active = models.DateTimeField(
        null=True, blank=True,
        help_text="the oldest last activity of an activity not complete with work pending")
    verdict_rank = models.PositiveSmallIntegerField(default=2)

    class Meta:
        app_label = "upstream_xblock"
        constraints = [models.UniqueConstraint(fields=["course_key", "learner_id"],
                                               name="upstream_unique_course_progress")]
        indexes = [
            models.Index(fields=["course_key", "verdict_rank", "learner_id"],
                         name="upstream_course_verdict"),
            models.Index(fields=["course_key", "waiting_key", "learner_id"],
                         name="upstream_course_waiting"),
            models.Index(fields=["course_key", "last_activity", "learner_id"],
                         name="upstream_course_activity"),
            models.Index(fields=["course_key", "stalled", "oldest_active"],
                         name="upstream_course_stuck"),
        ]

    def __str__(self):
        return f"progress of {self.learner_id} in {self.course_key}"


class ExportJob(models.Model):
    """A CSV export written by a background job into the report store (a link when ready)."""

    course_key = models.CharField(max_length=255, blank=True, default="")
    usage_key = models.CharField(max_length=255, blank=True, default="",
                                 help_text="one activity, or empty for the whole course")
    filters = models.JSONField(default=dict)
    status = models.CharField(max_length=16, default="queued", help_text="queued | running | "
                                                                         "done | failed")
    rows = models.PositiveIntegerField(default=0, help_text="contributions written so far")
    filename = models.CharField(max_length=200, blank=True, default="")
    language = models.CharField(max_length=16, blank=True, default="en")
    actor_id = models.CharField(max_length=255)
    actor_username = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "upstream_xblock"
        indexes = [models.Index(fields=["course_key", "-created_at"],
                                name="upstream_export_course")]

    def __str__(self):
        return f"export {self.pk} of {self.usage_key or self.course_key}"
