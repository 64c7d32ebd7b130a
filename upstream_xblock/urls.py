"""The app's Django views under ``upstream-xblock/``: the identity room's OAuth views and
the webhook deliveries of the tracking room.

The LMS adds these through ``apps.py``'s plugin configuration; each view module keeps its
own URL namespace (``upstream_xblock_identity``, ``upstream_xblock_webhooks``).
"""

from django.urls import include, path

urlpatterns = [
    path("identity/", include("upstream_xblock.identity.views")),
    path("webhooks/", include("upstream_xblock.tracking.webhooks")),
]
