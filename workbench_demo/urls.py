"""The workbench's URLs plus the app's views: identity and webhooks (in the LMS, apps.py's
plugin_app adds them)."""

from django.urls import include, path
from workbench.urls import urlpatterns as workbench_urlpatterns

urlpatterns = [
    path("upstream-xblock/", include("upstream_xblock.urls")),
    *workbench_urlpatterns,
]
