"""URLs of the identity views (under ``upstream-xblock/identity/`` in the LMS, see apps.py)."""

from django.urls import path

from . import views

app_name = "upstream_xblock_identity"

urlpatterns = [
    path("oauth/start/", views.oauth_start, name="oauth_start"),
    path("oauth/callback/", views.oauth_callback, name="oauth_callback"),
]
