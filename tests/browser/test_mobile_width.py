"""The learner's view on a phone (the mobile apps show it in a web view): at 320 CSS pixels
nothing is wider than the screen, and a learner registers a contribution and reads its card."""

import pytest

from tests.browser.conftest import screenshot, verify_with

pytestmark = pytest.mark.slow

SCENARIO = "/scenario/upstream_contribution.0/"
PR = "https://github.com/openedx/xblock-sdk/pull/101"

OVERFLOWING = """root => Array.from(root.querySelectorAll("*")).filter(node => {
    const box = node.getBoundingClientRect();
    return box.width > 0 && (box.right > window.innerWidth + 0.5 || box.left < -0.5);
}).map(node => node.className || node.tagName)"""


def test_the_learner_view_works_at_320_pixels(demo, browser):
    # (A 320-pixel-wide window: the workbench's page sets no viewport meta for a phone's
    # browser to honour; the LMS and the apps' web views do.)
    context = browser.new_context(viewport={"width": 320, "height": 640}, has_touch=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(demo.base + SCENARIO + "?student=phone_learner")
    verify_with(page, "GitHub", demo, login="phone-learner")
    block = page.locator(".upstream-contribution")
    block.get_by_label("Address of your pull request, merge request or change").fill(PR)
    block.get_by_label("Your user name on that forge").fill("phone-learner")
    block.get_by_role("button", name="Register").click()
    block.locator(".upstream-item").wait_for()
    block.locator(".upstream-check").first.wait_for()

    # The block, its cards, checks and form fit (the workbench's own title bar does not: it
    # is not the block's).
    assert block.evaluate(OVERFLOWING) == []
    assert block.evaluate("root => root.scrollWidth <= root.clientWidth")
    assert block.bounding_box()["x"] + block.bounding_box()["width"] <= 320
    for control in (block.get_by_role("button", name="Withdraw"),
                    block.get_by_label("Address of your pull request, merge request or change")):
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    screenshot(block, "learner-view-320.png")
    context.close()
    assert errors == []
