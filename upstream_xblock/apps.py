"""The package is also a Django app (registry model, migrations) plugged into the LMS and Studio."""

import importlib.util

from django.apps import AppConfig, apps

from .i18n import gettext_noop
from .tracking.events import XAPI_EVENTS

TAB_NAME = gettext_noop("Upstream contributions")
WHITELIST_PROCESSOR = "eventtracking.processors.whitelist.NameWhitelistProcessor"


def plugin_settings(settings):
    """The LMS's and Studio's settings, through edx-django-utils' plugin settings: where
    edx-event-routing-backends routes events (Aspects), let the block's xAPI events through
    its allowlist, and through the copies its own plugin settings made of it if they ran
    first."""
    allowed = getattr(settings, "EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS", None)
    if allowed is None:
        return  # no event-routing-backends on this site
    allowed.extend(name for name in XAPI_EVENTS if name not in allowed)
    transformer = (getattr(settings, "EVENT_TRACKING_BACKENDS", None) or {}).get(
        "event_transformer", {}).get("OPTIONS", {})
    xapi = transformer.get("backends", {}).get("xapi", {}).get("OPTIONS", {})
    for processor in [*transformer.get("processors", []), *xapi.get("processors", [])]:
        if processor.get("ENGINE") == WHITELIST_PROCESSOR:
            options = processor.setdefault("OPTIONS", {})
            # (event-routing-backends builds the outer whitelist as a set, the inner a list)
            options["whitelist"] = type(options.get("whitelist", []))(
                [*options.get("whitelist", []),
                 *(name for name in XAPI_EVENTS if name not in options.get("whitelist", []))])


class UpstreamXBlockConfig(AppConfig):
    name = "upstream_xblock"
    verbose_name = "Upstream contributions"
    default_auto_field = "django.db.models.BigAutoField"
    # Open edX's plugin system (edx-django-utils) reads this to install the app in the LMS
    # and Studio (entry points lms.djangoapp / cms.djangoapp in pyproject.toml), and to add
    # the app's URLs to the LMS: the identity views (the forge's OAuth callback lands
    # there), the webhook deliveries and the course-wide workspace (upstream_xblock/urls.py).
    plugin_app = {
        "url_config": {
            "lms.djangoapp": {
                "namespace": "upstream_xblock",
                "regex": r"^upstream-xblock/",
                "relative_path": "urls",
            },
        },
        # plugin_settings above (the xAPI events' allowlist).
        "settings_config": {
            "lms.djangoapp": {"common": {"relative_path": "apps"}},
            "cms.djangoapp": {"common": {"relative_path": "apps"}},
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
        # Aspects: the xAPI transformers register themselves with event-routing-backends.
        if importlib.util.find_spec("event_routing_backends") is not None \
                and apps.is_installed("event_routing_backends"):
            from .tracking import xapi  # noqa: F401, PLC0415
