"""The workspace's table of target projects in a real browser: its rows, its CSV by keyboard,
axe-core. Takes its screenshot (docs/screenshots/)."""

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations, screenshot, simulator_action, verify_with
from .test_learner_ux import register
from .test_pace_card import MENTORED, PROJECT, cache_sample

pytestmark = pytest.mark.slow
WORKSPACE = "/upstream-xblock/course/workbench/"


def test_the_target_projects_and_their_csv(demo, page, axe_source):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    simulator_action(demo, "open", kind="github", project=PROJECT, number=60,
                     author="tp-dev", created_at=(now - timedelta(days=3)).isoformat())
    page.goto(demo.base + MENTORED + "?student=tp_ada")
    verify_with(page, "GitHub", demo=demo, login="tp-dev")
    register(page.locator(".upstream-contribution"), f"https://github.com/{PROJECT}/pull/60",
             "tp-dev")
    cache_sample(demo, now)

    page.goto(demo.base + WORKSPACE + "?student=staff")
    section = page.locator(".upx-projects")
    expect(section.locator(".upx-projects-status")).to_contain_text("target project")
    row = section.locator("tbody tr", has_text=f"github.com/{PROJECT}")
    expect(row.locator("th")).to_have_text(f"github.com/{PROJECT}")
    expect(row.locator("td")).to_have_text(["1", "0", "2.5 days", "4 days"])
    assert axe_violations(page, axe_source, ".upx-projects") == []
    screenshot(section, "workspace-target-projects.png")

    # The CSV, by keyboard: focus the link, Enter downloads the same table.
    link = section.get_by_role("link", name="Download the target projects (CSV)")
    link.focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    text = read_text(download.value.path())
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:4] == ["host", "repository", "contributions", "accepted"]
    assert ["github.com", PROJECT, "1", "0", "2.5", "4.0", "13"] in lines


def read_text(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()
