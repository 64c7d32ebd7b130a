"""The learner's and the author's experience in a real browser: the look, the timeline,
the keyboard, axe-core, forge text in any script. Also takes README's screenshot."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import (
    axe_violations,
    next_redraw,
    screenshot,
    simulator_action,
    verify_by_comment,
    verify_with,
)

pytestmark = pytest.mark.slow

ONE_REQUIRED = "/scenario/upstream_contribution.0/"
TWO_REQUIRED = "/scenario/upstream_contribution.1/"
URL_LABEL = "Address of your pull request, merge request or change"
USER_LABEL = "Your user name on that forge"
PARAGON_PRIMARY = "rgb(10, 48, 85)"  # #0A3055


def register(block, url, username="learner"):
    block.get_by_label(URL_LABEL).fill(url)
    block.get_by_label(USER_LABEL).fill(username)
    block.get_by_role("button", name="Register").click()
    block.locator(f".upstream-item[data-url='{url.lower()}']").wait_for()


def focused(page, expression="el => el"):
    return page.evaluate(
        f"(() => {{ const el = document.activeElement; return ({expression})(el); }})()")


def wait_for_text(page, selector, text, timeout=30000):
    page.wait_for_function("([selector, text]) => Array.from(document.querySelectorAll(selector))"
                           ".some(node => node.textContent.includes(text))", arg=[selector, text],
                           timeout=timeout)


def test_the_new_look_and_the_form_folding_once_complete(demo, page):
    simulator_action(demo, "open", kind="github", project="openedx/xblock-sdk", number=150,
                     author="learner", title="Explain the workbench's scenarios in its README")
    page.set_viewport_size({"width": 720, "height": 1000})
    page.goto(demo.base + TWO_REQUIRED + "?student=ux_look")
    verify_with(page, "GitHub")  # the simulator signs the learner in as "learner"
    block = page.locator(".upstream-contribution")
    submit = block.get_by_role("button", name="Register", exact=True)
    if block.count() == 0:
        raise AssertionError(f"no block on the page:\n{page.content()[:2000]}\n{demo.log_tail()}")
    assert submit.evaluate("el => getComputedStyle(el).backgroundColor") == PARAGON_PRIMARY
    register(block, "https://github.com/openedx/xblock/pull/7")
    register(block, "https://github.com/openedx/xblock-sdk/pull/150")

    # Each card's state once the forge was asked (a card comes first, then its check).
    merged = block.locator(".upstream-item").nth(0)
    badge = merged.locator(".upstream-state")
    expect(badge).to_have_text("Merged")
    expect(badge.locator("svg")).to_have_count(1)
    opened = block.locator(".upstream-item").nth(1)
    expect(opened.locator(".upstream-state")).to_have_text("Open")
    withdraw = block.get_by_role("button", name=re.compile("Withdraw"))
    expect(withdraw).to_have_count(2)  # nothing counted yet: either may be withdrawn
    times = opened.locator(".upstream-item-times")
    # Drawn relative to the server's own clock (the demo checks every 2 s): seconds ago.
    expect(times).to_have_text(re.compile(r"Checked (now|\d+ seconds? ago)"))
    expect(times).not_to_contain_text("Last checked")
    moment = times.locator("time").first
    expect(moment).to_have_attribute("datetime", re.compile(r"."))
    expect(moment).to_have_attribute("title", re.compile(r"."))
    # README's picture (see conftest.screenshot), the verified accounts' panel folded as it
    # is on the learner's next visit.
    block.locator(".upstream-identity summary").click()
    page.add_style_tag(content=".wrapper-workbench .banner { display: none !important; }")
    screenshot(block, "learner-view.png")

    simulator_action(demo, "merge", kind="github", project="openedx/xblock-sdk", number=150)
    expect(block).to_have_class(re.compile(r"\bupstream-completed\b"))
    expect(block.locator(".upstream-item-counted")).to_have_count(2)
    expect(withdraw).to_have_count(0)  # counted contributions cannot be withdrawn: not offered
    another = block.get_by_role("button", name="Register another contribution")
    expect(another).to_be_visible()
    expect(block.locator("form.upstream-register")).to_be_hidden()
    expect(another).to_have_attribute("aria-expanded", "false")
    another.click()
    expect(block.locator("form.upstream-register")).to_be_visible()
    expect(block.get_by_label(URL_LABEL)).to_be_focused()
    expect(another).to_have_attribute("aria-expanded", "true")


def test_narrow_screen_keeps_everything_inside_320_px(demo, page):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(demo.base + ONE_REQUIRED + "?student=ux_narrow")
    block = page.locator(".upstream-contribution")
    register(block, "https://github.com/openedx/xblock/pull/7")
    expect(block.locator(".upstream-state")).to_have_text("Merged")  # the card, fully drawn
    overflowing = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.upstream-contribution *')).filter(el => el.getBoundingClientRect().right > 321)
        .map(el => el.className)""")
    assert overflowing == []


