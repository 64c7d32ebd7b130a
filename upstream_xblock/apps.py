"""The package is also a Django app (registry model, migrations) plugged into the LMS and Studio."""

from django.apps import AppConfig


class UpstreamXBlockConfig(AppConfig):
    name = "upstream_xblock"
    verbose_name = "Upstream contributions"
    default_auto_field = "django.db.models.BigAutoField"
    # Open edX's plugin system reads this to install the app in the LMS and Studio
    # (entry points lms.djangoapp / cms.djangoapp in setup.py); no URLs or settings.
    plugin_app = {}
