"""Course staff's path in the running demo: filter, select, bulk accept with a reason, the
job's progress and the audit entry; the CSV download (read back); an import's dry run;
axe-core on the staff view; the bulk path with the keyboard only; the README's screenshot."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_mentor_path import SCENARIO, register, tab_to

pytestmark = pytest.mark.slow

PENDING_PR = "https://github.com/openedx/xblock-sdk/pull/101"
OTHER_PR = "https://github.com/openedx/xblock/pull/8"


@pytest.fixture(scope="module")
def learners(demo, browser):
    context = browser.new_context()
    page = context.new_page()
    register(page, demo, "st_ada", PENDING_PR)
    register(page, demo, "st_bob", OTHER_PR)
    context.close()
    return "st_ada", "st_bob"


def staff_view(page, demo):
    page.goto(demo.base + SCENARIO + "?student=staff")
    view = page.locator(".upstream-progress")
    view.locator(".upx-table tbody tr").first.wait_for()
    return view


def filter_to(view, text):
    view.get_by_label("User name or contribution address contains").fill(text)
    view.get_by_role("button", name="Apply filters").click()
    expect(view.locator(".upx-status")).to_contain_text("1 learner matches")
    expect(view.locator(".upx-table tbody tr")).to_have_count(1)


def test_staff_bulk_accept_with_a_reason_shows_progress_and_audit(demo, page, learners):
    ada, _bob = learners
    view = staff_view(page, demo)
    filter_to(view, ada)
    view.get_by_label(f"Select {ada}").check()
    expect(view.locator(".upx-selection")).to_contain_text("1 learner selected")
    view.get_by_label("Action", exact=True).first.select_option("accept")
    view.get_by_label("Reason (recorded and shown to the learner)").fill(
        "Patch reviewed on the mailing list")
    view.get_by_role("button", name="Apply to the selection…").click()
    dialog = view.get_by_role("dialog")
    expect(dialog).to_contain_text(": 1 learner. This is recorded")
    expect(dialog.locator(".upx-dialog-title")).to_be_focused()
    dialog.get_by_role("button", name="Confirm").click()
    job = view.locator(".upx-job")
    expect(job).to_have_text(re.compile(r"^Done"))
    expect(job).to_contain_text("1 changed")
    expect(view.locator(".upx-table tbody")).to_contain_text("Completed")
    audit = view.locator(".upx-audit-table tbody tr").first
    expect(audit).to_contain_text("Patch reviewed on the mailing list")
    for text in ("Accepted", ada, "staff"):
        expect(audit).to_contain_text(text)
    assert demo.awarded(ada)
    # "Select all N matching": the confirmation says how many the filter holds.
    view.get_by_label("User name or contribution address contains").fill("st_")
    view.get_by_role("button", name="Apply filters").click()
    expect(view.locator(".upx-table tbody tr")).to_have_count(2)
    view.get_by_role("button", name="Select all 2 matching").click()
    view.get_by_label("Action", exact=True).first.select_option("check_now")
    view.get_by_role("button", name="Apply to the selection…").click()
    expect(view.get_by_role("dialog")).to_contain_text("2 learners")
    page.keyboard.press("Escape")
    expect(view.locator(".upx-dialog-backdrop")).to_be_hidden()
    expect(view.locator(".upx-bulk-start")).to_be_focused()
    screenshot(view, "staff-view.png")


def test_the_csv_export_is_the_filters_contributions(demo, page, learners):
    """The export runs as a job; the page offers a link to its file when it is ready."""
    ada, bob = learners
    view = staff_view(page, demo)
    filter_to(view, bob)
    view.get_by_role("button", name="Export the filtered learners' contributions (CSV)").click()
    link = view.get_by_role("link", name="Download the exported file")
    expect(link).to_be_focused()
    expect(view.locator(".upx-export-status")).to_contain_text("The file is ready: 1 contribution")
    with page.expect_download() as download:
        link.click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["username"], row["url"]) for row in rows] == [(bob, OTHER_PR)]
    assert rows[0]["forge"] == "github" and rows[0]["repository"]
    assert list(rows[0])[-4:] == ["action", "reason", "text", "visibility"]
    assert ada not in text


def test_an_import_dry_run_lists_changes_and_errors_and_changes_nothing(demo, page, learners):
    _ada, bob = learners
    view = staff_view(page, demo)
    before = demo.awarded(bob)
    content = ("username,action,url,reason,text,visibility\n"
               f"{bob},accept,,Seen at the sprint,,\nnobody,accept,,x,,\n").encode()
    view.get_by_label("Import an exported file", exact=False).set_input_files(
        files=[{"name": "overrides.csv", "mimeType": "text/csv", "buffer": content}])
    view.get_by_role("button", name="Check the file (dry run)").click()
    expect(view.locator(".upx-import-status")).to_have_text(re.compile(r"^Dry run"))
    changes = view.locator(".upx-import-changes tbody")
    for text in (bob, "Seen at the sprint", "Accept", "Completed"):  # words, not codes
        expect(changes).to_contain_text(text)
    errors = view.locator(".upx-import-errors tbody")
    for text in ("3", "username", "nobody"):
        expect(errors).to_contain_text(text)
    assert demo.awarded(bob) == before  # a dry run changes nothing


def test_axe_finds_no_serious_violation_on_the_staff_view(demo, page, learners, axe_source):
    view = staff_view(page, demo)
    view.get_by_label(f"Select {learners[1]}").check()
    view.get_by_role("button", name="Apply to the selection…").click()  # the dialog too
    expect(view.locator(".upx-dialog-title")).to_be_focused()
    assert axe_violations(page, axe_source, ".upstream-progress") == []


def test_the_staff_bulk_path_with_the_keyboard_only(demo, page, learners):
    _ada, bob = learners
    staff_view(page, demo)
    tab_to(page, "input[name=search]")
    page.keyboard.type(bob)
    page.keyboard.press("Enter")
    expect(page.locator(".upx-status")).to_contain_text("1 learner matches")
    expect(page.locator(".upx-table tbody tr")).to_have_count(1)
    tab_to(page, ".upx-select-row")
    page.keyboard.press("Space")
    tab_to(page, "select[name=action]")
    expect(page.locator("select[name=action]:focus")).to_have_value("check_now")
    tab_to(page, ".upx-bulk-start")
    page.keyboard.press("Enter")
    expect(page.locator(".upx-dialog-title")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(".upx-dialog-confirm")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".upx-job")).to_have_text(re.compile(r"^Done"))
    expect(page.locator(".upx-bulk-start")).to_be_focused()


def test_the_focus_stays_on_the_rows_control_when_the_table_is_drawn_again(demo, page,
                                                                           learners):
    """A bulk job's end, an import or a dialog draws the table again (helpers.reload): the
    keyboard's focus, on a row's checkbox, is on that row's new checkbox afterwards."""
    _ada, bob = learners
    staff_view(page, demo)
    tab_to(page, f".upx-select-row[value='{bob}']")
    page.keyboard.press("Space")
    page.evaluate("document.querySelector('.upstream-progress .upx-table tbody tr')"
                  ".setAttribute('data-drawn', 'before')")
    page.evaluate("document.querySelector('.upstream-progress .upx-filters').requestSubmit()")
    page.wait_for_function("!document.querySelector('.upx-table tbody tr[data-drawn]')"
                           " && document.querySelectorAll('.upx-table tbody tr').length > 0")
    assert page.evaluate("""(bob) => {
        const e = document.activeElement;
        return e.classList.contains("upx-select-row") && e.value === bob && e.checked;
    }""", bob)