def test_timeline_of_a_change_reviewed_then_merged(demo, page):
    url = "https://review.opendev.org/c/openstack/nova/+/900101"
    simulator_action(demo, "open", kind="gerrit", project="openstack/nova", number=900101,
                     author="learner", title="Fix the scheduler's docstring")
    page.goto(demo.base + ONE_REQUIRED + "?student=ux_timeline")
    block = page.locator(".upstream-contribution")
    register(block, url)
    # Not verified yet: the author check waits and says how to verify.
    expect(block.locator(".upstream-check-waiting", has_text="verify it")).to_have_count(1)

    # Gerrit has no OAuth: the learner posts the panel's code in a change message. Once
    # verified, the author check passes at once: the panel's "upstream:identity-changed"
    # event carries the new status (the page's own polls are held back meanwhile).
    held, holding = [], [True]

    def hold_status(route):
        if holding[0]:
            held.append(route)
        else:
            route.continue_()

    def is_status(request):
        return "/status/" in request.url

    page.route("**/handler/**/status/**", hold_status)
    verify_by_comment(page, demo, kind="gerrit", project="openstack/nova", number=900101,
                      url=url)
    wait_for_text(page, ".upstream-check-passed", "is your verified account on")
    if not held:  # the page's own poll comes meanwhile (every 2 s here), and is held
        page.wait_for_event("request", predicate=is_status)
        page.evaluate("0")  # its route, sent just after the request, is handled by now
    assert held, "the page's status polls were not held back: the test proves nothing"
    holding[0] = False
    for route in held:
        route.continue_()

    timeline = block.locator("ol.upstream-timeline")
    expect(timeline).to_have_attribute("aria-label", "Timeline of Fix the scheduler's docstring")
    steps = timeline.locator("li")
    expect(steps.nth(0)).to_have_text(re.compile(r"^Opened"))

    simulator_action(demo, "request_changes", kind="gerrit", project="openstack/nova",
                     number=900101)
    wait_for_text(page, ".upstream-step-done", "Changes requested")
    simulator_action(demo, "approve", kind="gerrit", project="openstack/nova", number=900101)
    wait_for_text(page, ".upstream-step-done", "Approved")
    simulator_action(demo, "merge", kind="gerrit", project="openstack/nova", number=900101)
    wait_for_text(page, ".upstream-step-done", "Counted for your grade")

    done = [text.split("\n")[0]
            for text in timeline.locator("li.upstream-step-done").all_inner_texts()]
    # Registration sits where its date falls among the forge's dated steps.
    assert done[0] == "Opened" and done[-1] == "Counted for your grade"
    assert sorted(done) == sorted(["Opened", "Approved", "Merged", "Registered here",
                                   "Counted for your grade"])
    assert done.index("Approved") < done.index("Merged")
    expect(timeline.locator("li.upstream-step-todo")).to_have_count(0)
    merged_step = timeline.locator("li", has_text="Merged")
    expect(merged_step.locator("time")).to_have_attribute("datetime", re.compile(r"."))
    # Screen readers hear whether each step happened (the dot only shows it).
    expect(merged_step).to_contain_text("(done)")


