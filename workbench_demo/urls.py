"""The workbench's URLs plus the app's (identity views, webhook deliveries, course-wide
workspace), where the LMS has them (in the LMS, apps.py's plugin_app adds them)."""

from django.urls import include, path
from workbench.urls import urlpatterns as workbench_urlpatterns

urlpatterns = [
    path("upstream-xblock/", include("upstream_xblock.urls")),
    *workbench_urlpatterns,
]
