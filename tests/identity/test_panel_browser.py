"""The identity panel in the running demo: verify with the forge, then a contribution counts.

Keyboard only, textContent only, labelled controls, a live region for results.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import browser, demo, page  # noqa: F401

pytestmark = pytest.mark.slow

SCENARIO = "/scenario/upstream_contribution.0/"


def verify_with(page, forge):  # noqa: F811  (the page of the test that calls it)
    """Follow "Verify with FORGE" with the keyboard; the forge's tab says it is done."""
    panel = page.locator(".upstream-identity")
    link = panel.get_by_role("link", name=f"Verify with {forge} (opens in a new tab)")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
    link.focus()
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    forge_tab = opened.value
    forge_tab.wait_for_load_state()
    expect(forge_tab.locator("body")).to_contain_text("is now verified as your account")
    forge_tab.close()
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")  # headless tabs get no focus
    return panel


def test_verify_with_the_forge_then_the_contribution_counts(demo, page):  # noqa: F811
    page.goto(demo.base + SCENARIO + "?student=panel_learner")
    panel = page.locator(".upstream-identity")
    try:
        expect(panel.get_by_text("You have not verified a forge account yet.")).to_be_visible()
        expect(panel.locator(".upstream-identity-code")).to_have_text(re.compile(r"^upx-id-"))
    except AssertionError as exc:
        raise AssertionError(f"panel not ready: {page.content()[:3000]}\n{demo.log_tail()}") \
            from exc
    verify_with(page, "GitLab")
    account = panel.locator(".upstream-identity-account")
    expect(account).to_contain_text("learner on gitlab.com (signed in on the forge)")
    expect(panel.locator("[role=status]")).to_contain_text("Verified: learner on gitlab.com.")
    expect(panel.get_by_role("button", name="Remove learner on gitlab.com")).to_be_visible()

    block = page.locator(".upstream-contribution")
    block.get_by_label("Address of your pull request, merge request or change").fill(
        "https://gitlab.com/mooc-floss/demo/-/merge_requests/3")
    block.get_by_role("button", name="Register").click()
    expect(block.locator(".upstream-item")).to_contain_text(
        "You are its author: learner is your verified account on gitlab.com.")


def test_a_code_that_is_not_there_is_explained(demo, page):  # noqa: F811
    page.goto(demo.base + SCENARIO + "?student=panel_learner_2")
    panel = page.locator(".upstream-identity")
    field = panel.get_by_label("Address of the contribution where you posted your code")
    field.focus()
    page.keyboard.type("https://review.opendev.org/c/openstack/nova/+/900001")
    page.keyboard.press("Enter")
    expect(panel.locator("[role=alert]")).to_contain_text(
        "is not in a comment on this contribution yet")
    expect(panel.locator(".upstream-identity-account")).to_have_count(0)
