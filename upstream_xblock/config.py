"""Forge clients for a settings bucket, built once per distinct configuration.

Building clients per request would throw away connection pools and PyGithub's
state; the bucket rarely changes, so one Forges per bucket content is kept.
"""

import json
import threading

from .forges import Forges
from .tracking.schedule import Schedule

_LOCK = threading.Lock()
_FORGES = {}
_MAX_CACHED = 8


def forges_for(bucket):
    """Forges for this bucket (raises ConfigurationError if it is malformed)."""
    key = json.dumps(bucket or {}, sort_keys=True, default=str)
    with _LOCK:
        forges = _FORGES.get(key)
        if forges is None:
            if len(_FORGES) >= _MAX_CACHED:
                _FORGES.pop(next(iter(_FORGES)))
            forges = _FORGES[key] = Forges.from_settings(bucket or {})
        return forges


def schedule_for(bucket):
    return Schedule.from_settings(bucket)
