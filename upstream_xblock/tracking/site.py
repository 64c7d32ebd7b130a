"""The site's sweeper: forges, schedule and award path from the site's settings.

Shared by the Celery tasks and the ``upstream_xblock_poll`` command; it
imports no celery, so the command runs where celery is not installed.
"""

from .. import platform
from ..forges import forges_for
from .schedule import schedule_for
from .sweep import Sweeper


def site_sweeper(on_progress=None):
    bucket = platform.global_settings_bucket()
    return Sweeper(forges_for(bucket), schedule_for(bucket),
                   publisher=platform.publish_award_in_background, on_progress=on_progress)
