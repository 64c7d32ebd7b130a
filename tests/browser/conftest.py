"""The running demo (workbench + forge simulator in a subprocess) and a headless Chromium."""

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.helpers import wait_until

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Tests wait for states (expect(...), wait_for_function), never for a time; this is only how
# long a state may take to come before the test fails, on a busy machine running the demo.
expect.set_options(timeout=30_000)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, process, demo, timeout_s=60):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the demo exited early:\n{demo.log_tail()}")
        try:
            # The workbench loads its scenarios during the first request, without a lock: a
            # second request while that one runs (a client that gave up too early and asked
            # again) can load them twice or see half of them. So wait for the first answer.
            with urllib.request.urlopen(url, timeout=max(deadline - time.monotonic(), 1)):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the demo did not answer on {url}")


class Demo:
    def __init__(self, web_port, sim_port, var_dir):
        self.base = f"http://127.0.0.1:{web_port}"
        self.sim = f"http://127.0.0.1:{sim_port}"
        self.database = Path(var_dir) / "workbench.sqlite3"
        self.log = Path(var_dir) / "demo.log"

    def log_tail(self, lines=60):
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def awarded(self, learner):
        """Whether the demo's registry holds an award for ``learner`` (read-only look)."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=10) as db:
            return db.execute("SELECT COUNT(*) FROM upstream_xblock_contributionaward "
                              "WHERE learner_id = ?", (learner,)).fetchone()[0] > 0

    def wait_until_awarded(self, learner):
        """Until the demo's registry holds an award for ``learner`` (its background sweep
        makes it); fail with the demo's log if it never does, or the demo exits."""
        wait_until(lambda: self.awarded(learner), self.process, timeout_s=60,
                   name=f"the demo's award for {learner}", output=self.log_tail)


def register_as(page, base, path, student, url, forge="GitHub"):
    """Open ``path`` as ``student``, verify their ``forge`` account, register ``url``: the
    block, once its registration is sent."""
    page.goto(f"{base}{path}?student={student}")
    verify_with(page, forge)
    block = page.locator(".upstream-contribution")
    block.get_by_label("Address of your pull request, merge request or change").fill(url)
    block.get_by_label("Your user name on that forge").fill("learner")
    block.get_by_role("button", name="Register").click()
    return block


