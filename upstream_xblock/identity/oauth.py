"""Verifying a forge account by signing in on the forge (OAuth 2 code flow, PKCE, state).

Each kind of forge has its OAuth pages and its "who is signed in" endpoint
(``provider_for``); a signed, short-lived ticket carries the learner from the
block to the app's OAuth views.
"""

import logging
import time
from dataclasses import dataclass

from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.core import signing

from ..forges import ForgeError
from ..forges.http import TIMEOUT, PinnedAdapter, guarded_request, parse_json, pinned_session
from ..forges.snapshot import clean_text
from ..i18n import gettext_noop as _
from . import api
from .api import OAUTH, IdentityError

# kind -> (authorize path, token path under web_url, scope asking the least, user path
# under api_url, the user object's name key)
_KINDS = {
    "github": ("/login/oauth/authorize", "/login/oauth/access_token", "", "/user", "login"),
    "gitlab": ("/oauth/authorize", "/oauth/token", "read_user", "/user", "username"),
    "gitea": ("/login/oauth/authorize", "/login/oauth/access_token", "read:user", "/user",
              "login"),
}
OAUTH_KINDS = tuple(_KINDS)


@dataclass(frozen=True)
class OAuthProvider:
    """One configured forge's OAuth application and endpoints."""

    host: str
    kind: str
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    user_url: str
    scope: str
    name_key: str

    def __repr__(self):  # never print the secret
        return f"OAuthProvider({self.host!r}, {self.kind!r})"


def provider_for(forge):
    """The OAuth provider of a ForgeHost, or None (Gerrit, or no OAuth application set)."""
    if forge.kind not in _KINDS or not forge.oauth_client_id:
        return None
    authorize, token, scope, user, name_key = _KINDS[forge.kind]
    web = forge.web_url.rstrip("/")
    return OAuthProvider(
        host=forge.host, kind=forge.kind, client_id=forge.oauth_client_id,
        client_secret=forge.oauth_client_secret,
        authorize_url=forge.oauth_authorize_url or web + authorize,
        token_url=forge.oauth_token_url or web + token,
        user_url=forge.api_url.rstrip("/") + user, scope=scope, name_key=name_key)


SALT = "upstream_xblock.identity.oauth"
MAX_AGE_S = 3600


def issue(learner_id, host):
    return signing.dumps({"learner": learner_id, "host": host}, salt=SALT, compress=True)


def read(ticket):
    """(learner id, host), or None for a forged, altered or expired ticket."""
    if not isinstance(ticket, str) or len(ticket) > 1000:
        return None
    try:
        data = signing.loads(ticket, salt=SALT, max_age=MAX_AGE_S)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) and data.get(k)
                                             for k in ("learner", "host")):
        return None
    return data["learner"], data["host"]


log = logging.getLogger(__name__)

SESSION_KEY = "upstream_xblock_oauth"
PENDING_TTL_S = 600
MAX_PENDING = 5
_ID_DIGITS = 20


def _client(provider, redirect_uri):
    client = OAuth2Session(client_id=provider.client_id, client_secret=provider.client_secret,
                           scope=provider.scope or None, redirect_uri=redirect_uri,
                           code_challenge_method="S256",
                           token_endpoint_auth_method="client_secret_post")
    return client


def _pinned(client, url, public_only):
    """Pin an Authlib session like the forge sessions: one origin, no redirects, capped."""
    client.trust_env = False
    client.max_redirects = 0
    adapter = PinnedAdapter(url, public_only=public_only)
    client.mount("http://", adapter)
    client.mount("https://", adapter)
    return client


NOT_CONFIRMED = _("The forge did not confirm your account. Try again.")


def _refused(template=NOT_CONFIRMED):
    return IdentityError("oauth_failed", template)


