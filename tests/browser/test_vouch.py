"""A mentor vouches for a learner's mailing-list patch with the keyboard only, in the running
demo; the learner's status then shows it "accepted by a mentor" and the unit complete."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, redrawn
from tests.browser.test_mentor_path import SCENARIO, learner_status, mentor_table, register

pytestmark = pytest.mark.slow

LEARNER = "bv_ada"
NOT_HERS = "https://github.com/openedx/xblock/pull/8"  # someone else's: rejected
LIST_POST = "https://lists.example.org/archives/dev/2026-November/000123.html"
REASON = "Her patch was applied from the mailing list."
TABLE_ROWS = ".upx-table tbody tr"


def row_menu(page, username):
    """The menu button of ``username``'s row of the mentors' table ("Actions for …")."""
    return page.locator(".upx-row-menu-toggle").filter(
        has_text=re.compile(" " + re.escape(username) + "$"))


def vouch_item(page, username):
    """The vouch item of ``username``'s row menu."""
    return page.locator(".upx-vouch-open").filter(
        has_text=re.compile(" " + re.escape(username) + "$"))


def tab_to_row_menu(page, username, limit=120):
    """Tab until the focus is on the menu button of ``username``'s row."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("""(name) => {
                const e = document.activeElement;
                return !!e && e.classList.contains("upx-row-menu-toggle")
                    && e.textContent.endsWith(" " + name);
            }""", username):
            return
    raise AssertionError(f"Tab never reached the row menu of {username}")


class HeldTableLoads:
    """The mentors' table's requests to the server (``progress``), held until released: the
    page's state between a vouch and the table drawn again, for as long as a test needs."""

    PATTERN = "**/handler/**/progress/**"

    def __init__(self, page):
        self.page, self.routes = page, []
        page.route(self.PATTERN, self._hold)

    def _hold(self, route):
        self.routes.append(route)

    def wait_for_one(self):
        if not self.routes:
            self.page.wait_for_event("request", predicate=lambda r: "/progress/" in r.url)
            self.page.evaluate("0")  # its route, sent just after the request, is handled by now
        assert len(self.routes) == 1, self.routes

    def release(self):
        for route in self.routes:
            route.continue_()
        self.page.unroute(self.PATTERN)


def open_the_dialog(page, username):
    """On the focused row menu button: Enter opens the menu, the arrow moves to the vouch
    item, Enter opens the dialog on its first field."""
    page.keyboard.press("Enter")
    expect(page.locator(".upx-row-menu-list:not([hidden]) [role=menuitem]").first).to_be_focused()
    while not vouch_item(page, username).evaluate("e => e === document.activeElement"):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.locator(".upx-vouch[open]").wait_for()
    expect(page.locator(".upx-vouch [name=url]")).to_be_focused()


def vouch_with_the_keyboard(page):
    """In the open dialog: the address, no description, the reason, Enter."""
    page.keyboard.type(LIST_POST)
    page.keyboard.press("Tab")  # the description: none, the address says it all
    page.keyboard.press("Tab")
    expect(page.locator(".upx-vouch [name=reason]")).to_be_focused()
    page.keyboard.type(REASON)
    page.keyboard.press("Enter")
    expect(page.locator(".upx-vouch-status")).to_contain_text("now complete")


