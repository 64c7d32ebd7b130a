"""Which learners' work changed: the registry's models say so, whatever wrote to them.

The staff pages read maintained aggregates (``staff.aggregates``): one row per
learner and block, one per learner and course. They stay right because every
write to the models they are computed from (the registry's records, awards,
the annotation index) names the (block usage, learner) pairs it touched, at
the model level: ``save``, ``delete``, ``create``, and the querysets'
``update``, ``delete``, ``bulk_create`` and ``bulk_update``. Code that writes
records (a sweep, an award, a bulk job, a vouch) does nothing of its own, and
new code is covered as it comes.

A write that touches no aggregated column (a sweep's claim, an award's outbox
state) says nothing. ``progress_batch()`` gathers what a block of code changes
and reports it once at its end (a chunk of a sweep, a bulk job's chunk).

This module imports nothing of the product: the models use it, and the
aggregates listen to ``learners_changed``.
"""

import threading
from contextlib import contextmanager

from django.db import models
from django.dispatch import Signal

# Sent with ``pairs``: a set of (usage key, learner id); ``removed``: rows were deleted.
learners_changed = Signal()

_pending = threading.local()


def report(pairs, removed=False):
    """Say that the work of these (usage key, learner id) pairs changed."""
    pairs = {(str(usage), str(learner)) for usage, learner in pairs if usage and learner}
    if not pairs:
        return
    batch = getattr(_pending, "batch", None)
    if batch is not None:
        batch["pairs"] |= pairs
        batch["removed"] = batch["removed"] or removed
        return
    learners_changed.send(sender=None, pairs=pairs, removed=removed)


@contextmanager
def progress_batch():
    """Report what the block changes once, at its end (nested blocks report with the outer)."""
    if getattr(_pending, "batch", None) is not None:
        yield
        return
    _pending.batch = {"pairs": set(), "removed": False}
    try:
        yield
    finally:
        batch, _pending.batch = _pending.batch, None
        if batch["pairs"]:
            learners_changed.send(sender=None, pairs=batch["pairs"], removed=batch["removed"])


def _pairs_of(objs):
    return {(obj.usage_key, obj.learner_id) for obj in objs}


class ReportingQuerySet(models.QuerySet):
    """A queryset whose writes report the pairs they touch (``model.AGGREGATED``: the columns
    the aggregates read; a write to other columns reports nothing)."""

    def _touches(self, names):
        return bool(set(names) & self.model.AGGREGATED)

    def _pairs(self):
        return set(self.order_by().values_list("usage_key", "learner_id").distinct())

    def update(self, **kwargs):
        if not self._touches(kwargs) or getattr(_pending, "quiet", False):
            return super().update(**kwargs)
        pairs = self._pairs()
        count = super().update(**kwargs)
        if "usage_key" in kwargs or "learner_id" in kwargs:
            pairs |= self._pairs()
        report(pairs)
        return count

    def delete(self):
        pairs = self._pairs()
        result = super().delete()
        report(pairs, removed=True)
        return result

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        created = super().bulk_create(objs, *args, **kwargs)
        report(_pairs_of(objs))
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        _pending.quiet = True  # Django's bulk_update runs update() per batch: reported once here
        try:
            count = super().bulk_update(objs, fields, *args, **kwargs)
        finally:
            _pending.quiet = False
        if self._touches(fields):
            report(_pairs_of(objs))
        return count


class ReportingModel(models.Model):
    """A model whose instance saves and deletes report their (usage key, learner id)."""

    AGGREGATED = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if fields is None or set(fields) & self.AGGREGATED:
            report({(self.usage_key, self.learner_id)})

    def delete(self, *args, **kwargs):
        pair = (self.usage_key, self.learner_id)
        result = super().delete(*args, **kwargs)
        report({pair}, removed=True)
        return result