@contextmanager
def running_demo(var_dir, *options):
    """``python -m workbench_demo`` on free ports with ``options``, until the block ends."""
    web_port, sim_port = free_port(), free_port()
    env = {**os.environ, "UPSTREAM_XBLOCK_VAR": str(var_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("UPSTREAM_XBLOCK_CONFIG", None)
    demo = Demo(web_port, sim_port, var_dir)
    with open(demo.log, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "workbench_demo", "--port", str(web_port), "--sim-port",
             str(sim_port), *options],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    demo.process = process
    try:
        wait_for(f"http://127.0.0.1:{web_port}/", process, demo)
        yield demo
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with running_demo(tmp_path_factory.mktemp("demo-var"), "--check-every", "2") as started:
        yield started


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium "
                    "(scripts/test.sh does, as root)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    server_errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: server_errors.append((response.status, response.url))
            if response.status >= 500 else None)
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"
    assert server_errors == [], f"server errors: {server_errors}"


PACKAGE_JSON = Path(__file__).with_name("package.json")
NPM_PREFIX = ROOT / "var" / "npm"


@pytest.fixture(scope="session")
def axe_source():
    """axe-core's script, from npm at the version pinned in tests/browser/package.json."""
    version = json.loads(PACKAGE_JSON.read_text())["dependencies"]["axe-core"]
    script = NPM_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
    installed = NPM_PREFIX / "node_modules" / "axe-core" / "package.json"
    if not (script.exists() and json.loads(installed.read_text())["version"] == version):
        if not shutil.which("npm"):
            pytest.fail("npm is missing: install Debian's npm (apt-get install -y npm)")
        subprocess.run(["npm", "install", "--prefix", str(NPM_PREFIX), "--no-save", "--no-audit",
                        "--no-fund", "--loglevel=error", f"axe-core@{version}"],
                       check=True, timeout=300)
    return script.read_text(encoding="utf-8")


def simulator_action(demo, action, **body):
    """One call on the running demo's forge simulator (its control API)."""
    request = urllib.request.Request(f"{demo.sim}/_sim/{action}", data=json.dumps(body).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
        return json.loads(response.read())


@contextmanager
def redrawn(page, selector):
    """Wait, after the ``with`` block, until the page has drawn ``selector`` again: every
    element matching it before the block is gone from the page (replaced by the view's next
    render), and the selector matches again. For a state that only holds once a view has
    re-rendered from a server's answer, rather than waiting for a time."""
    stamped = page.evaluate("""selector => {
        window.__upxBeforeRedraw = Array.from(document.querySelectorAll(selector));
        return window.__upxBeforeRedraw.length;
    }""", selector)
    assert stamped, f"nothing matches {selector} yet: there is nothing to see redrawn"
    yield
    page.wait_for_function("""selector => window.__upxBeforeRedraw.every(n => !n.isConnected)
        && document.querySelector(selector) !== null""", arg=selector)


def next_redraw(page, selector):
    """Until the page draws ``selector`` again of its own accord (its next status poll)."""
    with redrawn(page, selector):
        pass


def axe_violations(page, axe_source, selector):
    """Serious and critical axe-core violations inside ``selector`` on the page."""
    page.add_script_tag(content=axe_source)
    results = page.evaluate("""selector => axe.run(document.querySelector(selector),
        {resultTypes: ["violations"]})""", selector)
    return [(v["id"], v["impact"], [n["html"][:120] for n in v["nodes"]])
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")]


SCREENSHOTS = ROOT / "var" / "screenshots"
COMMITTED_SCREENSHOTS = ROOT / "docs" / "screenshots"


def screenshot(locator, name):
    """A screenshot of ``locator`` under var/screenshots/ (ignored by git); README's copy in
    docs/screenshots/ is replaced only when UPDATE_SCREENSHOTS=1 asks for it, so that a test
    run leaves the work tree clean."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    # The workbench's own page header stays put while a tall block scrolls under it: hide
    # it, so that README's pictures show the block alone.
    locator.page.add_style_tag(content=".workbench .banner { position: static !important; }")
    locator.screenshot(path=str(path), animations="disabled")
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        COMMITTED_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, COMMITTED_SCREENSHOTS / name)
    return path


def verify_with(page, forge, demo=None, login=None):
    """The learner verifies their forge account ("learner" on the simulator, or ``login``)
    by signing in on the forge from the identity panel's link, as a learner would. An
    account is verified for one learner only: other learners sign in as other logins."""
    if login:
        simulator_action(demo, "sign_in", kind=forge.lower(), login=login)
    with page.context.expect_page() as opened:
        page.locator(".upstream-identity").get_by_role(
            "link", name=f"Verify with {forge} (opens in a new tab)").click()
    opened.value.wait_for_load_state()
    opened.value.close()
    # Back on the course's tab, the panel shows the new account. Headless Chromium has no
    # window focus to give back, so the test sends the "focus" a real browser would.
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    page.locator(".upstream-identity-account").first.wait_for(state="attached")


def verify_by_comment(page, demo, *, kind, project, number, url, author="learner"):
    """The learner verifies by posting the panel's code as a comment on their contribution
    (the way that works on Gerrit, which has no OAuth), then giving its address."""
    panel = page.locator(".upstream-identity")
    code = panel.locator(".upstream-identity-code").text_content().strip()
    assert code, "the identity panel shows no code"
    simulator_action(demo, "comment", kind=kind, project=project, number=number, author=author,
                     body=f"Verifying my account for the course: {code}")
    if not panel.evaluate("el => el.open"):
        panel.locator("summary").click()
    panel.get_by_label("Address of the contribution where you posted your code").fill(url)
    panel.get_by_role("button", name="Check my code").click()
    panel.locator(".upstream-identity-account").first.wait_for(state="attached")
