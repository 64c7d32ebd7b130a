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
    assert "text" not in init  # the page's strings come from the JS catalog, not the server
    # The block's page starts the learner's view and the identity panel (identity.js).
    assert "data-init='UpstreamContributionLearnerView'" in content
    assert any("function UpstreamContributionLearnerView" in r.data for r in fragment.resources)
    assert any("function UpstreamIdentityPanel" in r.data for r in fragment.resources)


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
    from xblock.fields import ScopeIds
    block = harness.block()
    block.scope_ids = ScopeIds(None, block.scope_ids.block_type, block.scope_ids.def_id,
                               block.scope_ids.usage_id)
    content = block.runtime.render(block, "student_view").content
    assert "Sign in to register your contribution." in content
    assert 'class="upstream-register"' not in content
    status, body = harness.call(block, "status")
    assert (status, body["error"]["code"]) == (403, "not_signed_in")


def _save(harness, block, values):
    return harness.call(block, "submit_studio_edits", {"values": values})


def test_studio_editor_saves_lists_typed_one_per_line(harness):
    block = harness.block()
    status, body = _save(harness, block, {
        "accepted_hosts": "github.com\ngitlab.com\n", "deny_labels": "spam\n\n  invalid  ",
        "required_count": "2", "weight": "2.5", "count_approved": True,
        "display_name": "Two PRs"})
    assert (status, body) == (200, {"result": "success"})
    assert block.accepted_hosts == ["github.com", "gitlab.com"]
    assert block.deny_labels == ["spam", "invalid"]
    assert (block.required_count, block.weight, block.count_approved) == (2, 2.5, True)
    # What a newcomer types first also works: commas between values.
    assert _save(harness, block, {"accepted_hosts": "github.com, gitlab.com"})[0] == 200
    assert block.accepted_hosts == ["github.com", "gitlab.com"]


def test_studio_editor_answers_wrongly_typed_values_with_messages_by_field(harness):
    block = harness.block()
    status, body = _save(harness, block, {
        "required_count": "two", "weight": "-1", "waiting_days": "1.5", "count_merged": "yes",
        "opened_after": "01/09/2026", "accepted_hosts": "bitbucket.org", "display_name": " "})
    assert status == 400 and body["error"]["code"] == "validation_failed"
    fields = body["error"]["fields"]
    assert set(fields) == {"required_count", "weight", "waiting_days", "count_merged",
                           "opened_after", "accepted_hosts", "display_name"}
    assert "whole number" in fields["required_count"][0]
    assert "bitbucket.org" in fields["accepted_hosts"][0]
    assert block.required_count == 1  # nothing saved


def test_studio_editor_refuses_malformed_requests_without_a_server_error(harness):
    block = harness.block()
    for raw in (b"not json", b"[]", b'{"values": 3}', b'{"values": {"weight": {"a": 1}}}',
                b'{"values": {"deny_labels": ["spam\\ud800", "ok\\u0000"]}}',
                b'{"values": {"display_name": "x\\udfff"}}'):
        status, body = harness.call(block, "submit_studio_edits", body=raw)
        assert status == 400 and body["error"]["code"] == "validation_failed", raw
    assert block.deny_labels != ["spam\ud800", "ok\x00"]  # nothing of it stored


def test_studio_editor_shows_lists_one_per_line_with_help_next_to_each_field(harness):
    block = harness.block(
        '<upstream_contribution accepted_hosts=\'["github.com", "gitlab.com"]\'/>')
    content = block.runtime.render(block, "studio_view").content
    assert re.search(
        r"<textarea[^>]*name=\"accepted_hosts\"[^>]*>github.com\ngitlab.com</textarea>", content)
    for name in UpstreamContributionBlock.editable_fields:
        match = re.search(rf'<(?:input|textarea)[^>]* name="{name}"[^>]*aria-describedby="([^"]+)"',
                          content)
        assert match, name
        for described_by in match.group(1).split():
            assert f'id="{described_by}"' in content


def _initial_status(block):
    content = block.runtime.render(block, "student_view").content
    return content, json.loads(html.unescape(
        re.search(r'data-upstream-init="([^"]*)"', content).group(1)))


