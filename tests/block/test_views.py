"""The learner view, Studio editing and OLX round-trips."""

import html
import json
import re

from lxml import etree
from xblock.validation import Validation

from upstream_xblock.block import UpstreamContributionBlock


def test_student_view_renders_the_form_and_initial_state(harness, world):
    world.open("github", "openedx/xblock-sdk", 1, author="ada",
               title='</script><script>alert("x")</script><img src=x onerror=alert(1)>')
    block = harness.block('<upstream_contribution display_name="Get &lt;it&gt; merged"/>')
    harness.call(block, "register", {"url": "https://github.com/openedx/xblock-sdk/pull/1",
                                     "forge_username": "ada"})
    fragment = block.runtime.render(block, "student_view")
    content = fragment.content
    assert "Get &lt;it&gt; merged" in content
    assert "<script>alert" not in content and "<img src=x" not in content
    # Every input has a label pointing at it.
    for input_id in re.findall(r'<input[^>]* id="([^"]+)"', content):
        assert f'for="{input_id}"' in content
    init = json.loads(html.unescape(re.search(r'data-upstream-init="([^"]*)"', content).group(1)))
    assert init["status"]["contributions"][0]["title"].startswith("</script>")
    assert init["usernames"] == {"github.com": "ada"}
    assert init["text"]["withdraw"] == "Withdraw"
    # The block's page starts the learner's view and the identity panel (identity.js).
    assert "data-init='UpstreamContributionBlockView'" in content
    assert any("UpstreamContributionLearnerView" in r.data for r in fragment.resources)
    assert any("function UpstreamContributionBlockView" in r.data for r in fragment.resources)


def test_two_blocks_in_one_page_have_distinct_ids(harness):
    first = harness.block('<upstream_contribution/>').runtime.render(
        harness.block('<upstream_contribution/>'), "student_view").content
    second = harness.block('<upstream_contribution/>').runtime.render(
        harness.block('<upstream_contribution display_name="b"/>'), "student_view").content
    ids_first = set(re.findall(r' id="([^"]+)"', first))
    ids_second = set(re.findall(r' id="([^"]+)"', second))
    assert ids_first and not ids_first & ids_second


def test_olx_round_trip_keeps_every_setting(harness):
    block = harness.block(
        '<upstream_contribution display_name="Two PRs" instructions="Do &lt;this&gt;" '
        'weight="2.5" required_count="2" accepted_hosts=\'["github.com", "gitlab.com"]\'/>')
    node = etree.Element("root")
    block.add_xml_to_node(node)
    olx = etree.tostring(node, encoding="unicode")
    again = harness.block(olx)
    for name in UpstreamContributionBlock.editable_fields:
        assert getattr(again, name) == getattr(block, name), name
    assert again.accepted_hosts == ["github.com", "gitlab.com"]
    assert "token" not in olx


def _validate(block, **values):
    data = type("Data", (), {name: getattr(block, name)
                             for name in UpstreamContributionBlock.editable_fields})()
    for key, value in values.items():
        setattr(data, key, value)
    validation = Validation(block.scope_ids.usage_id)
    block.validate_field_data(validation, data)
    return [message.text for message in validation.messages]


def test_studio_validation(harness):
    block = harness.block()
    assert _validate(block) == []
    assert _validate(block, required_count=0)
    assert _validate(block, required_count=11)
    assert _validate(block, weight=-1)
    assert _validate(block, display_name="  ")
    unknown = _validate(block, accepted_hosts=["github.com", "bitbucket.org"])
    assert len(unknown) == 1 and "bitbucket.org" in unknown[0]


def test_studio_view_lists_the_editable_fields_with_help(harness):
    block = harness.block()
    content = block.runtime.render(block, "studio_view").content
    for name in UpstreamContributionBlock.editable_fields:
        assert name in content
    assert "How many of the learner" in content


def test_signed_out_visitors_see_the_instructions_and_no_form(harness):
    from xblock.fields import ScopeIds  # pylint: disable=import-outside-toplevel
    block = harness.block()
    block.scope_ids = ScopeIds(None, block.scope_ids.block_type, block.scope_ids.def_id,
                               block.scope_ids.usage_id)
    content = block.runtime.render(block, "student_view").content
    assert "Sign in to register your contribution." in content
    assert 'class="upstream-register"' not in content
    status, body = harness.call(block, "status")
    assert (status, body["error"]["code"]) == (403, "not_signed_in")
