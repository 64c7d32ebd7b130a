"""The package is also a Django app (registry model, migrations) plugged into the LMS and Studio."""

from django.apps import AppConfig

from .i18n import gettext_noop

TAB_NAME = gettext_noop("Upstream contributions")


class UpstreamXBlockConfig(AppConfig):
    name = "upstream_xblock"
    verbose_name = "Upstream contributions"
    default_auto_field = "django.db.models.BigAutoField"
    # Open edX's plugin system (edx-django-utils) reads this to install the app in the LMS
    # and Studio (entry points lms.djangoapp / cms.djangoapp in pyproject.toml), and to add
    # the app's URLs to the LMS: the identity views (the forge's OAuth callback lands
    # there) and the course-wide workspace (upstream_xblock/urls.py).
    plugin_app = {
        "url_config": {
            "lms.djangoapp": {
                "namespace": "upstream_xblock",
                "regex": r"^upstream-xblock/",
                "relative_path": "urls",
            },
        },
    }

    def ready(self):
        # In Studio: a course publish stores its blocks' published rules for the sweeps.
        from . import compat  # noqa: PLC0415
        from .block import workspace  # noqa: PLC0415
        from .block.core import store_published_rules  # noqa: PLC0415
        from .identity.views import gettext  # noqa: PLC0415
        from .staff import aggregates  # noqa: PLC0415
        compat.connect_course_published(store_published_rules)
        # The staff pages' aggregates follow every write to the registry.
        aggregates.connect()
        # The LMS's course tab: who sees it, and its name in the viewer's language.
        compat.configure_tab(workspace.may_open, lambda: gettext(TAB_NAME))
