"""The registry's index of annotations: one row per learner who has some, in one block.

The annotations themselves live in the learner's ``Scope.user_state`` field
(``annotations``). The progress table filters "has annotations" over thousands
of learners in one query, which it cannot do by reading every learner's block
state: it reads these counters instead. The row is also the lock two mentors
writing on one learner at the same moment take in turn (see ``store``).
"""

from django.db import models


class AnnotationIndex(models.Model):
    """How many live annotations a learner has in a block, and since when."""

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
