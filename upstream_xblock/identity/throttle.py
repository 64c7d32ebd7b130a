"""A bound on how often one learner may ask for a verification that calls a forge.

Each try of a code costs requests to the forge on the site's budget; a learner
gets ``LIMIT`` tries per ``WINDOW_S`` (counted in Django's cache, shared by
all workers), then waits.
"""

from django.core.cache import cache

from ..i18n import gettext_noop as _
from .errors import IdentityError

LIMIT = 10
WINDOW_S = 600


def spend(learner_id, action):
    """Count one try of ``action``; IdentityError ``too_soon`` (429) past the limit."""
    key = f"upstream_xblock:identity:{action}:{learner_id}"
    cache.add(key, 0, WINDOW_S)
    try:
        tries = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_S)
        tries = 1
    if tries > LIMIT:
        raise IdentityError("too_soon", _(
            "Too many tries in a short time. Try again in a few minutes."), status=429)
