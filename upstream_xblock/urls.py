"""The app's URLs: the identity views (OAuth), the webhook deliveries and the course-wide
workspace.

The LMS adds them under ``upstream-xblock/`` (``apps.py``'s plugin configuration, the
``upstream_xblock`` namespace); the workbench demo includes them at the same place.
"""

from django.urls import include, path

from .block import workspace
from .identity import views as identity
from .tracking import webhooks

app_name = "upstream_xblock"
urlpatterns = [
    path("identity/", include((identity.urlpatterns, "identity"))),
    path("webhooks/", include((webhooks.urlpatterns, "webhooks"))),
    path("course/<str:course_id>/", include((workspace.urlpatterns, "workspace"))),
]
