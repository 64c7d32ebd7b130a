"""One learner's annotations in one block: read, add, edit, delete (their block state).

Writing is read-modify-write of a JSON list in the learner's block state, so
two mentors writing at the same moment would lose one another's words. Each
change therefore runs in one transaction that first locks the learner's
``AnnotationIndex`` row (``SELECT ... FOR UPDATE``; SQLite serializes the
whole transaction instead): the second writer reads the list only after the
first one committed it. The index row's counters are updated in the same
transaction, so the progress table's "has annotations" filter never disagrees
with the block state.
"""

from django.db import IntegrityError, transaction

from .. import platform
from ..i18n import gettext_noop as _
from . import notes as note_rules
from .models import AnnotationIndex

FIELD = "annotations"  # the block's Scope.user_state field


class LearnerAnnotations:
    """The annotations of ``learner_id`` in the block ``usage_key`` (their block state)."""

    def __init__(self, usage_key, learner_id):
        self.usage_key, self.learner_id = str(usage_key), str(learner_id)

    def read(self):
        value = platform.read_learner_state(self.usage_key, self.learner_id, FIELD, [])
        return value if isinstance(value, list) else []

    def add(self, annotation, now, unless=None):
        """Append ``annotation`` under the lock and return it; None (nothing written) when
        ``unless(note)`` holds for one of the live notes (e.g. the same note already there)."""
        def change(current):
            if unless is not None and any(unless(note) for note in note_rules.live(current)):
                return None
            if len(current) >= note_rules.MAX_PER_LEARNER:
                raise note_rules.AnnotationError(
                    "too_many", _("This learner has as many annotations as a block keeps."),
                    status=409)
            current.append(annotation)
            return annotation
        return self._change(change, now)

    def update(self, annotation_id, apply, now):
        """Run ``apply(note)`` on the live annotation ``annotation_id`` under the lock."""
        def change(current):
            note = note_rules.find(current, annotation_id)
            apply(note)
            return note
        return self._change(change, now)

    # -- the serialized read-modify-write --------------------------------------
    def _index(self):
        try:
            with transaction.atomic():
                AnnotationIndex.objects.get_or_create(usage_key=self.usage_key,
                                                      learner_id=self.learner_id)
        except IntegrityError:
            pass  # a concurrent writer created it: it exists, which is all we need

    def _change(self, change, now):
        self._index()
        with transaction.atomic():
            index = AnnotationIndex.objects.select_for_update().get(
                usage_key=self.usage_key, learner_id=self.learner_id)
            current = self.read()
            result = change(current)
            if result is None:
                return None  # nothing changed: nothing written
            platform.write_learner_state(self.usage_key, self.learner_id, FIELD, current)
            index.count, index.for_learner = note_rules.counts(current)
            index.updated_at = now
            index.save(update_fields=["count", "for_learner", "updated_at"])
        return result