def test_a_counted_contribution_offers_no_withdraw(harness, world, verified_ada):
    world.open("github", "openedx/xblock", 7, author="ada", state="merged")
    world.open("github", "openedx/xblock", 9, author="ada")
    block = harness.block()
    for number in (7, 9):
        harness.call(block, "register", {"url": f"https://github.com/openedx/xblock/pull/{number}",
                                         "forge_username": "ada"})
    _, init = _initial_status(block)
    offers = {c["number"]: c["can_withdraw"] for c in init["status"]["contributions"]}
    assert offers == {7: False, 9: True}
    # What is offered is what the server accepts.
    status, body = harness.call(block, "withdraw",
                                {"url": "https://github.com/openedx/xblock/pull/7"})
    assert (status, body["error"]["code"]) == (409, "already_counted")


def test_timeline_of_a_merged_and_counted_contribution(harness, world, verified_ada):
    world.open("github", "openedx/xblock", 7, author="ada", state="merged")
    block = harness.block()
    harness.call(block, "register", {"url": "https://github.com/openedx/xblock/pull/7",
                                     "forge_username": "ada"})
    _, init = _initial_status(block)
    steps = init["status"]["contributions"][0]["timeline"]
    assert [s["id"] for s in steps] == ["opened", "merged", "registered", "counted"]
    assert all(s["done"] and s["at"] for s in steps)
    assert [s["label"] for s in steps][-1] == "Counted for your grade"


def test_timeline_of_an_open_contribution_shows_what_is_still_to_come(harness, world):
    world.open("github", "openedx/xblock-sdk", 5, author="ada")
    world.approve("github", "openedx/xblock-sdk", 5)
    block = harness.block('<upstream_contribution count_approved="false"/>')
    harness.call(block, "register", {"url": "https://github.com/openedx/xblock-sdk/pull/5",
                                     "forge_username": "ada"})
    _, init = _initial_status(block)
    steps = {s["id"]: s for s in init["status"]["contributions"][0]["timeline"]}
    assert steps["opened"]["done"] and steps["registered"]["done"]
    assert not steps["merged"]["done"] and not steps["counted"]["done"]
    assert steps["merged"]["at"] is None


def test_a_rejected_contribution_has_no_counted_step_to_come(harness, world, verified_ada):
    world.open("github", "openedx/xblock", 8, author="ada", state="closed")  # never merged
    block = harness.block()
    harness.call(block, "register", {"url": "https://github.com/openedx/xblock/pull/8"})
    _, init = _initial_status(block)
    contribution = init["status"]["contributions"][0]
    assert contribution["verdict"] == "rejected"
    assert "counted" not in [s["id"] for s in contribution["timeline"]]


def test_the_address_help_shows_a_host_the_block_accepts(harness):
    block = harness.block('<upstream_contribution accepted_hosts=\'["gitlab.com", '
                          '"review.opendev.org"]\'/>')
    content = block.runtime.render(block, "student_view").content
    assert "For example: https://gitlab.com/group/project/-/merge_requests/123" in content
    assert "Accepted here: gitlab.com, review.opendev.org." in content
    assert "github.com" not in content
    gerrit = harness.block('<upstream_contribution accepted_hosts=\'["review.opendev.org"]\'/>')
    assert "https://review.opendev.org/c/project/+/123456" in gerrit.runtime.render(
        gerrit, "student_view").content
    every_host = harness.block()
    assert "For example: https://github.com/owner/project/pull/123" in every_host.runtime.render(
        every_host, "student_view").content


def test_the_timeline_and_checks_come_with_a_text_for_screen_readers(harness):
    block = harness.block()
    content, init = _initial_status(block)
    script = "".join(r.data for r in block.runtime.render(block, "student_view").resources
                     if r.kind == "text")
    for message in ("Timeline of %(title)s", "done", "not yet", "Withdrawn: %(title)s.",
                    "You can check again %(when)s."):
        assert f'gettext("{message}")' in script
    assert init["check_now_interval_s"] == 30  # the tests' polling settings
    assert init["status"]["now"]
    assert 'aria-controls="upstream-form-' in content  # "Register another" names the form


def test_a_contribution_never_checked_successfully_says_so(harness, world):
    world.open("github", "openedx/xblock-sdk", 6, author="ada")
    world.fail_next("github", 503, times=10)
    block = harness.block()
    harness.call(block, "register", {"url": "https://github.com/openedx/xblock-sdk/pull/6",
                                     "forge_username": "ada"})
    _, init = _initial_status(block)
    contribution = init["status"]["contributions"][0]
    assert contribution["state_label"] == "Could not be checked"  # not "Not checked yet"
    assert contribution["error"]["code"] == "forge_unavailable"
    assert [s["id"] for s in contribution["timeline"] if s["done"]] == ["registered"]
