"""Block tests on xblock-sdk's WorkbenchRuntime, with the forge simulator as every forge."""

import json
import uuid

import pytest
from webob import Request
from workbench.runtime import WorkbenchRuntime

from upstream_xblock.forges import forges_for  # noqa: F401  (imported so the app registry is ready)

FAST_POLLING = {"open_min_s": 300, "manual_min_interval_s": 30, "page_poll_min_s": 5}


@pytest.fixture
def forge_settings(settings, simulator):
    bucket = {**simulator.settings(), "polling": dict(FAST_POLLING)}
    settings.XBLOCK_SETTINGS = {"upstream_xblock": bucket}
    return bucket


@pytest.fixture
def events(monkeypatch):
    """Every event blocks publish through the workbench runtime: (event_type, data, usage_id)."""
    published = []

    def publish(runtime, block, event_type, event_data):
        published.append((event_type, event_data, str(block.scope_ids.usage_id)))

    monkeypatch.setattr(WorkbenchRuntime, "publish", publish)
    return published


class BlockHarness:
    """Builds blocks from OLX and calls their handlers like the workbench does."""

    def __init__(self):
        self.scenario = f"test-{uuid.uuid4().hex[:8]}"

    def block(self, xml='<upstream_contribution/>', student="student_1", usage_id=None):
        runtime = WorkbenchRuntime(student)
        if usage_id is None:
            runtime.id_generator.set_scenario(self.scenario)
            usage_id = runtime.parse_xml_string(xml)
        return runtime.get_block(usage_id)

    @staticmethod
    def call(block, handler, payload=None, body=None, method="POST"):
        """(HTTP status, decoded JSON) of one handler call."""
        raw = body if body is not None else json.dumps(payload or {}).encode()
        request = Request.blank("/", method=method, body=raw,
                                headers={"Content-Type": "application/json"})
        response = block.runtime.handle(block, handler, request)
        return response.status_code, json.loads(response.body)


@pytest.fixture
def harness(db, forge_settings):
    return BlockHarness()


@pytest.fixture
def verified_ada(db):
    """student_1 verified once that the account ``ada`` on every simulated forge is theirs.

    (Under the default rules a typed user name alone does not make a learner the
    author; tests/identity/ covers how accounts get verified.)
    """
    from django.utils import timezone

    from forge_simulator.shapes import project_id as account_id_of
    from upstream_xblock.identity import api as identity_api
    for host in ("github.com", "gitlab.com", "review.opendev.org", "codeberg.org"):
        identity_api.record("student_1", host, str(account_id_of("ada")), "ada", "oauth",
                            timezone.now())
