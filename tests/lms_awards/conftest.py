"""Run only under tests.settings_lms: the LMS-package suite of scripts/test.sh."""

import pytest
from eventtracking import tracker
from eventtracking.tracker import Tracker


@pytest.fixture(autouse=True)
def lms_services(db):
    """What the LMS sets up itself: an event tracker and the completion waffle switch."""
    from edx_django_utils.cache import RequestCache
    from waffle.models import Switch
    tracker.register_tracker(Tracker())
    Switch.objects.update_or_create(name="completion.enable_completion_tracking",
                                    defaults={"active": True})
    RequestCache.clear_all_namespaces()  # a new "request": no switch value cached from another
    yield
    RequestCache.clear_all_namespaces()


@pytest.fixture
def lms_forges(settings, simulator):
    """Every forge is the simulator, for blocks (settings service) and sweeps alike."""
    settings.XBLOCK_SETTINGS = {"upstream_xblock": simulator.settings()}
    return simulator.world
