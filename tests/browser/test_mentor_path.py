"""The mentor's path in the running demo: find the stuck learner, annotate them, and the
learner gets the note (mentors-only notes never reach the learner's browser); axe-core on
the table; the whole path with the keyboard only."""

import json
import re

import pytest
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = pytest.mark.slow

SCENARIO = "/scenario/upstream_contribution.3/"  # "with a mentor (mia) and course staff"
STUCK_PR = "https://github.com/openedx/xblock/pull/8"  # someone else's: rejected, so stuck
WAITING_PR = "https://github.com/openedx/xblock-sdk/pull/101"


def register(page, demo, student, url):
    page.goto(demo.base + SCENARIO + f"?student={student}")
    block = page.locator(".upstream-contribution")
    block.get_by_label("Address of your pull request, merge request or change").fill(url)
    block.get_by_label("Your user name on that forge").fill("learner")
    block.get_by_role("button", name="Register").click()
    block.locator(".upstream-item").wait_for()


def learner_status(page, student):
    """The learner's own ``status`` answer, asked from their open page (their cookies)."""
    return page.evaluate("""async (student) => {
        const usage = document.querySelector("[data-block-type=upstream_contribution]")
            .getAttribute("data-usage");
        const token = (document.cookie.match(/(?:^|;\\s*)csrftoken=([^;]+)/) || [])[1] || "";
        const response = await fetch("/handler/" + usage + "/status/?student=" + student, {
            method: "POST", credentials: "same-origin", body: "{}",
            headers: {"Content-Type": "application/json", "X-CSRFToken": token}});
        return await response.json();
    }""", student)


@pytest.fixture(scope="module")
def learners(demo, browser):
    context = browser.new_context()
    page = context.new_page()
    register(page, demo, "bl_stuck", STUCK_PR)
    register(page, demo, "bl_waiting", WAITING_PR)
    context.close()
    return "bl_stuck", "bl_waiting"


def mentor_table(page, demo, student="mia"):
    page.goto(demo.base + SCENARIO + f"?student={student}")
    table = page.locator(".upstream-progress")
    table.locator("tbody tr").first.wait_for()
    return table


def test_mentor_filters_to_the_stuck_learner_and_annotates_them(demo, page, browser, learners):
    stuck, waiting = learners
    learner_page = browser.new_context().new_page()
    learner_page.goto(demo.base + SCENARIO + f"?student={stuck}")
    learner_page.locator(".upstream-item").wait_for()

    table = mentor_table(page, demo)
    expect(table.locator(".upx-summary")).to_contain_text("Registered: 2")
    table.get_by_label("Stuck learners only").check()
    table.get_by_role("button", name="Apply filters").click()
    expect(table.locator(".upx-status")).to_contain_text("1 learner matches")
    row = table.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("th")).to_have_text(re.compile("^" + re.escape(stuck)))
    expect(table.locator(".upx-status")).to_contain_text("1 learner matches")

    row.get_by_role("button", name=f"Actions for {stuck}").click()
    row.get_by_role("menuitem", name=f"Annotate {stuck}").click()
    form = table.locator(".upx-annotate-form")
    form.get_by_label("Annotation").fill("This pull request is not yours: register your own.")
    form.get_by_label("Tag").select_option("needs-work")
    form.get_by_role("button", name="Save the annotation").click()
    expect(table.locator(".upx-status")).to_contain_text(f"Annotation saved for {stuck}.")
    expect(row.locator(".upx-notes-cell")).to_contain_text("register your own")

    # The learner's open page (not reloaded) shows the note, marked as from their mentor,
    # and announces it in its live region.
    learner_page.evaluate("window.__still_the_same_page = true")
    note = learner_page.locator(".upstream-note", has_text="register your own")
    # This learner's contribution is settled: their page asks every SETTLED_POLL_S (60 s).
    note.wait_for(timeout=90000)
    assert learner_page.evaluate("window.__still_the_same_page") is True
    assert "From your mentor" in note.inner_text() and "mia" in note.inner_text()
    assert "Needs work" in note.inner_text()
    assert note.locator(".upstream-note-text").text_content() == \
        "This pull request is not yours: register your own."
    announced = learner_page.locator(".upstream-notes-status")
    assert announced.get_attribute("role") == "status"
    assert "New note from your mentor mia: This pull request" in announced.text_content()
    # README's picture of it, with the forge accounts panel folded (as a learner can).
    learner_page.locator(".upstream-identity summary").click()
    learner_page.add_style_tag(content=".wrapper-workbench .banner { display: none !important; }")
    screenshot(learner_page.locator(".upstream-contribution"), "learner-annotation.png")

    # And in its status answer, for this learner only.
    status = learner_status(learner_page, stuck)
    assert [(n["text"], n["author"], n["tag"]) for n in status["annotations"]] == [
        ("This pull request is not yours: register your own.", "mia", "needs-work")]
    assert learner_status(learner_page, waiting)["annotations"] == []
    learner_page.context.close()


