"""The page the forge sends the learner back to: the block's look, and a link back to the
activity the sign-in started from (carried signed from the panel's link, never from the
query of the page itself)."""

from urllib.parse import parse_qs, urlsplit

from django.test import Client

from .test_oauth import START, authorize


def panel_link(harness, host="github.com"):
    block = harness.block()
    body = harness.call(block, "identity")[1]
    return next(way for way in body["identity"]["forges"] if way["host"] == host)["oauth_url"]


def test_the_result_page_is_styled_and_leads_back_to_the_activity(harness, world):
    world.oauth.sign_in("github", "ada")
    link = urlsplit(panel_link(harness))
    assert link.path == START
    back = parse_qs(link.query)["back"][0]
    browser = Client()
    started = browser.get(START, parse_qs(link.query))
    assert started.status_code == 302
    page = browser.get(authorize(started["Location"])).content.decode()
    assert "<style>" in page and 'class="result-ok"' in page
    assert '<a class="back" href="/scenario/' in page and "student=student_1" in page
    assert "Back to the activity" in page
    assert back not in page  # the signed value stays out of the page


def test_a_back_link_not_signed_by_the_block_is_ignored(harness, world):
    world.oauth.sign_in("github", "ada")
    query = parse_qs(urlsplit(panel_link(harness)).query)
    browser = Client()
    started = browser.get(START, {"ticket": query["ticket"][0],
                                  "back": "//evil.example.org/phish"})
    page = browser.get(authorize(started["Location"])).content.decode()
    assert "evil.example.org" not in page and 'class="back"' not in page


def test_a_refusal_is_styled_too(harness):
    page = Client().get(START, {"ticket": "forged"})
    assert page.status_code == 400
    assert 'class="result-failed"' in page.content.decode()