def tab_to(page, predicate, limit=40, key="Tab"):
    for _ in range(limit):
        page.keyboard.press(key)
        if focused(page, predicate):
            return
    raise AssertionError(f"could not reach {predicate} with {key}")


def test_keyboard_only_with_focus_kept_after_each_action(demo, page):
    url = "https://github.com/openedx/xblock-sdk/pull/160"
    simulator_action(demo, "open", kind="github", project="openedx/xblock-sdk", number=160,
                     author="learner", title="Keyboard-only contribution")
    page.goto(demo.base + ONE_REQUIRED + "?student=ux_keyboard")
    page.on("dialog", lambda dialog: dialog.accept())
    tab_to(page, "el => el.name === 'url'")
    page.keyboard.type(url)
    page.keyboard.press("Tab")
    page.keyboard.type("learner")
    page.keyboard.press("Enter")
    expect(page.locator(f".upstream-item[data-url='{url}']")).to_be_focused()
    wait_for_text(page, ".upstream-poll-status", "Registered: Keyboard-only contribution.")

    tab_to(page, "el => el.classList.contains('upstream-check-now')")
    # Just checked (the demo checks every 2 s, and "Check now" is allowed 5 s after a
    # check): the button waits (aria-disabled, so it keeps focus) and says when it can be
    # used, instead of sending a check the server would refuse.
    check_calls = []
    page.on("request", lambda request: check_calls.append(request.url)
            if "check_now" in request.url else None)
    check_now = page.locator(".upstream-check-now")
    expect(check_now).to_have_attribute("aria-disabled", "true")
    expect(page.locator(".upstream-check-hint")).to_contain_text("You can check again")
    page.keyboard.press("Enter")
    # The page's next status poll (its contribution is open: polled every 2 s here) draws
    # the list again: no check was sent meanwhile, and the focus stayed on the button.
    next_redraw(page, ".upstream-item")
    assert check_calls == []
    expect(check_now).to_be_focused()

    tab_to(page, "el => el.classList.contains('upstream-withdraw')", key="Shift+Tab")
    page.keyboard.press("Enter")
    wait_for_text(page, ".upstream-poll-status", "Withdrawn: Keyboard-only contribution.")
    expect(page.locator(".upstream-list-title")).to_be_focused()
    expect(page.locator(".upstream-item")).to_have_count(0)


def test_axe_finds_nothing_serious_on_the_learner_view_and_the_studio_editor(
        demo, page, axe_source):
    # A contribution counts for one learner, a forge account is verified for one learner:
    # this learner has their own account and their own merged pull request.
    simulator_action(demo, "open", kind="github", project="openedx/xblock-sdk", number=180,
                     author="ux-axe-dev", title="Describe the accessibility checks")
    simulator_action(demo, "merge", kind="github", project="openedx/xblock-sdk", number=180)
    page.goto(demo.base + ONE_REQUIRED + "?student=ux_axe")
    try:
        verify_with(page, "GitHub", demo=demo, login="ux-axe-dev")
    finally:
        simulator_action(demo, "sign_in", kind="github", login="learner")
    block = page.locator(".upstream-contribution")
    register(block, "https://github.com/openedx/xblock/pull/8")  # a failed check, shown
    register(block, "https://github.com/openedx/xblock-sdk/pull/180", "ux-axe-dev")  # counted
    expect(block.locator(".upstream-check-failed")).not_to_have_count(0)
    expect(block.locator(".upstream-item-counted")).to_have_count(1)
    block.get_by_role("button", name="Register another contribution").click()
    expect(block.locator("form.upstream-register")).to_be_visible()
    assert axe_violations(page, axe_source, ".upstream-contribution") == []

    page.goto(demo.base + TWO_REQUIRED + "studio_view/?student=ux_axe")
    editor = page.locator(".upstream-studio")
    editor.get_by_label("Accepted contributions required").fill("two")
    editor.get_by_role("button", name="Save").click()
    editor.locator(".upstream-studio-error", has_text="whole number").wait_for()
    assert axe_violations(page, axe_source, ".upstream-studio") == []


