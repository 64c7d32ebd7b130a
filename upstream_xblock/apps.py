"""The package is also a Django app (registry model, migrations) plugged into the LMS and Studio."""

from django.apps import AppConfig


class UpstreamXBlockConfig(AppConfig):
    name = "upstream_xblock"
    verbose_name = "Upstream contributions"
    default_auto_field = "django.db.models.BigAutoField"
    # Open edX's plugin system reads this to install the app in the LMS and Studio
    # (entry points lms.djangoapp / cms.djangoapp in setup.py); no URLs or settings.
    plugin_app = {}

    def ready(self):
        # In Studio: a course publish stores its blocks' published rules for the sweeps.
        # pylint: disable=import-outside-toplevel
        from . import platform
        from .block.core import store_published_rules
        platform.connect_course_published(store_published_rules)
