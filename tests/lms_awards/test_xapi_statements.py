"""xAPI for Aspects: the block's events, as the LMS's tracker records them, through the real
edx-event-routing-backends (its transformer registry and XApiProcessor), into xAPI statements
that tincan accepts: the LMS's anonymised actor, the block's usage key as the object, the
award's score as the result.

What edx-platform itself provides to event-routing-backends (the learners' external ids, the
course overviews) does not run here: ``lms_pieces`` stands in for those two lookups only.
"""

import json
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from event_routing_backends import helpers
from event_routing_backends.processors.xapi.registry import XApiTransformersRegistry
from event_routing_backends.processors.xapi.transformer_processor import XApiProcessor
from eventtracking import tracker
from eventtracking.tracker import Tracker
from tincan import Statement
from workbench.runtime import WorkbenchRuntime

from forge_simulator import ForgeSimulator
from forge_simulator.shapes import project_id as account_id_of
from tests.lms_awards.lms_runtime import COURSE, USAGE, call, lms_block
from upstream_xblock import compat
from upstream_xblock.identity import api as identity_api
from upstream_xblock.models import TrackedContribution
from upstream_xblock.tracking import events as names

PR = "https://github.com/openedx/xblock-sdk/pull/{n}"
OBJECT = f"https://lms.example.org/xblock/{USAGE}"


class Kept:
    def __init__(self):
        self.sent = []

    def send(self, event):
        self.sent.append(event)


@pytest.fixture
def lms_tracking(monkeypatch):
    """The LMS's tracker (a backend keeps its events), and its publish service's handling of
    a block's own events: course context and user id, then the tracker."""
    kept = Kept()
    tracker.register_tracker(Tracker(backends={"kept": kept}))

    def publish(runtime, block, event_type, event):  # noqa: ARG001
        context = {**compat.course_event_context(COURSE), "user_id": int(runtime.user_id)}
        with tracker.get_tracker().context(event_type, context):
            tracker.emit(event_type, event)

    monkeypatch.setattr(WorkbenchRuntime, "publish", publish)
    return kept


class ExternalIds:
    """edx-platform's ExternalId for XAPI: one stable uuid per user."""

    XAPI = "xapi"

    @staticmethod
    def add_new_user_id(user, type_name):
        external = type("ExternalId", (), {"external_user_id": uuid.uuid5(
            uuid.NAMESPACE_URL, f"{type_name}:{user.pk}")})
        return external, True


@pytest.fixture
def lms_pieces(monkeypatch):
    monkeypatch.setattr(helpers, "ExternalId", ExternalIds)
    monkeypatch.setattr(helpers, "ExternalIdType", ExternalIds)
    monkeypatch.setattr(helpers, "get_potentially_retired_user_by_username", lambda _name: None)
    monkeypatch.setattr(helpers, "get_course_overviews",
                        lambda keys: [{"display_name": "Learn to upstream"} for _ in keys])
    helpers.get_course_from_id.cache_clear()


def test_the_transformers_are_registered_as_third_party_blocks_do():
    for name in names.XAPI_EVENTS:
        assert XApiTransformersRegistry.mapping[name].__module__ == "upstream_xblock.tracking.xapi"


@pytest.mark.parametrize("ours_first", [False, True])
def test_plugin_settings_let_the_events_through_event_routing_backends(ours_first):
    """edx-django-utils runs each plugin's settings in an order of its own: whichever runs
    first, the block's xAPI events end in the allowlist and in the whitelists of the backends
    event-routing-backends defines from it."""
    from event_routing_backends.settings import common as erb_settings

    from upstream_xblock.apps import plugin_settings
    site = SimpleNamespace(LMS_ROOT_URL="https://lms.example.org", EVENT_TRACKING_BACKENDS={})
    if ours_first:
        plugin_settings(site)  # nothing to do yet: no event-routing-backends settings
        assert not hasattr(site, "EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS")
    erb_settings.plugin_settings(site)
    plugin_settings(site)
    options = site.EVENT_TRACKING_BACKENDS["event_transformer"]["OPTIONS"]
    xapi = options["backends"]["xapi"]["OPTIONS"]["processors"][0]["OPTIONS"]["whitelist"]
    for allowed in (site.EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS, xapi,
                    options["processors"][0]["OPTIONS"]["whitelist"]):
        assert set(names.XAPI_EVENTS) <= set(allowed)
    assert "edx.course.enrollment.activated" in xapi  # theirs kept


def test_registered_accepted_completed_withdrawn_become_valid_statements(
        lms_tracking, lms_pieces):
    ada = get_user_model().objects.create(username="ada", email="ada@example.org")
    identity_api.record(str(ada.pk), "github.com", str(account_id_of("ada")), "ada", "oauth",
                        timezone.now())
    with ForgeSimulator() as simulator:
        settings.XBLOCK_SETTINGS = {"upstream_xblock": simulator.settings()}
        for number in (1, 2):
            simulator.world.open("github", "openedx/xblock-sdk", number, author="ada")
        block = lms_block(ada, "anon-ada", required_count=1, weight=2.0)
        assert call(block, "register", {"url": PR.format(n=2), "forge_username": "ada"})[0] == 200
        assert call(block, "withdraw", {"url": PR.format(n=2)})[0] == 200
        assert call(block, "register", {"url": PR.format(n=1), "forge_username": "ada"})[0] == 200
        simulator.world.merge("github", "openedx/xblock-sdk", 1)
        TrackedContribution.objects.update(last_checked_at=timezone.now() - timedelta(minutes=5))
        status, body = call(block, "check_now")
    assert status == 200 and body["completed"] is True

    recorded = [e for e in lms_tracking.sent if e["name"] in names.XAPI_EVENTS]
    assert [e["name"] for e in recorded] == [names.REGISTERED, names.WITHDRAWN,
                                             names.REGISTERED, names.ACCEPTED, names.COMPLETED]
    statements = XApiProcessor()(recorded)
    assert len(statements) == len(recorded)  # none dropped by a failing transformer
    actor = str(uuid.uuid5(uuid.NAMESPACE_URL, f"xapi:{ada.pk}"))
    for statement in statements:
        parsed = Statement.from_json(json.dumps(statement))  # tincan's own validation
        assert parsed.actor.account.name == actor
        assert parsed.actor.account.home_page == "https://lms.example.org"
        assert parsed.object.id == OBJECT
        assert parsed.context.context_activities.parent[0].id == \
            f"https://lms.example.org/course/{COURSE}"
        assert "ada@example.org" not in json.dumps(statement)  # anonymised, not the email
    verbs = [s["verb"]["id"] for s in statements]
    assert verbs == ["http://adlnet.gov/expapi/verbs/registered",
                     "http://activitystrea.ms/schema/1.0/retract",
                     "http://adlnet.gov/expapi/verbs/registered",
                     "http://adlnet.gov/expapi/verbs/passed",
                     "http://adlnet.gov/expapi/verbs/completed"]
    completed = statements[-1]["result"]
    assert completed["completion"] is True and completed["success"] is True
    assert completed["score"] == {"min": 0.0, "max": 2.0, "raw": 2.0, "scaled": 1.0}
    extension = "https://github.com/upstream-xblock/upstream-xblock/xapi/contribution"
    assert statements[0]["context"]["extensions"][extension] == PR.format(n=2)
