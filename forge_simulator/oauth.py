"""The simulator's OAuth 2 provider (GitHub, GitLab, Gitea) and its "signed-in" users.

Authorization code flow with PKCE (S256 only) and ``state`` passed back, as
the three forges do: ``authorize`` answers with a redirect to the client's
``redirect_uri`` carrying ``code`` and ``state`` for the user signed in on that
simulated forge (``POST /_sim/sign_in {"kind", "login"}``); ``token`` checks the
client's id and secret, the code (used once, bound to its client and redirect
URI) and ``code_verifier`` against the challenge; ``user`` tells who owns a token.
"""

import base64
import hashlib
import secrets
import threading
from urllib.parse import parse_qs, urlencode, urlsplit

from .ids import num_id as numeric_id

OAUTH_KINDS = ("github", "gitlab", "gitea")
# kind -> (authorize path, token path, user path) under the simulator's base URL
PATHS = {
    "github": ("/github/login/oauth/authorize", "/github/login/oauth/access_token",
               "/github/user"),
    "gitlab": ("/gitlab/oauth/authorize", "/gitlab/oauth/token", "/gitlab/api/v4/user"),
    "gitea": ("/gitea/login/oauth/authorize", "/gitea/login/oauth/access_token",
              "/gitea/api/v1/user"),
}
CLIENT_ID, CLIENT_SECRET = "sim-client-id", "sim-client-secret"


def s256(verifier):
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def user_shape(kind, login, account_id=None):
    """The ``/user`` answer of each forge (the fields a client reads, and a few more).

    ``account_id``: what the forge claims, for drills (default: the same id the simulator
    gives this login everywhere)."""
    account_id = numeric_id(login) if account_id is None else account_id
    if kind == "gitlab":
        return {"id": account_id, "username": login, "name": login.title(), "state": "active"}
    return {"id": account_id, "login": login, "name": login.title(), "type": "User"}


class OAuthProvider:
    """Applications, signed-in users, pending codes and issued tokens of the simulated forges."""

    def __init__(self):
        self.lock = threading.Lock()
        self.apps = {kind: (CLIENT_ID, CLIENT_SECRET) for kind in OAUTH_KINDS}
        self.signed_in = {}  # kind -> login
        self.claimed_ids = {}  # kind -> the account id /user claims (None: the login's own)
        self.codes = {}  # code -> grant
        self.tokens = {}  # access token -> (kind, login)
        self.token_requests = []  # (kind, form fields without the secret) for tests

    def sign_in(self, kind, login, account_id=None):
        """``login`` is signed in on ``kind`` (its ``/user`` says ``account_id``, if given)."""
        with self.lock:
            self.signed_in[kind] = login
            self.claimed_ids[kind] = account_id

    def authorize(self, kind, query):
        """(status, location or message) for ``GET authorize?...``."""
        params = {key: values[0] for key, values in parse_qs(query).items()}
        with self.lock:
            login = self.signed_in.get(kind)
            if params.get("client_id") != self.apps[kind][0]:
                return 400, "unknown client_id"
            if params.get("response_type") != "code" or not params.get("redirect_uri"):
                return 400, "response_type=code and redirect_uri are required"
            if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
                return 400, "PKCE (S256) is required"
            if login is None:
                return 401, "nobody is signed in on this forge"
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"kind": kind, "login": login, "client_id": params["client_id"],
                                "redirect_uri": params["redirect_uri"],
                                "challenge": params["code_challenge"]}
        query = urlencode({"code": code, **({"state": params["state"]}
                                            if "state" in params else {})})
        separator = "&" if urlsplit(params["redirect_uri"]).query else "?"
        return 302, params["redirect_uri"] + separator + query

    def token(self, kind, form, basic_auth=None):
        """(status, JSON body) for ``POST token`` (form-encoded)."""
        client_id, secret = basic_auth or (form.get("client_id"), form.get("client_secret"))
        with self.lock:
            self.token_requests.append((kind, {k: v for k, v in form.items()
                                               if k != "client_secret"}))
            if (client_id, secret) != self.apps[kind]:
                return 401, {"error": "invalid_client"}
            grant = self.codes.pop(form.get("code") or "", None)  # a code is used once
            if grant is None or grant["kind"] != kind or grant["client_id"] != client_id:
                return 400, {"error": "invalid_grant"}
            if form.get("redirect_uri") != grant["redirect_uri"]:
                return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
            verifier = form.get("code_verifier") or ""
            if form.get("grant_type") != "authorization_code" or not verifier \
                    or s256(verifier) != grant["challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
            access_token = f"sim-oauth-{secrets.token_hex(12)}"
            self.tokens[access_token] = (kind, grant["login"])
        return 200, {"access_token": access_token, "token_type": "bearer", "scope": ""}

    def user(self, kind, authorization):
        """(status, JSON body) for ``GET user`` with ``Authorization: Bearer|token X``."""
        token = (authorization or "").split(" ")[-1]
        with self.lock:
            owner = self.tokens.get(token)
        if owner is None or owner[0] != kind:
            return 401, {"message": "Bad credentials"}
        return 200, user_shape(kind, owner[1], self.claimed_ids.get(kind))


def oauth_settings(bucket, base_url):
    """A simulator settings bucket with the site's OAuth application on GitHub, GitLab, Gitea."""
    for entry in bucket["forges"]:
        if entry["kind"] in OAUTH_KINDS:
            authorize, token, _user = PATHS[entry["kind"]]
            entry.update({"oauth_client_id": CLIENT_ID, "oauth_client_secret": CLIENT_SECRET,
                          "oauth_authorize_url": base_url + authorize,
                          "oauth_token_url": base_url + token})
    return bucket
