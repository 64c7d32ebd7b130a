"""The course-wide workspace and the changed dialogs in the running demo: each learner once
with every activity, its filters (an error next to its field), the export-and-import round
trip, axe-core, the keyboard alone, at 320 px too; the row menu, the annotation form at its
row, the vouch dialog's look and labels at 320 px. Screenshots for docs/screenshots/."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, redrawn, screenshot
from tests.browser.test_mentor_path import SCENARIO, mentor_table, register, tab_to

pytestmark = pytest.mark.slow

WORKSPACE = "/upstream-xblock/course/workbench/"
PENDING_PR = "https://github.com/openedx/xblock-sdk/pull/101"
OTHER_PR = "https://github.com/openedx/xblock/pull/8"
FIRST = "/scenario/upstream_contribution.0/"
LEARNERS = ("ws_ada", "ws_bob", "ws_cy", "ws_dee", "ws_eve")


@pytest.fixture(scope="module")
def course(demo, browser):
    """Five learners in the mentored activity, two of them in the first one too."""
    context = browser.new_context()
    page = context.new_page()
    for learner in LEARNERS:
        register(page, demo, learner, OTHER_PR)
    for learner in LEARNERS[:2]:
        page.goto(demo.base + FIRST + f"?student={learner}")
        block = page.locator(".upstream-contribution")
        block.get_by_label("Address of your pull request, merge request or change").fill(PENDING_PR)
        block.get_by_role("button", name="Register").click()
        block.locator(".upstream-item").wait_for()
    context.close()
    return LEARNERS


def workspace(page, demo, student="staff", width=None):
    if width:
        page.set_viewport_size({"width": width, "height": 800})
    page.goto(demo.base + WORKSPACE + f"?student={student}")
    view = page.locator(".upstream-workspace")
    expect(view.locator(".upx-status")).to_contain_text("match")
    return view


def ours(view):
    view.get_by_label("User name or contribution address contains").fill("ws_")
    view.get_by_role("button", name="Apply filters").click()
    expect(view.locator(".upx-status")).to_contain_text("5 learners match")


def test_each_learner_once_with_every_activity(demo, page, course, axe_source):
    view = workspace(page, demo)
    ours(view)
    rows = view.locator(".upx-table tbody tr")
    expect(rows).to_have_count(5)
    headers = view.locator(".upx-table thead th.upx-activity-col")
    expect(headers).to_contain_text(["Mentored upstream contribution",  # by name
                                     "Your first upstream contribution"])
    ada = rows.filter(has_text="ws_ada")
    expect(ada).to_contain_text("0 of 2 activities complete")
    expect(ada.locator(".upx-activity-cell .upx-verdict")).to_have_count(2)
    dee = rows.filter(has_text="ws_dee")
    expect(dee).to_contain_text("0 of 1 activity complete")
    expect(dee.locator(".upx-activity-cell").nth(1)).to_contain_text("Nothing registered")
    # One activity: the learners of the first only.
    view.get_by_label("Activity", exact=True).select_option(
        label="Your first upstream contribution")
    view.get_by_role("button", name="Apply filters").click()
    expect(view.locator(".upx-status")).to_contain_text("2 learners match")
    assert axe_violations(page, axe_source, "body") == []
    screenshot(page.locator("body"), "course-workspace.png")


def test_a_filter_error_shows_next_to_its_field(demo, page, course):
    view = workspace(page, demo)
    field = view.get_by_label("Waiting for review longer than (days)")
    field.fill("-3")
    view.get_by_role("button", name="Apply filters").click()
    error = view.locator(".upx-field-error")
    expect(error).to_have_text("Enter a number of days from 0 to 3650.")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    described = field.get_attribute("aria-describedby")
    assert error.get_attribute("id") in described.split()


def test_a_mentor_sees_it_without_the_staff_tools_and_a_learner_not_at_all(demo, page, course):
    view = workspace(page, demo, student="mia")
    expect(view.locator(".upx-table tbody")).to_contain_text("ws_ada")
    expect(view.locator(".upx-bulk")).to_have_count(0)
    response = page.goto(demo.base + WORKSPACE + "?student=ws_ada")
    assert response.status == 403


def test_the_blocks_table_links_to_it(demo, page, course):
    mentor_table(page, demo, "staff")
    page.get_by_role("link", name="The whole course: every learner in every upstream "
                                  "activity").click()
    expect(page.locator(".upx-ws-title")).to_have_text("Upstream contributions of the course")
    expect(page.locator(".upstream-workspace .upx-bulk")).to_have_count(1)  # still staff


def test_export_fill_and_import_the_same_file(demo, page, course, tmp_path):
    """The gradebook's round trip, in the workspace: export, fill a row, dry run, import."""
    view = workspace(page, demo)
    view.get_by_label("User name or contribution address contains").fill("ws_cy")
    view.get_by_role("button", name="Apply filters").click()
    expect(view.locator(".upx-status")).to_contain_text("1 learner matches")
    view.get_by_role("button", name="Export the filtered learners' contributions (CSV)").click()
    link = view.get_by_role("link", name="Download the exported file")
    expect(link).to_be_focused()
    with page.expect_download() as download:
        link.click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert [row["username"] for row in rows] == ["ws_cy"]
    rows[0].update(action="annotate", text="Seen your patch on the list", visibility="learner")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    file = tmp_path / "filled.csv"
    file.write_text(out.getvalue(), encoding="utf-8")
    view.get_by_label("Import an exported file", exact=False).set_input_files(str(file))
    view.get_by_role("button", name="Check the file (dry run)").click()
    expect(view.locator(".upx-import-status")).to_have_text(
        re.compile(r"^Dry run: 1 change, 0 errors"))
    expect(view.locator(".upx-import-changes tbody")).to_contain_text("Annotate")
    view.get_by_role("button", name="Import", exact=True).click()
    expect(view.locator(".upx-import-status")).to_have_text(re.compile(r"^Imported: 1 change made"))
    expect(view.locator(".upx-audit-table tbody")).to_contain_text("Seen your patch on the list")