def begin(forge, learner_id, redirect_uri, session, now_s=None):
    """The forge's authorization URL for ``learner_id``; remembers the flow in ``session``."""
    provider = provider_for(forge)
    if provider is None:
        raise IdentityError("oauth_unavailable", _(
            "This site cannot verify accounts on %(host)s by signing in there."),
            params={"host": forge.host})
    now_s = time.time() if now_s is None else now_s
    state, verifier = generate_token(32), generate_token(64)
    url, _state = _client(provider, redirect_uri).create_authorization_url(
        provider.authorize_url, state=state, code_verifier=verifier)
    pending = {key: flow for key, flow in (session.get(SESSION_KEY) or {}).items()
               if now_s - flow.get("at", 0) < PENDING_TTL_S}
    while len(pending) >= MAX_PENDING:
        pending.pop(min(pending, key=lambda key: pending[key]["at"]))
    pending[state] = {"host": forge.host, "learner": learner_id, "verifier": verifier,
                      "redirect_uri": redirect_uri, "at": now_s}
    session[SESSION_KEY] = pending
    return url


def take_pending(session, state, now_s=None):
    """The flow ``state`` started in this browser (removed: a state is used once)."""
    now_s = time.time() if now_s is None else now_s
    pending = dict(session.get(SESSION_KEY) or {})
    flow = pending.pop(state, None) if isinstance(state, str) else None
    session[SESSION_KEY] = pending
    if flow is None or now_s - flow.get("at", 0) >= PENDING_TTL_S:
        raise IdentityError("oauth_state", _(
            "This sign-in was not started here, or it expired. Start again from the "
            "activity."))
    return flow


def _exchange(provider, forge, flow, code):
    """The access token for ``code`` (kept by the caller in a local only)."""
    client = _pinned(_client(provider, flow["redirect_uri"]), provider.token_url,
                     public_only=not forge.operator_configured)
    try:
        token = client.fetch_token(provider.token_url, code=code,
                                   code_verifier=flow["verifier"], timeout=TIMEOUT,
                                   allow_redirects=False,
                                   headers={"Accept": "application/json"})
        access_token = token.get("access_token")
    except Exception as exc:  # noqa: BLE001
        # Only the class name: an OAuth library's error text may quote the answer.
        log.info("OAuth code exchange with %s failed: %s", forge.host, type(exc).__name__)
        raise _refused() from None
    finally:
        client.close()
    if not isinstance(access_token, str) or not access_token:
        raise _refused()
    return access_token


def _signed_in_account(provider, forge, access_token):
    """(account id, user name) of the token's owner, read once with the token."""
    session = pinned_session(forge.api_url, public_only=not forge.operator_configured)
    try:
        response = guarded_request(session, "GET", provider.user_url,
                                   headers={"Authorization": f"Bearer {access_token}"})
        if response.status_code != 200:
            log.info("reading the signed-in %s account failed: %s", forge.host,
                     response.status_code)
            raise _refused()
        data = parse_json(response)
    except ForgeError:
        raise _refused() from None
    finally:
        session.close()
    account_id = data.get("id") if isinstance(data, dict) else None
    username = data.get(provider.name_key) if isinstance(data, dict) else None
    # The forge's word, like every forge text: an id is a positive integer, a login plain text
    # (no NUL, bidi control or lone surrogate), bounded.
    username = clean_text(username, 100, ellipsis=False)
    if not isinstance(account_id, int) or isinstance(account_id, bool) or account_id <= 0 \
            or len(str(account_id)) > _ID_DIGITS or not username:
        raise _refused()
    return str(account_id), username


def complete(registry, session, state, code, now, now_s=None):
    """Finish the flow ``state`` started in this browser: the VerifiedAccount recorded."""
    flow = take_pending(session, state, now_s)
    try:
        forge = registry.get(flow["host"])
    except ForgeError:
        raise _refused() from None
    provider = provider_for(forge)
    if provider is None or not isinstance(code, str) or not code or len(code) > 512:
        raise _refused()
    access_token = _exchange(provider, forge, flow, code)
    account_id, username = _signed_in_account(provider, forge, access_token)
    del access_token  # used once: not kept anywhere
    return api.record(flow["learner"], forge.host, account_id, username, OAUTH, now,
                      reason="signed in on the forge")
