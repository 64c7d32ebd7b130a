"""The Celery task that runs a bulk job's chunks in a worker (imported by ``tasks.py``)."""

import logging
from types import SimpleNamespace

from celery import shared_task

log = logging.getLogger(__name__)


def block_address(usage_key):
    """What ``platform``'s learner-state functions need of a block: its usage id."""
    return SimpleNamespace(scope_ids=SimpleNamespace(usage_id=usage_key))


# Each chunk is short (a bounded number of learners, one transaction); a job of 10,000
# learners is 50 chunks: the limits end a stuck worker, never a job that progresses.
@shared_task(name="upstream_xblock.run_bulk_job", ignore_result=True,
             soft_time_limit=600, time_limit=660)
def run_bulk_job(job_id):
    """Run the job's remaining chunks; a chunk another runner holds is left to it."""
    # pylint: disable=import-outside-toplevel
    from django.utils import timezone

    from .. import platform
    from . import jobs
    from .models import BulkJob
    job = BulkJob.objects.filter(pk=job_id).first()
    if job is None:
        return 0
    chunks = jobs.run_all(job_id, timezone.now, platform, block_address(job.usage_key))
    log.info("bulk job %s: %d chunks run by a worker", job_id, chunks)
    return chunks
