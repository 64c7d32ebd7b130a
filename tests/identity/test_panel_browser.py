"""The identity panel in the running demo: verify with the forge, then a contribution counts.

Keyboard only, textContent only, labelled controls, a live region for results.
"""

import pytest

from tests.browser.conftest import browser, demo, page  # noqa: F401

pytestmark = pytest.mark.slow

SCENARIO = "/scenario/upstream_contribution.0/"


def verify_with(page, forge):  # noqa: F811  (the page of the test that calls it)
    """Follow "Verify with FORGE" with the keyboard; the forge's tab says it is done."""
    panel = page.locator(".upstream-identity")
    link = panel.get_by_role("link", name=f"Verify with {forge} (opens in a new tab)")
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in link.get_attribute("rel")
    link.focus()
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    forge_tab = opened.value
    forge_tab.wait_for_load_state()
    assert "is now verified as your account" in forge_tab.inner_text("body"), \
        forge_tab.inner_text("body")
    forge_tab.close()
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")  # headless tabs get no focus
    return panel


def test_verify_with_the_forge_then_the_contribution_counts(demo, page):  # noqa: F811
    page.goto(demo.base + SCENARIO + "?student=panel_learner")
    panel = page.locator(".upstream-identity")
    try:
        panel.get_by_text("You have not verified a forge account yet.").wait_for(
            state="visible", timeout=15000)
        page.wait_for_function(
            "document.querySelector('.upstream-identity-code').textContent.length > 0")
    except Exception as exc:
        raise AssertionError(f"panel not ready: {page.content()[:3000]}\n{demo.log_tail()}") \
            from exc
    code = panel.locator(".upstream-identity-code").inner_text()
    assert code.startswith("upx-id-")
    verify_with(page, "GitLab")
    account = panel.locator(".upstream-identity-account")
    account.wait_for()
    assert "learner on gitlab.com (signed in on the forge)" in account.inner_text()
    assert "Verified: learner on gitlab.com." in panel.locator("[role=status]").inner_text()
    button = panel.get_by_role("button", name="Remove learner on gitlab.com")
    assert button.is_visible()

    block = page.locator(".upstream-contribution")
    block.get_by_label("Address of your pull request, merge request or change").fill(
        "https://gitlab.com/mooc-floss/demo/-/merge_requests/3")
    block.get_by_role("button", name="Register").click()
    item = block.locator(".upstream-item")
    item.wait_for()
    assert "You are its author: learner is your verified account on gitlab.com." in \
        item.inner_text()


def test_a_code_that_is_not_there_is_explained(demo, page):  # noqa: F811
    page.goto(demo.base + SCENARIO + "?student=panel_learner_2")
    panel = page.locator(".upstream-identity")
    field = panel.get_by_label("Address of the contribution where you posted your code")
    field.focus()
    page.keyboard.type("https://review.opendev.org/c/openstack/nova/+/900001")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelector('.upstream-identity-error').textContent.length > 0")
    assert "is not in a comment on this contribution yet" in \
        panel.locator("[role=alert]").inner_text()
    assert panel.locator(".upstream-identity-account").count() == 0
