"""The learner's card with its project's pace in a real browser: the sentence, the next step,
the emails switch by keyboard, axe-core. Takes the card's screenshot (docs/screenshots/)."""

import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.helpers import wait_until

from .conftest import axe_violations, screenshot, simulator_action, verify_with
from .test_learner_ux import ONE_REQUIRED, register

pytestmark = pytest.mark.slow
PROJECT = "openedx/pace-demo"


def cache_sample(demo, now, fetched_at=None):
    """The repository's cached sample, as the sweep stores one it read (tracking/pace.py):
    twelve recent pull requests answered after 1 to 9 days, eight merged."""
    answers = [1, 2, 2, 3, 1, 6, 4, 2, 8, 5, 9, 1]
    items = []
    for number, answer in enumerate(answers, start=1):
        opened = now - timedelta(days=10 + number * 5)
        merged = opened + timedelta(days=answer + 2) if number <= 8 else None
        items.append({"number": number, "state": "merged" if merged else "closed",
                      "created_at": opened.isoformat(),
                      "merged_at": merged.isoformat() if merged else None,
                      "closed_at": (merged or opened + timedelta(days=answer + 1)).isoformat(),
                      "first_response_at": (opened + timedelta(days=answer)).isoformat()})
    with sqlite3.connect(demo.database, timeout=20) as db:
        db.execute("INSERT OR REPLACE INTO upstream_xblock_repositorysample (kind, host, "
                   "project, items, "
                   "fetched_at, attempted_at, next_fetch_at, error_code) VALUES "
                   "('github', 'github.com', ?, ?, ?, ?, ?, '')",
                   (PROJECT, json.dumps(items), stored(fetched_at or now), stored(now),
                    stored(now + timedelta(days=1))))


def stored(moment):
    """A time as Django's SQLite backend stores it (UTC, no offset)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def test_the_card_shows_the_pace_and_the_next_step(demo, page, axe_source):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    simulator_action(demo, "open", kind="github", project=PROJECT, number=40,
                     author="pace-dev", title="Document the pace",
                     created_at=(now - timedelta(days=9)).isoformat())
    cache_sample(demo, now)
    page.goto(demo.base + ONE_REQUIRED + "?student=pace_ada")
    block = page.locator(".upstream-contribution")
    verify_with(page, "GitHub", demo=demo, login="pace-dev")
    register(block, f"https://github.com/{PROJECT}/pull/40", "pace-dev")
    pace = block.locator(".upstream-pace")
    expect(pace.locator(".upstream-pace-summary")).to_have_text(
        "This project usually answers within 3 days (80 % within 6, from 13 recent "
        "contributions); yours has waited 9 days.")
    expect(pace.locator(".upstream-badge-overdue")).to_have_text("Longer than usual")
    expect(pace.locator(".upstream-pace-next")).to_contain_text(
        "Next step: This is taking longer than usual for this project")
    assert axe_violations(page, axe_source, ".upstream-contribution") == []
    screenshot(block.locator(".upstream-item").first, "learner-pace-card.png")

    # The emails switch, by keyboard alone: focus it, Space turns it off, the page says so.
    toggle = block.get_by_label("Email me when my contribution is accepted or counted",
                                exact=False)
    toggle.focus()
    page.keyboard.press("Space")
    expect(block.locator(".upstream-emails-status")).to_have_text(
        "You will not get these emails.")
    expect(toggle).not_to_be_checked()
    page.reload()
    expect(page.locator(".upstream-emails-toggle")).not_to_be_checked()


MENTORED = "/scenario/upstream_contribution.3/"  # with a mentor (mia)


def standings(demo):
    with sqlite3.connect(f"file:{demo.database}?mode=ro", uri=True, timeout=10) as db:
        return db.execute("SELECT COUNT(*) FROM upstream_xblock_pacestanding "
                          "WHERE learner_id LIKE 'pm_%'").fetchone()[0]


def test_mentors_filter_and_sort_the_learners_waiting_longer_than_usual(demo, page, axe_source):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    for number, (learner, login, days) in enumerate(
            (("pm_late", "pm-late-dev", 20), ("pm_later", "pm-later-dev", 30),
             ("pm_fine", "pm-fine-dev", 1)), start=50):
        simulator_action(demo, "open", kind="github", project=PROJECT, number=number,
                         author=login, created_at=(now - timedelta(days=days)).isoformat())
        page.goto(demo.base + MENTORED + f"?student={learner}")
        verify_with(page, "GitHub", demo=demo, login=login)
        register(page.locator(".upstream-contribution"),
                 f"https://github.com/{PROJECT}/pull/{number}", login)
    # New figures: the demo's next sweep scans for overdue contributions again.
    cache_sample(demo, now, fetched_at=now + timedelta(minutes=1))
    wait_until(lambda: standings(demo) == 2, demo.process, name="the demo's overdue scan",
               output=demo.log_tail)

    page.goto(demo.base + MENTORED + "?student=mia")
    table = page.locator(".upstream-progress")
    table.locator("tbody tr").first.wait_for()
    # By keyboard: the filter's checkbox, then Apply.
    overdue = table.get_by_label("Waiting longer than this project usually takes")
    overdue.focus()
    page.keyboard.press("Space")
    table.get_by_role("button", name="Apply filters").focus()
    page.keyboard.press("Enter")
    expect(table.locator(".upx-status")).to_contain_text("2 learners match")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    # Sorted by how far beyond the usual wait: the first press puts the longest first.
    sort = table.get_by_role("button", name="Beyond the usual wait")
    sort.focus()
    page.keyboard.press("Enter")
    expect(table.locator("th[data-sort=overdue]")).to_have_attribute("aria-sort", "descending")
    expect(rows.first.locator("th")).to_contain_text("pm_later")
    expect(rows.first.locator(".upx-overdue-cell")).to_have_text("24 days longer than usual")
    expect(rows.nth(1).locator(".upx-overdue-cell")).to_have_text("14 days longer than usual")
    assert axe_violations(page, axe_source, ".upstream-progress") == []
    screenshot(table, "mentor-overdue-filter.png")