def test_the_keyboard_reaches_the_bulk_tools_in_a_few_presses(demo, page, course):
    workspace(page, demo)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the learners")).to_be_focused()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the bulk actions")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".upstream-workspace .upx-bulk .upx-section-title")).to_be_focused()
    tab_to(page, ".upx-select-all", limit=5)


@pytest.mark.parametrize("who", ["staff", "mia"])
def test_at_320_px(demo, page, course, axe_source, who):
    view = workspace(page, demo, student=who, width=320)
    ours(view)
    assert axe_violations(page, axe_source, "body") == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the page scrolls sideways; only the table's own box may"
    if who == "staff":
        screenshot(page.locator("body"), "course-workspace-320.png")


def test_the_row_menu_and_the_annotation_form_at_its_row(demo, page, course, axe_source):
    table = mentor_table(page, demo, "staff")
    table.get_by_label("User name or contribution address contains").fill("ws_")
    table.get_by_role("button", name="Apply filters").click()
    expect(table.locator(".upx-status")).to_contain_text("5 learners match")
    toggle = table.get_by_role("button", name="Actions for ws_eve")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(table.get_by_role("menuitem", name="Annotate ws_eve")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(table.get_by_role("menuitem", name="Accept a contribution of ws_eve")).to_be_focused()
    page.keyboard.press("Escape")
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # Annotate: the form opens under the row
    form = table.locator(".upx-annotate")
    expect(form.locator("[name=text]")).to_be_focused()
    row_box = table.locator("tr[data-learner=ws_eve]").bounding_box()
    form_box = form.bounding_box()
    assert 0 <= form_box["y"] - (row_box["y"] + row_box["height"]) <= 40, (row_box, form_box)
    assert axe_violations(page, axe_source, ".upstream-progress") == []
    screenshot(table, "mentor-table.png")
    page.keyboard.press("Escape")
    expect(toggle).to_be_focused()
    expect(form).to_be_hidden()


def test_the_vouch_dialog_at_320_px(demo, page, course, axe_source):
    page.set_viewport_size({"width": 320, "height": 700})
    table = mentor_table(page, demo, "staff")
    table.get_by_role("button", name="Actions for ws_dee").click()
    table.get_by_role("menuitem", name="Accept a contribution of ws_dee").click()
    dialog = page.locator(".upx-vouch[open]")
    expect(dialog.get_by_label("Address of the contribution (optional)")).to_be_focused()
    for name in ("Description (when there is no address)", "Why you accept it"):
        expect(dialog.get_by_label(name)).to_be_visible()
    submit = dialog.get_by_role("button", name="Accept the contribution")
    assert submit.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(10, 48, 85)"
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
    assert axe_violations(page, axe_source, ".upx-vouch") == []
    screenshot(dialog, "vouch-dialog-320.png")
    page.keyboard.press("Escape")
    expect(table.get_by_role("button", name="Actions for ws_dee")).to_be_focused()


def test_the_bulk_confirmation_at_320_px(demo, page, course, axe_source):
    page.set_viewport_size({"width": 320, "height": 700})
    view = workspace(page, demo)
    ours(view)
    view.get_by_label("Select ws_ada").check()
    expect(view.locator(".upx-selection")).to_contain_text("1 learner selected")
    view.get_by_role("button", name="Apply to the selection…").click()
    dialog = view.get_by_role("dialog")
    expect(dialog).to_contain_text("Check now on the forge: 1 learner.")
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
    assert axe_violations(page, axe_source, ".upx-dialog") == []
    page.keyboard.press("Escape")
    expect(view.get_by_role("button", name="Apply to the selection…")).to_be_focused()


def held_answers(page, text):
    """The tables' ``progress`` requests whose body holds ``text``, held unanswered until
    the test lets each go (``route.continue_()``): a busy server's late answer, arriving
    when the test says rather than after some time."""
    held = []
    page.route("**/progress/**", lambda route: held.append(route)
               if text in (route.request.post_data or "") else route.continue_())
    return held


def test_the_status_says_loading_until_the_filtered_table_is_drawn(demo, page, course):
    """The unfiltered and the filtered tables both hold 5 learners: until the filter's
    answer is drawn, the status line must not say the count of the rows about to go."""
    held = held_answers(page, "ws_")
    view = workspace(page, demo)
    expect(view.locator(".upx-status")).to_contain_text("5 learners match")
    view.get_by_label("User name or contribution address contains").fill("ws_")
    view.get_by_role("button", name="Apply filters").click()
    expect(view.locator(".upx-status")).to_have_text("Loading learners…")
    expect(view).to_have_attribute("aria-busy", "true")
    assert len(held) == 1
    held[0].continue_()
    expect(view.locator(".upx-status")).to_contain_text("5 learners match")
    expect(view).not_to_have_attribute("aria-busy", "true")


def test_a_redraw_while_a_row_menu_is_open_keeps_the_focus_on_its_row(demo, page, course):
    """The table drawn again while a row's menu has the focus (an answer, a job's end): the
    focus goes to that row's new menu button, never to the page."""
    table = mentor_table(page, demo, "staff")
    toggle = table.get_by_role("button", name="Actions for ws_eve")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(table.get_by_role("menuitem", name="Annotate ws_eve")).to_be_focused()
    with redrawn(page, ".upstream-progress .upx-table tbody tr"):
        table.locator(".upx-filters").evaluate("form => form.requestSubmit()")
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")


def test_the_learner_page_says_too_long_of_a_long_address(demo, page):
    page.goto(demo.base + SCENARIO + "?student=ws_long")
    block = page.locator(".upstream-contribution")
    block.get_by_label("Address of your pull request, merge request or change").fill(
        "https://github.com/openedx/xblock/pull/1?" + "x" * 3000)
    block.get_by_role("button", name="Register").click()
    expect(block.locator("[role=alert]").filter(has_text="too long")).to_have_count(1)
