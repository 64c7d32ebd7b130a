"""The pages' strings come from the block's JS catalog, in the browser's language, with a
plural form for every count: "1 learner" and "2 learners", in English and in French."""

import pytest

from tests.browser.test_mentor_path import SCENARIO, register

pytestmark = pytest.mark.slow

FIRST_PR = "https://github.com/openedx/xblock-sdk/pull/101"
SECOND_PR = "https://github.com/openedx/xblock/pull/8"


def staff_table(context, demo):
    page = context.new_page()
    page.goto(demo.base + SCENARIO + "?student=staff")
    table = page.locator(".upstream-progress")
    table.locator(".upx-table tbody tr").first.wait_for()
    page.wait_for_function("document.querySelector('.upx-status').innerText.includes('1')"
                           " || document.querySelector('.upx-status').innerText.includes('2')")
    return page, table


def learner_page(context, demo, student):
    page = context.new_page()
    page.goto(demo.base + SCENARIO + f"?student={student}")
    page.locator(".upstream-item").wait_for()
    return page.locator(".upstream-contribution")


def test_one_learner_then_two_in_english_and_in_french(demo, browser):
    english = browser.new_context(locale="en-US")
    french = browser.new_context(locale="fr-FR")
    errors = []
    for context in (english, french):
        context.on("page", lambda page: page.on("pageerror", lambda e: errors.append(str(e))))
    register(english.new_page(), demo, "tr_one", FIRST_PR)

    page, table = staff_table(english, demo)
    assert table.locator(".upx-status").inner_text() == "1 learner matches. Page 1 of 1."
    table.get_by_label("Select tr_one").check()
    assert table.locator(".upx-selection").inner_text() == "1 learner selected on this page."
    _page, tableau = staff_table(french, demo)
    assert tableau.locator(".upx-status").inner_text() == \
        "1 apprenant correspond. Page 1 sur 1."

    register(english.new_page(), demo, "tr_two", SECOND_PR)
    page.reload()
    page.wait_for_function("document.querySelectorAll('.upx-table tbody tr').length === 2")
    assert table.locator(".upx-status").inner_text() == "2 learners match. Page 1 of 1."
    table.get_by_role("button", name="Select all 2 matching").click()
    assert table.locator(".upx-selection").inner_text() == \
        "All 2 learners matching the filters are selected."
    _page, tableau = staff_table(french, demo)
    tableau.page.wait_for_function(
        "document.querySelectorAll('.upx-table tbody tr').length === 2")
    assert tableau.locator(".upx-status").inner_text() == \
        "2 apprenants correspondent. Page 1 sur 1."
    tableau.get_by_role("button", name="Sélectionner les 2 apprenants correspondants").click()
    assert tableau.locator(".upx-selection").inner_text() == \
        "Les 2 apprenants correspondant aux filtres sont sélectionnés."

    # The learner's page: strings drawn by learner_render.js, and the server's summary.
    mine = learner_page(english, demo, "tr_one")
    assert mine.get_by_role("button", name="Withdraw").count() == 1
    assert mine.locator(".upstream-summary").inner_text().startswith("0 of 1 accepted")
    le_mien = learner_page(french, demo, "tr_one")
    assert le_mien.get_by_role("button", name="Retirer").count() == 1
    assert le_mien.locator(".upstream-summary").inner_text().startswith("0 sur 1 acceptée")
    assert "Dépôt" in le_mien.locator(".upstream-item-repo").inner_text()
    english.close()
    french.close()
    assert errors == []