def test_a_mentor_vouches_with_the_keyboard_and_the_learner_sees_it(demo, page, browser,
                                                                    axe_source):
    context = browser.new_context()
    learner_page = context.new_page()
    register(learner_page, demo, LEARNER, NOT_HERS)
    assert learner_status(learner_page, LEARNER)["completed"] is False

    mentor_table(page, demo)
    tab_to_row_menu(page, LEARNER)
    open_the_dialog(page, LEARNER)
    assert axe_violations(page, axe_source, ".upx-vouch") == []
    # The vouch closes the dialog, then asks the server for the table again: that answer is
    # held, so that the dialog's own promise is read before the table is drawn again.
    held = HeldTableLoads(page)
    vouch_with_the_keyboard(page)
    expect(page.locator(".upx-vouch[open]")).to_have_count(0)
    expect(row_menu(page, LEARNER)).to_be_focused()  # back on the row's menu button
    held.wait_for_one()
    with redrawn(page, TABLE_ROWS):
        held.release()
    expect(page.locator(".upx-table")).to_contain_text("Accepted by a mentor: " + REASON)
    # Drawn again, the table gives the focus back to the same row's menu button, not the page.
    expect(row_menu(page, LEARNER)).to_be_focused()
    assert demo.awarded(LEARNER)

    status = learner_status(learner_page, LEARNER)
    assert status["completed"] is True
    vouched = [c for c in status["contributions"] if c["url"] == LIST_POST][0]
    assert vouched["checks"][0]["reason"] == "Accepted by a mentor: " + REASON
    learner_page.goto(demo.base + SCENARIO + f"?student={LEARNER}")
    block = learner_page.locator(".upstream-contribution")
    block.get_by_text("Accepted by a mentor: " + REASON).wait_for()
    context.close()


def test_the_focus_stays_on_the_learners_row_once_the_table_is_drawn_again(demo, page,
                                                                           browser):
    """The vouch redraws the table (every row anew): the new row's menu button gets the focus
    the dialog gave back to the old one."""
    context = browser.new_context()
    register(context.new_page(), demo, "bv_cy", NOT_HERS)
    context.close()
    mentor_table(page, demo)
    row_menu(page, "bv_cy").focus()
    open_the_dialog(page, "bv_cy")
    with redrawn(page, TABLE_ROWS):
        vouch_with_the_keyboard(page)
    expect(page.locator(".upx-table")).to_contain_text("Accepted by a mentor: " + REASON)
    expect(row_menu(page, "bv_cy")).to_be_focused()


def focused_row_control(page):
    """(learner of the focused element's row, whether it is the row's menu button), or None."""
    found = page.evaluate("""() => {
        const e = document.activeElement, row = e && e.closest && e.closest("tr[data-learner]");
        return row ? [row.getAttribute("data-learner"), e.classList.contains("upx-row-menu-toggle")]
                   : null;
    }""")
    return (found[0], "upx-row-menu-toggle" if found[1] else "other") if found else None


def test_staff_withdraw_with_the_keyboard_and_the_focus_returns_to_the_row(demo, page, browser):
    """A dialog, then the table drawn again: the focus is on the same row's control."""
    context = browser.new_context()
    register(context.new_page(), demo, "bv_cleo", NOT_HERS)
    context.close()
    mentor_table(page, demo)
    tab_to_row_menu(page, "bv_cleo")
    open_the_dialog(page, "bv_cleo")
    vouch_with_the_keyboard(page)
    page.wait_for_function("document.querySelector('.upx-table').innerText"
                           f".includes({('Accepted by a mentor: ' + REASON)!r})")
    staff = browser.new_context().new_page()
    mentor_table(staff, demo, student="staff")
    tab_to_row_menu(staff, "bv_cleo")
    open_the_dialog(staff, "bv_cleo")
    staff.locator(".upx-vouch-list li").wait_for()
    staff.locator(".upx-vouch-list input").focus()
    staff.keyboard.type("Not her patch after all")
    staff.keyboard.press("Tab")  # the Withdraw button
    staff.keyboard.press("Enter")
    staff.wait_for_function("document.querySelector('.upx-vouch-status').textContent"
                            ".includes('withdrawn')")
    staff.wait_for_function("document.querySelector('.upx-table').innerText"
                            ".includes('withdrew a mentor')")
    assert focused_row_control(staff) == ("bv_cleo", "upx-row-menu-toggle")
    staff.context.close()


def test_escape_closes_the_dialog_and_returns_the_focus(demo, page, browser):
    context = browser.new_context()
    register(context.new_page(), demo, "bv_bob", NOT_HERS)
    context.close()
    mentor_table(page, demo)
    opener = row_menu(page, "bv_bob")
    opener.focus()
    open_the_dialog(page, "bv_bob")
    page.keyboard.press("Escape")
    expect(page.locator(".upx-vouch[open]")).to_have_count(0)
    expect(opener).to_be_focused()
