"""The learner path in the running demo: register, merge in the simulator, see it complete live."""

import json
import time
import urllib.request

import pytest

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
    page.goto(demo.base + SCENARIO + "?student=browser_learner")
    verify_with(page, "GitHub")
    block = page.locator(".upstream-contribution")
    block.get_by_label("Address of your pull request, merge request or change").fill(PR)
    block.get_by_label("Your user name on that forge").fill("learner")
    block.get_by_role("button", name="Register").click()

    item = block.locator(".upstream-item")
    item.wait_for()
    assert "Fix a typo in the workbench README" in item.inner_text()
    assert "Waiting for the maintainers to accept it." in item.inner_text()
    link = item.locator("a.upstream-item-link")
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in link.get_attribute("rel")
    assert block.locator(".upstream-summary").inner_text().startswith("0 of 1 accepted")

    page.evaluate("window.__still_the_same_page = true")
    simulator_action(demo, "merge", kind="github", project="openedx/xblock-sdk", number=101)

    try:
        page.wait_for_function("document.querySelector('.upstream-contribution')"
                               ".classList.contains('upstream-completed')", timeout=30000)
    except Exception as exc:
        raise AssertionError(f"not completed; page says {block.inner_text()!r}; demo log:\n"
                             f"{demo.log_tail()}") from exc
    assert page.evaluate("window.__still_the_same_page") is True
    assert block.locator(".upstream-summary").inner_text().startswith("1 of 1 accepted")
    assert "Counted for your grade" in item.inner_text()
    assert block.get_by_role("button", name="Check now").is_hidden()


def test_bad_address_is_explained_next_to_the_field(demo, page):
    page.goto(demo.base + SCENARIO + "?student=browser_learner_2")
    block = page.locator(".upstream-contribution")
    field = block.get_by_label("Address of your pull request, merge request or change")
    field.fill("https://github.com/openedx/xblock-sdk/issues/3")
    block.get_by_role("button", name="Register").click()
    alert = block.locator(".upstream-form-error")
    alert.wait_for()
    page.wait_for_function("document.querySelector('.upstream-form-error').textContent.length > 0")
    assert "This is an issue, not a contribution." in alert.inner_text()
    assert field.get_attribute("aria-invalid") == "true"


def test_two_blocks_in_one_unit_work_independently(demo, page):
    page.goto(demo.base + "/scenario/upstream_contribution.2/?student=browser_learner_3")
    blocks = page.locator(".upstream-contribution")
    assert blocks.count() == 2
    second = blocks.nth(1)
    second.get_by_label("Address of your pull request, merge request or change").fill(
        "https://gitlab.com/mooc-floss/demo/-/merge_requests/3")
    second.get_by_label("Your user name on that forge").fill("learner")
    second.get_by_role("button", name="Register").click()
    second.locator(".upstream-item").wait_for()
    assert blocks.nth(0).locator(".upstream-item").count() == 0
    first = blocks.nth(0)
    first.get_by_label("Address of your pull request, merge request or change").fill(
        "https://gitlab.com/mooc-floss/demo/-/merge_requests/3")
    first.get_by_role("button", name="Register").click()
    page.wait_for_function(
        "document.querySelectorAll('.upstream-form-error')[0].textContent.length > 0")
    assert "github.com" in first.locator(".upstream-form-error").inner_text()


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
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and not demo.awarded("browser_learner_4"):
        time.sleep(0.5)
    assert demo.awarded("browser_learner_4"), "the background sweep did not award the learner"

    page.goto(demo.base + SCENARIO + "?student=browser_learner_4")
    assert block.locator(".upstream-summary").inner_text().startswith("1 of 1 accepted")
