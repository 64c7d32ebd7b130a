"""Where each kind of forge has its OAuth pages and who the signed-in account is.

GitHub, GitLab and Gitea/Forgejo are OAuth 2 providers with PKCE; Gerrit is
not (its accounts are proven by a code in a change message, or vouched for).
The pages default to their place under the forge's ``web_url``; an operator
can name them (``oauth_authorize_url``, ``oauth_token_url``) in the entry.
"""

from dataclasses import dataclass

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