def test_mentors_only_notes_never_reach_the_learners_page(demo, page, browser, learners):
    stuck, _waiting = learners
    table = mentor_table(page, demo, student="staff")
    table.get_by_label("User name or contribution address contains").fill(stuck)
    table.get_by_role("button", name="Apply filters").click()
    expect(table.locator(".upx-status")).to_contain_text("1 learner matches")
    table.get_by_role("button", name=f"Actions for {stuck}").click()
    table.get_by_role("menuitem", name=f"Annotate {stuck}").click()
    form = table.locator(".upx-annotate-form")
    form.get_by_label("Annotation").fill("MENTORS-ONLY: check their identity")
    form.get_by_label("Mentors and staff only").check()
    form.get_by_role("button", name="Save the annotation").click()
    expect(table.locator(".upx-status")).to_contain_text(f"Annotation saved for {stuck}.")
    expect(table.locator(".upx-table")).to_contain_text("MENTORS-ONLY")

    learner_page = browser.new_context().new_page()
    learner_page.goto(demo.base + SCENARIO + f"?student={stuck}")
    learner_page.locator(".upstream-item").wait_for()
    assert "MENTORS-ONLY" not in learner_page.content()
    assert "MENTORS-ONLY" not in json.dumps(learner_status(learner_page, stuck))
    learner_page.context.close()


def test_axe_finds_no_serious_violation_on_the_table(demo, page, learners, axe_source):
    table = mentor_table(page, demo)
    table.get_by_role("button", name=f"Actions for {learners[0]}").click()  # the menu
    table.get_by_role("menuitem", name=f"Annotate {learners[0]}").click()  # and the form
    expect(table.locator(".upx-annotate-form [name=text]")).to_be_focused()
    page.add_script_tag(content=axe_source)
    result = page.evaluate("""async () => {
        const result = await axe.run(document.querySelector('.upstream-progress'),
            {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return result.violations.map(v => ({id: v.id, impact: v.impact,
            nodes: v.nodes.map(n => n.target.join(' '))}));
    }""")
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def tab_to(page, selector, limit=80):
    """Press Tab until the focused element matches ``selector`` (the keyboard's path)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_mentor_path_with_the_keyboard_only(demo, page, learners):
    stuck, waiting = learners
    mentor_table(page, demo)
    tab_to(page, "input[name=stuck]")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit].upx-btn-primary")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('.upx-table tbody tr').length === 1")

    tab_to(page, "th[data-sort=username] button")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('th[data-sort=username]')"
                           ".getAttribute('aria-sort') === 'ascending'")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('th[data-sort=username]')"
                           ".getAttribute('aria-sort') === 'descending'")
    # The table is drawn again from the server's answer: act once it is.
    page.wait_for_function("!document.querySelector('.upstream-progress [aria-busy]')"
                           " && !document.querySelector('.upstream-progress[aria-busy]')")

    tab_to(page, ".upx-row-menu-toggle")
    page.keyboard.press("Enter")  # the row's menu opens on its first item: Annotate
    expect(page.get_by_role("menuitem", name=f"Annotate {stuck}")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".upx-annotate-form [name=text]")).to_be_focused()
    page.keyboard.type("Typed with the keyboard only.")
    tab_to(page, ".upx-annotate-form button[type=submit]")
    page.keyboard.press("Enter")
    # The save is done when the table, loaded again after it, says so. (The table's text
    # alone is no sign: a page of the table asked for earlier, by the sort, can come back
    # with the new note while the save's own answer is still on its way.)
    expect(page.locator(".upx-status")).to_contain_text(f"Annotation saved for {stuck}.")
    expect(page.locator(".upx-table")).to_contain_text("Typed with the keyboard only.")
    # Focus comes back to the row's menu (the row drawn again), ready for the next action.
    expect(page.get_by_role("button", name=f"Actions for {stuck}")).to_be_focused()
    expect(page.locator(".upx-table tbody")).not_to_contain_text(waiting)
    expect(page.locator(".upx-table tbody")).to_contain_text(stuck)


def test_the_author_preview_shows_the_table(demo, page, learners):
    """Studio's preview (the block's author_view) shows its settings and the learners' table."""
    page.goto(demo.base + SCENARIO + "author_view/?student=staff")
    preview = page.locator(".upstream-author")
    expect(preview).to_contain_text("How contributions count")
    expect(page.locator(".upstream-progress .upx-table tbody")).to_contain_text(learners[0])
