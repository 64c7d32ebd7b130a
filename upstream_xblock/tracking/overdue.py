"""Contributions waiting longer than their project usually takes: found hourly, told once.

Each hour, and after a sweep that read new figures, every open, uncounted record is compared with
its repository's figures (``pace.py``): one waiting longer than 80 % of the
project's recent contributions took for the step it waits on is overdue. Its
``PaceStanding`` row says by how many days (the progress table filters and sorts
by it), and its learner is told once (``notices.longer_than_usual``). The same
pass delivers the sweep's notices where no Celery runs, and those a broker or a
channel left unsent.
"""

import logging

from django.core.cache import cache
from django.db import transaction

from ..models import PaceStanding, RepositorySample, TrackedContribution
from . import background, notices
from .pace import PaceFigures, upstream_of, usual_days

log = logging.getLogger(__name__)

SCAN_KEY, SCAN_EVERY_S = "upstream_xblock:overdue-scan", 3600


def waiting_records():
    return TrackedContribution.objects.filter(state__in=("open", "draft"),
                                              awarded_at__isnull=True, revoked=False)


def overdue_records(now, rows=None):
    """[(record, upstream, days beyond the usual)] of the records waiting longer than usual."""
    rows = list(rows if rows is not None else waiting_records())
    figures_of = PaceFigures(now).prefetch((row.host, row.project) for row in rows)
    found = []
    for row in rows:
        figures = figures_of.of(row.host, row.project)
        upstream = upstream_of(row, figures, now)
        if upstream and upstream["overdue"]:
            found.append((row, upstream, round(upstream["waited_days"] -
                                               usual_days(row, figures), 1)))
    return found


def store_standings(overdue, now):
    """The standings are exactly ``overdue``'s (the others are deleted)."""
    beyond = {row.pk: (row, days) for row, _, days in overdue}
    with transaction.atomic():
        PaceStanding.objects.exclude(record_id__in=list(beyond)).delete()
        known = set(PaceStanding.objects.values_list("record_id", flat=True))
        for record_id, (_row, days) in beyond.items():
            if record_id in known:
                PaceStanding.objects.filter(record_id=record_id).update(overdue_days=days,
                                                                        updated_at=now)
        PaceStanding.objects.bulk_create([
            PaceStanding(record=row, usage_key=row.usage_key, learner_id=row.learner_id,
                         overdue_days=days, updated_at=now)
            for record_id, (row, days) in beyond.items() if record_id not in known])


def notify(overdue):
    """Tell each learner whose contribution is overdue, once; how many were told now."""
    sent = notices.already_sent("longer_than_usual",
                                [(row.learner_id, f"overdue:{row.pk}") for row, _, _ in overdue])
    told = 0
    for row, upstream, _ in overdue:
        if (row.learner_id, f"overdue:{row.pk}") not in sent:
            told += bool(notices.longer_than_usual(row, upstream))
    return told


def scan(now):
    """Standings and notices for every waiting record; how many learners were told."""
    overdue = overdue_records(now)
    store_standings(overdue, now)
    return notify(overdue)


def scan_due():
    """An hour since the last scan, or a repository's figures changed since (a sample read)."""
    last = cache.get(SCAN_KEY)
    return last is None or RepositorySample.objects.filter(fetched_at__gt=last).exists()


def after_sweep(now):
    """The scan (hourly, or when figures changed), then the notices left unsent."""
    try:
        if scan_due():
            cache.set(SCAN_KEY, now, timeout=SCAN_EVERY_S)
            scan(now)
        if not background.runs_in_workers():
            notices.deliver_pending(now)
        notices.retry_unsent(now)
    except Exception:  # noqa: BLE001  (a courtesy: the sweep's work is done)
        log.exception("overdue scan or notices after the sweep failed")
