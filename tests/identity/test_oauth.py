"""Signing in on the forge verifies the signed-in account: state, PKCE, one use, no token kept.

The browser is Django's test client for the app's views and ``requests`` for the
simulated forge's authorization page; the app exchanges the code with the
simulator over real HTTP.
"""

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from forge_simulator.shapes import project_id as account_id_of
from upstream_xblock.identity import oauth
from upstream_xblock.identity.models import VerifiedForgeAccount

from .conftest import HOSTS, OAUTH_KINDS

START = "/upstream-xblock/identity/oauth/start/"


def start(browser, learner, host):
    """The app's start view: a redirect to the forge's authorization page."""
    response = browser.get(START, {"ticket": oauth.issue(learner, host)})
    assert response.status_code == 302, response.content
    return response["Location"]


def authorize(location):
    """The forge's page, where the signed-in user agrees: a redirect back to the callback."""
    answer = requests.get(location, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert (back.scheme, back.netloc, back.path) == ("http", "testserver",
                                                     "/upstream-xblock/identity/oauth/callback/")
    return f"{back.path}?{back.query}"


def accounts():
    return list(VerifiedForgeAccount.objects.values_list("learner_id", "host", "account_id",
                                                         "username", "method"))


@pytest.fixture
def browser(db):
    return Client()


@pytest.mark.parametrize("kind", OAUTH_KINDS)
def test_signing_in_verifies_the_signed_in_account(browser, world, oauth_bucket, kind, caplog):
    caplog.set_level(logging.DEBUG)
    world.oauth.sign_in(kind, "ada")
    location = start(browser, "student_1", HOSTS[kind])
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["client_id"] == ["sim-client-id"]
    page = browser.get(authorize(location))
    assert page.status_code == 200
    assert accounts() == [("student_1", HOSTS[kind], str(account_id_of("ada")), "ada", "oauth")]
    assert "ada" in page.content.decode()
    # The token was used once and is nowhere: not in the page, the logs, the database, the session.
    issued = list(world.oauth.tokens)
    assert len(issued) == 1
    stored = repr(accounts()) + repr(dict(browser.session))
    for token in issued:
        assert token not in page.content.decode() and token not in caplog.text
        assert token not in stored
    assert "sim-client-secret" not in caplog.text + page.content.decode()
    # The code exchange sent the PKCE verifier, and the secret in the body (client_secret_post).
    (_kind, form), = world.oauth.token_requests
    assert form["grant_type"] == "authorization_code" and form["code_verifier"]


def test_a_wrong_state_is_refused(browser, world, oauth_bucket):
    world.oauth.sign_in("github", "ada")
    callback = authorize(start(browser, "student_1", "github.com"))
    tampered = callback.replace("state=", "state=x")
    page = browser.get(tampered)
    assert page.status_code == 400
    assert accounts() == [] and world.oauth.token_requests == []


def test_a_callback_this_browser_did_not_start_is_refused(browser, world, oauth_bucket):
    """Login CSRF: mallory starts a flow, then makes ada's browser land on the callback."""
    world.oauth.sign_in("github", "ada")
    callback = authorize(start(Client(), "mallory", "github.com"))
    page = browser.get(callback)  # ada's browser has no such pending sign-in
    assert page.status_code == 400
    assert accounts() == []


def test_a_pkce_mismatch_is_refused(browser, world, oauth_bucket, caplog):
    world.oauth.sign_in("gitlab", "ada")
    callback = authorize(start(browser, "student_1", "gitlab.com"))
    session = browser.session
    flows = session[oauth.SESSION_KEY]
    for flow in flows.values():
        flow["verifier"] = "not-the-verifier-the-challenge-was-made-from-" + "x" * 20
    session[oauth.SESSION_KEY] = flows
    session.save()
    page = browser.get(callback)
    assert page.status_code == 400
    assert "did not confirm" in page.content.decode()
    assert accounts() == [] and world.oauth.tokens == {}
    assert len(world.oauth.token_requests) == 1  # the forge itself refused the verifier
    assert "sim-client-secret" not in caplog.text


def test_a_state_is_used_once(browser, world, oauth_bucket):
    world.oauth.sign_in("gitea", "ada")
    callback = authorize(start(browser, "student_1", "codeberg.org"))
    assert browser.get(callback).status_code == 200
    assert browser.get(callback).status_code == 400
    assert len(accounts()) == 1


def test_a_declined_sign_in_verifies_nothing(browser, world, oauth_bucket):
    location = start(browser, "student_1", "github.com")
    state = parse_qs(urlsplit(location).query)["state"][0]
    page = browser.get("/upstream-xblock/identity/oauth/callback/",
                       {"error": "access_denied", "state": state})
    assert page.status_code == 400 and accounts() == []


@pytest.mark.parametrize("ticket", ["", "garbage", oauth.issue("student_1", "github.com") + "x"])
def test_a_bad_ticket_is_refused(browser, world, oauth_bucket, ticket):
    response = browser.get(START, {"ticket": ticket})
    assert response.status_code == 400
    assert world.requests_for() == []


def test_gerrit_has_no_sign_in(browser, world, oauth_bucket):
    response = browser.get(START, {"ticket": oauth.issue("student_1", "review.opendev.org")})
    assert response.status_code == 400
    assert "cannot verify" in response.content.decode()


def test_a_ticket_of_another_signed_in_user_is_refused(browser, world, oauth_bucket,
                                                       django_user_model):
    user = django_user_model.objects.create_user("mallory")
    browser.force_login(user)
    response = browser.get(START, {"ticket": oauth.issue(str(user.pk + 1), "github.com")})
    assert response.status_code == 403


def test_an_account_verified_by_another_learner_is_refused(browser, world, oauth_bucket):
    world.oauth.sign_in("github", "ada")
    assert browser.get(authorize(start(browser, "student_1", "github.com"))).status_code == 200
    other = Client()
    page = other.get(authorize(start(other, "student_2", "github.com")))
    assert page.status_code == 409
    assert [a[0] for a in accounts()] == ["student_1"]


def test_the_panel_links_to_the_sign_in(harness, world):
    block = harness.block()
    status, body = harness.call(block, "identity")
    ways = {way["host"]: way for way in body["identity"]["forges"]}
    assert ways["review.opendev.org"]["oauth_url"] is None  # Gerrit: codes and vouching only
    for host in ("github.com", "gitlab.com", "codeberg.org"):
        link = urlsplit(ways[host]["oauth_url"])
        assert link.path == START
        assert oauth.read(parse_qs(link.query)["ticket"][0]) == ("student_1", host)


def test_a_link_followed_without_signing_in_is_refused(browser, world, oauth_bucket,
                                                       django_user_model):
    """A learner's link sent to someone not signed in would verify that person's account."""
    user = django_user_model.objects.create_user("ada")
    response = browser.get(START, {"ticket": oauth.issue(str(user.pk), "github.com")})
    assert response.status_code == 403 and world.requests_for() == []
    browser.force_login(user)
    assert browser.get(START, {"ticket": oauth.issue(str(user.pk), "github.com")}) \
        .status_code == 302


class _Redirecting(BaseHTTPRequestHandler):
    """A token endpoint that answers with a redirect to another server."""

    target = ""
    seen = []

    def do_POST(self):
        self.seen.append(self.path)
        self.send_response(307)
        self.send_header("Location", self.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


def test_the_code_exchange_follows_no_redirect(browser, world, oauth_bucket, settings):
    """The token request goes to the configured token URL only, never where it redirects."""
    elsewhere, redirecting = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting), None
    _Redirecting.seen = []
    try:
        _Redirecting.target = f"http://127.0.0.1:{elsewhere.server_address[1]}/token"
        redirecting = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
        for server in (elsewhere, redirecting):
            threading.Thread(target=server.serve_forever, daemon=True).start()
        for entry in oauth_bucket["forges"]:
            if entry["kind"] == "github":
                entry["oauth_token_url"] = \
                    f"http://127.0.0.1:{redirecting.server_address[1]}/login/oauth/access_token"
        settings.XBLOCK_SETTINGS = {"upstream_xblock": oauth_bucket}
        world.oauth.sign_in("github", "ada")
        page = browser.get(authorize(start(browser, "student_1", "github.com")))
        assert page.status_code == 400
        assert _Redirecting.seen == ["/login/oauth/access_token"]  # not "/token" elsewhere
        assert accounts() == []
    finally:
        for server in (elsewhere, redirecting):
            if server is not None:
                server.shutdown()
                server.server_close()


@pytest.mark.parametrize("kind", OAUTH_KINDS)
def test_the_forges_account_answer_is_cleaned_like_every_forge_text(browser, world,
                                                                    oauth_bucket, kind):
    """A login with a right-to-left override and a NUL is stored as plain text."""
    world.oauth.sign_in(kind, "\u202eada\x00")
    page = browser.get(authorize(start(browser, "student_1", HOSTS[kind])))
    assert page.status_code == 200
    assert accounts() == [("student_1", HOSTS[kind], str(account_id_of("\u202eada\x00")),
                           "ada", "oauth")]


@pytest.mark.parametrize("account_id", [-7, 0, True, "12", 1.5])
def test_an_account_id_that_is_not_a_positive_integer_is_refused(browser, world, oauth_bucket,
                                                                 account_id):
    world.oauth.sign_in("github", "ada", account_id=account_id)
    page = browser.get(authorize(start(browser, "student_1", "github.com")))
    assert page.status_code in (400, 403) and accounts() == []
