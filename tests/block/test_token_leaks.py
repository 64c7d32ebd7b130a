"""With recognisable tokens configured, the main paths never show them.

Learner and Studio HTML, every learner JSON answer (success and forge
failures), the OLX export, what is stored in the registry, exception messages
and every log record at DEBUG level (a sweep included) are searched for them.
"""

import logging

import pytest
from lxml import etree

from upstream_xblock.forges import Forges
from upstream_xblock.models import TrackedContribution
from upstream_xblock.tracking.schedule import Schedule
from upstream_xblock.tracking.service import TrackingError
from upstream_xblock.tracking.sweep import Sweeper

MARK = "LEAKCHECK"
TOKENS = {"github": f"ghp_{MARK}0123456789abcdef", "gitlab": f"glpat-{MARK}-gitlab",
          "gitea": f"{MARK}-gitea-token"}
PR = "https://github.com/openedx/xblock-sdk/pull/{n}"


@pytest.fixture
def secret_settings(forge_settings):
    for entry in forge_settings["forges"]:
        if entry["kind"] in TOKENS:
            entry["token"] = TOKENS[entry["kind"]]
    return forge_settings


def rendered(block, view):
    return block.runtime.render(block, view).content


def test_no_token_in_html_json_olx_records_or_logs(harness, world, secret_settings, caplog):
    world.open("github", "openedx/xblock-sdk", 1, author="ada")
    world.open("gitea", "forgejo/forgejo", 2, author="ada", state="merged")
    seen = []
    with caplog.at_level(logging.DEBUG):
        block = harness.block()
        seen.append(rendered(block, "student_view"))
        seen.append(rendered(block, "studio_view"))
        for payload in ({"url": PR.format(n=1), "forge_username": "ada"},
                        {"url": "https://codeberg.org/forgejo/forgejo/pulls/2"},
                        {"url": PR.format(n=404)}):
            seen.append(str(harness.call(block, "register", payload)))
        world.fail_next("github", 401, times=5)  # the forge refuses the site's token
        seen.append(str(harness.call(block, "check_now")))
        world.fail_next("gitea", 403, times=5)
        seen.append(str(harness.call(block, "register", {
            "url": "https://codeberg.org/forgejo/forgejo/pulls/3"})))
        seen.append(str(harness.call(block, "status")))
        seen.append(rendered(block, "student_view"))
        node = etree.Element("upstream_contribution")
        block.add_xml_to_node(node)
        seen.append(etree.tostring(node).decode())
        # A sweep with the token refused on GitHub's GraphQL path.
        TrackedContribution.objects.update(next_check_at=None)
        TrackedContribution.objects.filter(host="github.com").update(
            next_check_at="2000-01-01T00:00:00Z")
        world.fail_next("github", 401, times=5)
        Sweeper(Forges.from_settings(secret_settings), Schedule()).run_once()
    seen.extend(record.getMessage() for record in caplog.records)
    seen.extend(str(record.exc_info[1]) for record in caplog.records if record.exc_info)
    for row in TrackedContribution.objects.all():
        seen.extend([row.error_message, str(row.snapshot), row.etag])
    assert any("rejected the configured credentials" in text for text in seen)
    assert len(seen) > 10 and not [text for text in seen if MARK in text]


def test_a_malformed_configuration_error_shows_no_token(harness, settings, world):
    settings.XBLOCK_SETTINGS = {"upstream_xblock": {"forges": [
        {"kind": "github", "host": "github.com", "token": TOKENS["github"],
         "api_url": "not a url"}]}}
    status, body = harness.call(harness.block(), "register", {"url": PR.format(n=1)})
    assert status == 503 and MARK not in str(body)
    with pytest.raises(Exception) as raised:
        Forges.from_settings(settings.XBLOCK_SETTINGS["upstream_xblock"])
    assert MARK not in str(raised.value) and MARK not in repr(raised.value)
    assert not isinstance(raised.value, TrackingError)
