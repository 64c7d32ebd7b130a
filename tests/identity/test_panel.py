"""The identity panel in the learner's page: where it shows, what it carries, escaped."""

import html
import json
import re

from django.utils import timezone

from upstream_xblock.identity import api as identity_api
from upstream_xblock.identity.api import verification_code


def _panel(content):
    found = re.search(r'data-upstream-identity="([^"]*)"', content)
    return json.loads(html.unescape(found.group(1))) if found else None


def test_the_panel_is_open_until_an_account_is_verified(harness, world):
    block = harness.block()
    content = block.runtime.render(block, "student_view").content
    assert re.search(r'<details class="upstream-identity"[^>]* open>', content)
    init = _panel(content)
    assert init["identity"]["code"] == verification_code("student_1")
    assert {way["name"] for way in init["identity"]["forges"] if way["oauth_url"]} == {
        "GitHub", "GitLab", "Codeberg"}
    assert "text" not in init  # identity.js has its strings from the block's JS catalog
    identity_api.record("student_1", "github.com", "1", "ada", "oauth", timezone.now())
    content = block.runtime.render(block, "student_view").content
    assert re.search(r'<details class="upstream-identity"[^>]*>', content)
    assert not re.search(r'<details class="upstream-identity"[^>]* open>', content)


def test_no_panel_where_authorship_is_not_checked(harness):
    block = harness.block('<upstream_contribution require_author="false"/>')
    assert _panel(block.runtime.render(block, "student_view").content) is None


def test_forge_text_reaches_the_page_escaped(harness):
    identity_api.record("student_1", "codeberg.org", "5", '<img src=x onerror=alert(1)>',
                        "oauth", timezone.now())
    block = harness.block()
    content = block.runtime.render(block, "student_view").content
    assert "<img src=x" not in content
    assert _panel(content)["identity"]["accounts"][0]["username"] == \
        "<img src=x onerror=alert(1)>"


def test_only_the_blocks_forges_are_offered(harness):
    block = harness.block('<upstream_contribution accepted_hosts=\'["gitlab.com"]\'/>')
    status, body = harness.call(block, "identity")
    assert [way["host"] for way in body["identity"]["forges"]] == ["gitlab.com"]
