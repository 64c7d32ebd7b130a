"""CSV exports as background jobs writing a file: the instructor dashboard's report pattern.

Staff ask for an export; a job (a Celery task where Celery runs, else the staff
page's next poll) writes the CSV line by line into a temporary file, then hands
the file to the report store (``compat.store_report``: in the LMS the instructor
dashboard's store, so the file also shows among its reports); the page then offers
a link to download it. Memory stays flat in rows: the learners are read a chunk
at a time, the lines go to disk, and the store streams the file.

The job keeps what it needs to run without the block or the request: the block or
course, the filters as sent, the language, who asked.
"""

import logging
import re
import tempfile
from datetime import timedelta

from django.db.models import Q
from django.utils import translation

from .. import compat
from ..identity.views import gettext as catalog_gettext
from ..tracking import background
from ..tracking.block_config import activities
from . import course, csv_files
from .annotations import FIELD as ANNOTATIONS_FIELD
from .models import ExportJob
from .progress import parse_filters

log = logging.getLogger(__name__)

EXPORT_TASK = "upstream_xblock.run_export_job"
LEASE = timedelta(minutes=15)
KEEP = 20  # finished jobs listed per block or course


def start(*, course_key, usage_key, filters, actor, now, language):
    """Store an export job (``filters``: the page's JSON, checked now); hand it to a worker."""
    parse_filters({k: v for k, v in (filters or {}).items() if k != "activity"})
    job = ExportJob.objects.create(course_key=course_key, usage_key=usage_key,
                                   filters=filters or {}, actor_id=actor.id,
                                   actor_username=actor.username[:150], created_at=now,
                                   language=(language or "en")[:16])
    _enqueue(job.pk)
    return job


def _enqueue(job_id):
    return background.runs_in_workers() and background.send(EXPORT_TASK, args=(job_id,))


def find(job_id, *, course_key, usage_key=""):
    """The job of this block (or of this course, ``usage_key`` empty), or None."""
    return ExportJob.objects.filter(pk=job_id, course_key=course_key, usage_key=usage_key).first()


def recent(*, course_key, usage_key=""):
    return list(ExportJob.objects.filter(course_key=course_key, usage_key=usage_key)
                .order_by("-created_at", "-pk")[:KEEP])


def _claim(job_id, now):
    claimed = ExportJob.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now), pk=job_id,
        status__in=("queued", "running")).update(status="running", lease_until=now + LEASE)
    return ExportJob.objects.get(pk=job_id) if claimed else None


def _filename(job, now):
    subject = job.usage_key.rsplit("@", 1)[-1] if job.usage_key else (job.course_key or "course")
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", subject).strip("-")[:60] or "course"
    return f"upstream-contributions-{slug}-{now:%Y%m%d-%H%M%S}-{job.pk}.csv"


def lines_of(job, now):
    """The export's CSV lines, in the job's language, from the job's own data."""
    raw = dict(job.filters or {})
    activity = raw.pop("activity", "") or ""
    filters = parse_filters(raw)
    username = compat.username_expression()
    scope = None
    if not job.usage_key:
        scope = csv_files.Scope(
            course_key=job.course_key,
            matching=lambda f, name, moment: course.matching_learners(
                job.course_key, f, name, moment, activity),
            names={usage: name for usage, name, _mentors in activities(job.course_key)})
    return csv_files.rows_of(
        job.usage_key, filters, username, now,
        lambda usage, ids: compat.learner_states(usage, ids, ANNOTATIONS_FIELD),
        catalog_gettext, scope=scope)


def run(job_id, now):
    """Write the job's file unless another runner holds it; True if this call finished it."""
    job = _claim(job_id, now)
    if job is None:
        return False
    rows = 0
    try:
        with tempfile.TemporaryFile() as file, translation.override(job.language):
            for number, line in enumerate(lines_of(job, now)):
                file.write(line.encode("utf-8"))
                rows = number
                if number and number % 5000 == 0:
                    ExportJob.objects.filter(pk=job.pk).update(rows=rows)
            file.seek(0)
            name = _filename(job, now)
            compat.store_report(job.course_key, name, file)
    except Exception:
        log.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(status="failed", lease_until=None,
                                                   finished_at=now)
        raise
    ExportJob.objects.filter(pk=job.pk).update(status="done", rows=rows, filename=name,
                                               lease_until=None, finished_at=now)
    return True


def advance(job, now):
    """The job's progress; where no worker runs it, this poll runs it (a queued job whose task
    was lost is handed to a worker again: a runner claims it once)."""
    if job.status in ("queued", "running"):
        if not background.runs_in_workers():
            if run(job.pk, now):
                job.refresh_from_db()
        elif job.status == "queued":
            _enqueue(job.pk)
    return progress(job)


def progress(job):
    return {"export": job.pk, "status": job.status, "rows": job.rows,
            "created_at": job.created_at.isoformat(),
            "finished_at": job.finished_at.isoformat() if job.finished_at else None,
            "filename": job.filename if job.status == "done" else ""}


def open_file(job):
    """The finished export's file (binary), from the report store."""
    return compat.open_report(job.course_key, job.filename)
