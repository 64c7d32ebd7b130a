"""The workbench's URLs plus the identity views (in the LMS, apps.py's plugin_app adds them)."""

from django.urls import include, path
from workbench.urls import urlpatterns as workbench_urlpatterns

urlpatterns = [
    path("upstream-xblock/identity/", include("upstream_xblock.identity.views")),
    *workbench_urlpatterns,
]
