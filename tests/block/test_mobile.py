"""The mobile apps: student_view_data gives the activity's settings (JSON, nothing of any
learner, no secret) and the student view declares multi-device support (the Blocks API's
student_view_multi_device)."""

import json

XML = ('<upstream_contribution display_name="First contribution" required_count="2" weight="3" '
       'mentors=\'["mia"]\' accepted_hosts=\'["github.com", "gitlab.com"]\' '
       'accept_labels=\'["hacktoberfest-accepted"]\'/>')


def test_the_settings_a_mobile_client_needs_and_nothing_else(harness, world, settings,
                                                               verified_ada):
    bucket = settings.XBLOCK_SETTINGS["upstream_xblock"]
    bucket["forges"][0]["token"] = "ghp_mobile_secret_token"
    world.open("github", "openedx/xblock-sdk", 1, author="ada")
    block = harness.block(XML)
    harness.call(block, "register", {"url": "https://github.com/openedx/xblock-sdk/pull/1",
                                     "forge_username": "ada"})
    data = block.student_view_data()
    text = json.dumps(data)  # JSON as it is
    assert data["display_name"] == "First contribution"
    assert (data["points"], data["required_count"]) == (3.0, 2)
    assert data["accepted_hosts"] == ["github.com", "gitlab.com"]
    assert {forge["host"] for forge in data["forges"]} == {"github.com", "gitlab.com"}
    assert all(set(forge) == {"host", "kind"} for forge in data["forges"])
    assert data["rules"]["accept_labels"] == ["hacktoberfest-accepted"]
    assert data["rules"]["count_merged"] is True and data["rules"]["require_author"] is True
    for secret_or_personal in ("ghp_mobile_secret_token", "api_url", "127.0.0.1", "mia",
                               "xblock-sdk/pull/1", "student_1", "ada"):
        assert secret_or_personal not in text


def test_the_student_view_is_multi_device(harness):
    block = harness.block()
    assert block.has_support(block.student_view, "multi_device")
    assert not block.has_support(block.studio_view, "multi_device")
