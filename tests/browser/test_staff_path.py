"""Course staff's path in the running demo: filter, select, bulk accept with a reason, the
job's progress and the audit entry; the CSV download (read back); an import's dry run;
axe-core on the staff view; the bulk path with the keyboard only; the README's screenshot."""

import csv
import io
from pathlib import Path

import pytest

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


def filter_to(page, view, text):
    view.get_by_label("User name or contribution address contains").fill(text)
    view.get_by_role("button", name="Apply filters").click()
    page.wait_for_function("document.querySelectorAll('.upx-table tbody tr').length === 1")


def test_staff_bulk_accept_with_a_reason_shows_progress_and_audit(demo, page, learners):
    ada, _bob = learners
    view = staff_view(page, demo)
    filter_to(page, view, ada)
    view.get_by_label(f"Select {ada}").check()
    assert "1 learners selected" in view.locator(".upx-selection").inner_text()
    view.get_by_label("Action").first.select_option("accept")
    view.get_by_label("Reason (recorded and shown to the learner)").fill(
        "Patch reviewed on the mailing list")
    view.get_by_role("button", name="Apply to the selection…").click()
    dialog = view.get_by_role("dialog")
    assert "1 learners" in dialog.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('upx-dialog-title')")
    dialog.get_by_role("button", name="Confirm").click()
    page.wait_for_function("document.querySelector('.upx-job').innerText.startsWith('Done')")
    assert "1 changed" in view.locator(".upx-job").inner_text()
    page.wait_for_function("document.querySelector('.upx-table tbody').innerText"
                           ".includes('Completed')")
    page.wait_for_function("document.querySelector('.upx-audit-table tbody').innerText"
                           ".includes('Patch reviewed on the mailing list')")
    audit = view.locator(".upx-audit-table tbody tr").first.inner_text()
    assert "Accepted" in audit and ada in audit and "staff" in audit
    assert demo.awarded(ada)
    # "Select all N matching": the confirmation says how many the filter holds.
    view.get_by_label("User name or contribution address contains").fill("st_")
    view.get_by_role("button", name="Apply filters").click()
    page.wait_for_function("document.querySelectorAll('.upx-table tbody tr').length === 2")
    view.get_by_role("button", name="Select all 2 matching").click()
    view.get_by_label("Action").first.select_option("check_now")
    view.get_by_role("button", name="Apply to the selection…").click()
    assert "2 learners" in view.get_by_role("dialog").inner_text()
    page.keyboard.press("Escape")
    assert view.locator(".upx-dialog-backdrop").is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('upx-bulk-start')")
    screenshot(view, "staff-view.png")


def test_the_csv_download_is_the_filters_contributions(demo, page, learners):
    ada, bob = learners
    view = staff_view(page, demo)
    filter_to(page, view, bob)
    with page.expect_download() as download:
        view.get_by_role("link", name="Download the filtered learners' contributions (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["username"], row["url"]) for row in rows] == [(bob, OTHER_PR)]
    assert rows[0]["forge"] == "github" and rows[0]["repository"]
    assert ada not in text


def test_an_import_dry_run_lists_changes_and_errors_and_changes_nothing(demo, page, learners):
    _ada, bob = learners
    view = staff_view(page, demo)
    before = demo.awarded(bob)
    content = ("username,action,url,reason,text,visibility\n"
               f"{bob},accept,,Seen at the sprint,,\nnobody,accept,,x,,\n").encode()
    view.get_by_label("Import overrides and annotations", exact=False).set_input_files(
        files=[{"name": "overrides.csv", "mimeType": "text/csv", "buffer": content}])
    view.get_by_role("button", name="Check the file (dry run)").click()
    page.wait_for_function("document.querySelector('.upx-import-status').innerText"
                           ".startsWith('Dry run')")
    changes = view.locator(".upx-import-changes tbody").inner_text()
    errors = view.locator(".upx-import-errors tbody").inner_text()
    assert bob in changes and "Seen at the sprint" in changes and "accepted" in changes
    assert "3" in errors and "username" in errors and "nobody" in errors
    assert demo.awarded(bob) == before  # a dry run changes nothing


def test_axe_finds_no_serious_violation_on_the_staff_view(demo, page, learners, axe_source):
    view = staff_view(page, demo)
    view.get_by_label(f"Select {learners[1]}").check()
    view.get_by_role("button", name="Apply to the selection…").click()  # the dialog too
    assert axe_violations(page, axe_source, ".upstream-progress") == []


def test_the_staff_bulk_path_with_the_keyboard_only(demo, page, learners):
    _ada, bob = learners
    staff_view(page, demo)
    tab_to(page, "input[name=search]")
    page.keyboard.type(bob)
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('.upx-table tbody tr').length === 1")
    tab_to(page, ".upx-select-row")
    page.keyboard.press("Space")
    tab_to(page, "select[name=action]")
    assert page.evaluate("document.activeElement.value") == "check_now"
    tab_to(page, ".upx-bulk-start")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('upx-dialog-title')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('upx-dialog-confirm')")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('.upx-job').innerText.startsWith('Done')")
    assert page.evaluate("document.activeElement.classList.contains('upx-bulk-start')")


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
