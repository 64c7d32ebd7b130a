"""The package is also a Django app (registry model, migrations) plugged into the LMS and Studio."""

from django.apps import AppConfig


class UpstreamXBlockConfig(AppConfig):
    name = "upstream_xblock"
    verbose_name = "Upstream contributions"
    default_auto_field = "django.db.models.BigAutoField"
    # Open edX's plugin system (edx-django-utils) reads this to install the app in the LMS
    # and Studio (entry points lms.djangoapp / cms.djangoapp in setup.py), and to add the
    # app's views to the LMS under upstream-xblock/ (urls.py): the identity views (the
    # forge's OAuth callback lands there) and the webhook deliveries. No namespace here:
    # each view module brings its own (upstream_xblock_identity, upstream_xblock_webhooks).
    plugin_app = {
        "url_config": {
            "lms.djangoapp": {
                "namespace": "",
                "regex": r"^upstream-xblock/",
                "relative_path": "urls",
            },
        },
    }

    def ready(self):
        # In Studio: a course publish stores its blocks' published rules for the sweeps.
        from . import compat  # noqa: PLC0415
        from .block.core import store_published_rules  # noqa: PLC0415
        compat.connect_course_published(store_published_rules)
