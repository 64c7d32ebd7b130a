"""The verified forge accounts of learners (one row per learner and forge account)."""

from django.db import models


class VerifiedForgeAccount(models.Model):
    """A forge account a learner proved to be theirs, reused across blocks and courses.

    A forge account belongs to one learner at a time (the unique constraint on
    host and account): a second learner cannot verify it for themselves; only
    course staff can move it, by vouching, and that is recorded.
    """

    learner_id = models.CharField(max_length=255, db_index=True,
                                  help_text="the runtime's user id, as a string")
    host = models.CharField(max_length=255, help_text="the configured forge host")
    account_id = models.CharField(max_length=64,
                                  help_text="the forge's stable id of the account")
    username = models.CharField(max_length=100, help_text="its user name when verified")
    method = models.CharField(max_length=24,
                              help_text="oauth | linked | comment_code | description_code | "
                                        "vouched")
    verified_at = models.DateTimeField()
    verified_by = models.CharField(max_length=255, blank=True, default="",
                                   help_text="who vouched (staff user id); empty when the "
                                             "learner proved it")
    reason = models.CharField(max_length=500, blank=True, default="",
                              help_text="why staff vouched, or what proved it")

    class Meta:
        app_label = "upstream_xblock"
        constraints = [
            models.UniqueConstraint(fields=["host", "account_id"],
                                    name="upstream_unique_forge_account"),
        ]

    def __str__(self):
        return f"{self.username}@{self.host} ({self.method})"
