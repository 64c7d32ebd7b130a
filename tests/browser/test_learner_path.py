"""The learner path in the running demo: register, merge in the simulator, see it complete live."""

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from .conftest import register_as

pytestmark = pytest.mark.slow

SCENARIO = "/scenario/upstream_contribution.0/"
PR = "https://github.com/openedx/xblock-sdk/pull/101"


def simulator_action(demo, action, **body):
    request = urllib.request.Request(f"{demo.sim}/_sim/{action}", data=json.dumps(body).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
        return json.loads(response.read())


def verify_with(page, forge):
    """The learner verifies their forge account ("learner" on the simulator) once."""
    with page.context.expect_page() as opened:
        page.locator(".upstream-identity").get_by_role(
            "link", name=f"Verify with {forge} (opens in a new tab)").click()
    opened.value.wait_for_load_state()
    opened.value.close()


def test_register_merge_and_complete_without_reload(demo, page):
    block = register_as(page, demo.base, SCENARIO, "browser_learner", PR)

    item = block.locator(".upstream-item")
    # The card comes at once; its title and checks once the forge was asked.
    expect(item).to_contain_text("Fix a typo in the workbench README")
    expect(item).to_contain_text("Waiting for the maintainers to accept it.")
    link = item.locator("a.upstream-item-link")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
    expect(block.locator(".upstream-summary")).to_have_text(re.compile(r"^0 of 1 accepted"))

    page.evaluate("window.__still_the_same_page = true")
    simulator_action(demo, "merge", kind="github", project="openedx/xblock-sdk", number=101)

    try:
        page.wait_for_function("document.querySelector('.upstream-contribution')"
                               ".classList.contains('upstream-completed')", timeout=30000)
    except Exception as exc:
        raise AssertionError(f"not completed; page says {block.inner_text()!r}; demo log:\n"
                             f"{demo.log_tail()}") from exc
    assert page.evaluate("window.__still_the_same_page") is True
    expect(block.locator(".upstream-summary")).to_have_text(re.compile(r"^1 of 1 accepted"))
    expect(item).to_contain_text("Counted for your grade")
    expect(block.get_by_role("button", name="Check now")).to_be_hidden()


def test_bad_address_is_explained_next_to_the_field(demo, page):
    page.goto(demo.base + SCENARIO + "?student=browser_learner_2")
    block = page.locator(".upstream-contribution")
    field = block.get_by_label("Address of your pull request, merge request or change")
    field.fill("https://github.com/openedx/xblock-sdk/issues/3")
    block.get_by_role("button", name="Register").click()
    alert = block.locator(".upstream-form-error")
    expect(alert).to_contain_text("This is an issue, not a contribution.")
    expect(field).to_have_attribute("aria-invalid", "true")


def test_two_blocks_in_one_unit_work_independently(demo, page):
    page.goto(demo.base + "/scenario/upstream_contribution.2/?student=browser_learner_3")
    blocks = page.locator(".upstream-contribution")
    expect(blocks).to_have_count(2)
    second = blocks.nth(1)
    second.get_by_label("Address of your pull request, merge request or change").fill(
        "https://gitlab.com/mooc-floss/demo/-/merge_requests/3")
    second.get_by_label("Your user name on that forge").fill("learner")
    second.get_by_role("button", name="Register").click()
    second.locator(".upstream-item").wait_for()
    expect(blocks.nth(0).locator(".upstream-item")).to_have_count(0)
    first = blocks.nth(0)
    first.get_by_label("Address of your pull request, merge request or change").fill(
        "https://gitlab.com/mooc-floss/demo/-/merge_requests/3")
    first.get_by_role("button", name="Register").click()
    expect(first.locator(".upstream-form-error")).to_contain_text("github.com")


def test_a_merge_completes_the_unit_with_no_page_open(demo, page):
    page.goto(demo.base + SCENARIO + "?student=browser_learner_4")
    verify_with(page, "Codeberg")
    block = page.locator(".upstream-contribution")
    block.get_by_label("Address of your pull request, merge request or change").fill(
        "https://codeberg.org/forgejo/forgejo/pulls/42")
    block.get_by_label("Your user name on that forge").fill("learner")
    block.get_by_role("button", name="Register").click()
    block.locator(".upstream-item").wait_for()
    page.goto("about:blank")  # the learner leaves

    simulator_action(demo, "merge", kind="gitea", project="forgejo/forgejo", number=42)
    demo.wait_until_awarded("browser_learner_4")  # by the background sweep, no page open

    page.goto(demo.base + SCENARIO + "?student=browser_learner_4")
    expect(block.locator(".upstream-summary")).to_have_text(re.compile(r"^1 of 1 accepted"))