def test_studio_editor_saves_in_the_workbench_and_explains_mistakes(demo, page):
    page.goto(demo.base + TWO_REQUIRED + "studio_view/?student=ux_author")
    editor = page.locator(".upstream-studio")
    hosts = editor.get_by_label("Accepted forges")
    hosts.fill("github.com, bitbucket.org")
    editor.get_by_role("button", name="Save").click()
    error = editor.locator(".upstream-studio-field[data-field-name=accepted_hosts] "
                           ".upstream-studio-error")
    expect(error).to_contain_text("bitbucket.org")
    expect(hosts).to_have_attribute("aria-invalid", "true")
    expect(hosts).to_be_focused()

    editor.get_by_label("Labels that disqualify").fill("spam\ninvalid\nduplicate")
    hosts.fill("")
    editor.get_by_role("button", name="Save").click()
    wait_for_text(page, ".upstream-studio-status", "Saved.")
    page.reload()
    expect(editor.get_by_label("Labels that disqualify")).to_have_value(
        "spam\ninvalid\nduplicate")


def test_right_to_left_and_emoji_titles_are_intact_and_isolated(demo, page):
    rtl = "\u0625\u0635\u0644\u0627\u062d \u0627\u0644\u062a\u0631\u062c\u0645\u0629"  # Arabic
    emoji = "\U0001F469\u200D\U0001F4BB Docs for \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    simulator_action(demo, "open", kind="github", project="openedx/xblock-sdk", number=170,
                     author="learner", title=rtl + " \u202e(spoofed)")
    simulator_action(demo, "open", kind="github", project="openedx/xblock-sdk", number=171,
                     author="learner", title=emoji + " " + "long " * 80)
    page.goto(demo.base + ONE_REQUIRED + "?student=ux_scripts")
    block = page.locator(".upstream-contribution")
    register(block, "https://github.com/openedx/xblock-sdk/pull/170")
    register(block, "https://github.com/openedx/xblock-sdk/pull/171")

    first = block.locator(".upstream-item").nth(0).locator(".upstream-item-link")
    # Titles come with each card's check. The override is gone, the words stay.
    expect(first).to_have_text(rtl + " (spoofed)")
    expect(first).to_have_attribute("dir", "auto")
    badge = block.locator(".upstream-item").nth(0).locator(".upstream-state")
    # The right-to-left title does not pull the badge to its left.
    assert badge.bounding_box()["x"] > first.bounding_box()["x"]

    second = block.locator(".upstream-item").nth(1).locator(".upstream-item-link")
    expect(second).to_have_text(re.compile("^" + re.escape(emoji)))  # ZWJ and ZWNJ kept
    assert second.text_content().endswith("\u2026") and len(second.text_content()) == 300
    assert second.get_attribute("title") == second.text_content()
    repository = block.locator(".upstream-item").nth(1).locator(".upstream-item-repo bdi")
    assert repository.first.text_content() == "openedx/xblock-sdk"


def test_reduced_motion_and_forced_colours_are_respected(demo, page):
    page.goto(demo.base + ONE_REQUIRED + "?student=ux_media")
    block = page.locator(".upstream-contribution")
    register(block, "https://github.com/openedx/xblock-sdk/pull/102")  # a draft: still checked
    button = block.get_by_role("button", name="Check now")
    assert button.evaluate("el => getComputedStyle(el).transitionDuration") != "0s"
    page.emulate_media(reduced_motion="reduce", forced_colors="active")
    assert button.evaluate("el => getComputedStyle(el).transitionDuration") == "0s"
    badge = block.locator(".upstream-state").first
    expect(badge).to_have_text("Draft")  # the card, checked
    assert badge.evaluate("el => getComputedStyle(el).borderTopStyle") == "solid"
    expect(badge.locator("svg")).to_have_count(1)
