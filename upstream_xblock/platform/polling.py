"""Starting the background sweeps where Celery runs."""


def ensure_background_polling():
    """Make sure a self-rescheduling Celery poll runs, where Celery runs.

    "Where Celery runs" is decided by the Celery app itself (a broker, not
    eager), whatever settings name gave it its broker (the LMS sets
    ``BROKER_URL``). Without celery installed there is nothing to start.
    """
    try:
        from .. import tasks  # pylint: disable=import-outside-toplevel
    except ImportError:
        return False
    return tasks.ensure_polling()
