"""README's "The demo in one minute", step by step, on the demo as README starts it.

The steps' addresses and the merge command are read from README itself (so the
test follows what README says, word for word), the demo runs with its default
options (no token, the default check interval), and step 3's promise is held:
the page shows the merge within 15 seconds, without a reload. The merge is found
by the relay (the simulated GitHub's notifications), not by re-reading the pull
request: no GraphQL request, one read of the pull request after the notice.
"""

import json
import re
import shlex
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.helpers import wait_until
from workbench_demo.__main__ import SWEEP_EVERY_MAX_S

from .conftest import ROOT, register_as, running_demo

pytestmark = pytest.mark.slow

README = (ROOT / "README.md").read_text(encoding="utf-8")
PROMISED_S = 15


def demo_steps():
    """The numbered steps of README's "The demo in one minute", as text."""
    section = README.split("## The demo in one minute", 1)[1].split("\n## ", 1)[0]
    return [step.strip() for step in re.split(r"\n\d\. ", "\n" + section.split("\n1. ", 1)[1])
            if step.strip()]


@pytest.fixture(scope="module")
def readme_demo(tmp_path_factory):
    """``python -m workbench_demo`` with README's defaults (only the ports differ: others may
    run a demo on 8000 and 8765 on this machine)."""
    with running_demo(tmp_path_factory.mktemp("readme-demo")) as started:
        yield started


def relay_subscribed(demo, project, number):
    with sqlite3.connect(f"file:{demo.database}?mode=ro", uri=True, timeout=10) as db:
        return db.execute("SELECT COUNT(*) FROM upstream_xblock_relaysubscription WHERE "
                          "project = ? AND number = ? AND subscribed_at IS NOT NULL",
                          (project, number)).fetchone()[0] > 0


def test_readme_demo_steps_show_the_merge_within_15_seconds(readme_demo, page):
    open_step, merge_step, promise = demo_steps()[:3]
    scenario = re.search(r"http://127\.0\.0\.1:8000(/scenario/[^ \n]+/)", open_step)[1]
    pull = re.search(r"`(https://github\.com/[^`]+/pull/\d+)`", open_step)[1]
    command = shlex.split(re.search(r"`(\.venv/bin/python -m forge_simulator merge [^`]+)`",
                                    merge_step)[1])
    assert "Verify with GitHub" in open_step and f"within {PROMISED_S} seconds" in promise.lower()

    # Step 1: open the unit, verify the GitHub account, register the pull request.
    block = register_as(page, readme_demo.base, scenario, "readme_learner", pull)
    expect(block.locator(".upstream-summary")).to_have_text(re.compile(r"^0 of 1 accepted"))
    project, number = re.search(r"github\.com/(.+)/pull/(\d+)", pull).groups()
    # The background sweep subscribes the relay's bot to it (a person takes longer to switch
    # to another terminal than the sweep, which runs every 2 seconds, takes to do this).
    wait_until(lambda: relay_subscribed(readme_demo, project, int(number)), readme_demo.process,
               timeout_s=60, name="the relay's subscription", output=readme_demo.log_tail)

    # Step 2: README's merge command, in "another terminal".
    page.evaluate("window.__still_the_same_page = true")
    before = len(simulator_requests(readme_demo))
    subprocess.run([sys.executable, *command[1:], "--url", readme_demo.sim], check=True,
                   cwd=ROOT, timeout=30, capture_output=True)

    # Step 3: within 15 seconds, without reloading. What bounds it is what the demo is set
    # to do, each at most once after the merge: the relay's look at the notifications, the
    # sweep loop that runs it and reads the pull request, the page's poll of a watched
    # record. The browser is given more time than that (a busy machine is not the product);
    # the chain of events is asserted below as counts.
    config = json.loads((readme_demo.database.parent / "demo-forges.json").read_text())
    worst_s = (config["change_signals"]["notifications_every_s"] + SWEEP_EVERY_MAX_S
               + config["polling"]["page_poll_watched_s"])
    assert worst_s <= PROMISED_S, worst_s
    try:
        page.wait_for_function("document.querySelector('.upstream-contribution')"
                               ".classList.contains('upstream-completed')",
                               timeout=PROMISED_S * 4 * 1000)
    except Exception as exc:
        raise AssertionError(f"not shown; page says {block.inner_text()!r}; demo log:\n"
                             f"{readme_demo.log_tail()}") from exc
    assert page.evaluate("window.__still_the_same_page") is True
    expect(block.locator(".upstream-summary")).to_have_text(re.compile(r"^1 of 1 accepted"))
    expect(block.locator(".upstream-item")).to_contain_text("Counted for your grade")
    log = Path(readme_demo.log).read_text(errors="replace")
    assert "upstream_xblock signals: made_due=1" in log  # found by the relay
    since = [(r["method"], r["path"].split("?")[0], r["status"])
             for r in simulator_requests(readme_demo)[before:] if r["kind"] == "github"]
    notice = since.index(("GET", "/github/notifications", 200))
    read = since.index(("GET", f"/github/repos/{project}/pulls/{number}", 200), notice)
    # Nothing but the notice found it: no GraphQL point spent (the relay's unsubscription,
    # once the record settled, may follow the read).
    assert not any(path == "/github/graphql" for _m, path, _s in since[:read])


def simulator_requests(demo):
    with urllib.request.urlopen(f"{demo.sim}/_sim/requests", timeout=10) as answer:  # loopback
        return json.loads(answer.read())
