"""The hosts this installation may contact, and how.

Built-in public defaults are merged with the operator's settings bucket
(``{"forges": [...]}``, see the README). An operator entry replaces the default
for its host. Nothing outside this registry is ever contacted: a learner's URL
only selects one of these entries, it never supplies an address.
"""

import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..i18n import gettext_noop
from .errors import ConfigurationError, UnsupportedHost

KINDS = ("github", "gitlab", "gerrit", "gitea")

# host[:port], lower case, as a learner's URL would show it.
_HOST_RE = re.compile(r"^(?=.{1,253}(:\d{1,5})?$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
                      r"(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$")


@dataclass(frozen=True)
class ForgeHost:
    """One configured forge host."""

    kind: str
    host: str
    api_url: str
    web_url: str
    graphql_url: str | None = None
    token: str | None = field(default=None, repr=False)
    # The site's own OAuth application on this forge (identity verification).
    oauth_client_id: str | None = None
    oauth_client_secret: str | None = field(default=None, repr=False)
    # Where its OAuth pages live, when not where the kind has them under web_url.
    oauth_authorize_url: str | None = None
    oauth_token_url: str | None = None
    operator_configured: bool = False  # an operator's entry may point at a private address
    # Change signals (tracking/changes.py): the relay's bot account on this forge (GitHub,
    # Gitea/Forgejo), never the checking token unless the operator says so; the secret that
    # signs the webhook deliveries of the course's own repositories (GitHub, GitLab, Gitea).
    notifications_token: str | None = field(default=None, repr=False)
    webhook_secret: str | None = field(default=None, repr=False)

    @property
    def web_prefix(self):
        """Path under which the forge's pages live ('' or '/r' for instance)."""
        return urlsplit(self.web_url).path.rstrip("/")

    def describe(self):
        """Public description (no token) for logs and diagnostics."""
        return {"kind": self.kind, "host": self.host, "api_url": self.api_url,
                "web_url": self.web_url, "authenticated": bool(self.token),
                "oauth": bool(self.oauth_client_id), "relay": bool(self.notifications_token),
                "webhooks": bool(self.webhook_secret)}


DEFAULT_FORGES = (
    {"kind": "github", "host": "github.com", "api_url": "https://api.github.com"},
    {"kind": "gitlab", "host": "gitlab.com", "api_url": "https://gitlab.com/api/v4"},
    {"kind": "gitlab", "host": "framagit.org", "api_url": "https://framagit.org/api/v4"},
    {"kind": "gitlab", "host": "salsa.debian.org", "api_url": "https://salsa.debian.org/api/v4"},
    {"kind": "gitea", "host": "codeberg.org", "api_url": "https://codeberg.org/api/v1"},
    {"kind": "gerrit", "host": "review.opendev.org", "api_url": "https://review.opendev.org"},
    {"kind": "gerrit", "host": "gerrit.wikimedia.org", "web_url": "https://gerrit.wikimedia.org/r",
     "api_url": "https://gerrit.wikimedia.org/r"},
)


def _default_api_url(kind, web_url):
    base = web_url.rstrip("/")
    if kind == "github":
        return base + "/api/v3"
    if kind == "gitlab":
        return base + "/api/v4"
    if kind == "gitea":
        return base + "/api/v1"
    return base


def _derived_graphql_url(api_url):
    """GitHub's GraphQL endpoint beside its REST root (api.github.com vs Enterprise)."""
    parts = urlsplit(api_url)
    path = parts.path.rstrip("/")
    if path.endswith("/api/v3"):
        path = path[: -len("/v3")] + "/graphql"
    else:
        path = path + "/graphql"
    return parts._replace(path=path, query="", fragment="").geturl()


def _check_http_url(value, what, host):
    if not isinstance(value, str):
        raise ConfigurationError(f"forge {host!r}: {what} must be a string")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"forge {host!r}: {what} must be an http(s) URL")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigurationError(
            f"forge {host!r}: {what} must not carry credentials, a query or a fragment")
    return value.rstrip("/")


# Keys of a forge entry for change signals, and the kinds each applies to.
SIGNAL_KEYS = {"notifications_token": ("github", "gitea"),
               "notifications_with_token": ("github", "gitea"),
               "webhook_secret": ("github", "gitlab", "gitea")}


def _optional_text(entry, key, host):
    """``entry[key]``: None when absent, else a non-empty string (or ConfigurationError)."""
    value = entry.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigurationError(f"forge {host!r}: {key} must be a non-empty string")
    return value


def _signal_settings(entry, kind, host, token):
    """The relay's token and the webhook secret of an entry (both optional)."""
    for key, kinds in SIGNAL_KEYS.items():
        if key in entry and kind not in kinds:
            raise ConfigurationError(f"forge {host!r}: {key} applies to {', '.join(kinds)} only")
    found = {key: _optional_text(entry, key, host)
             for key in ("notifications_token", "webhook_secret")}
    with_token = entry.get("notifications_with_token", False)
    if not isinstance(with_token, bool):
        raise ConfigurationError(f"forge {host!r}: notifications_with_token must be true or false")
    if with_token:
        if not token or found["notifications_token"]:
            raise ConfigurationError(f"forge {host!r}: notifications_with_token needs a token "
                                     "and no notifications_token")
        found["notifications_token"] = token  # the operator chose to share the checking token
    return found


def _forge_host_from_entry(entry, operator_configured):
    if not isinstance(entry, dict):
        raise ConfigurationError("each forge entry must be an object")
    unknown = set(entry) - {"kind", "host", "api_url", "web_url", "graphql_url", "token",
                            "oauth_client_id", "oauth_client_secret", "oauth_authorize_url",
                            "oauth_token_url", *SIGNAL_KEYS}
    if unknown:
        raise ConfigurationError(f"unknown forge setting(s): {', '.join(sorted(unknown))}")
    kind = entry.get("kind")
    host = entry.get("host")
    if not isinstance(host, str) or not _HOST_RE.match(host.lower()):
        raise ConfigurationError(f"forge host {host!r} is not a host name")
    host = host.lower()
    if kind not in KINDS:
        raise ConfigurationError(f"forge {host!r}: kind must be one of {', '.join(KINDS)}")
    web_url = _check_http_url(entry.get("web_url") or f"https://{host}", "web_url", host)
    if urlsplit(web_url).netloc.lower() != host:
        raise ConfigurationError(f"forge {host!r}: web_url must be on the host itself")
    api_url = _check_http_url(entry.get("api_url") or _default_api_url(kind, web_url),
                              "api_url", host)
    if kind == "gitlab" and not api_url.endswith("/api/v4"):
        raise ConfigurationError(f"forge {host!r}: a GitLab api_url ends with /api/v4")
    graphql_url = None
    if kind == "github":
        graphql_url = _check_http_url(entry.get("graphql_url") or _derived_graphql_url(api_url),
                                      "graphql_url", host)
    token = _optional_text(entry, "token", host)
    oauth = {key: _optional_text(entry, key, host)
             for key in ("oauth_client_id", "oauth_client_secret")}
    if bool(oauth["oauth_client_id"]) != bool(oauth["oauth_client_secret"]):
        raise ConfigurationError(
            f"forge {host!r}: oauth_client_id and oauth_client_secret go together")
    for key in ("oauth_authorize_url", "oauth_token_url"):
        if entry.get(key) is not None:
            oauth[key] = _check_http_url(entry[key], key, host)
    return ForgeHost(kind=kind, host=host, api_url=api_url, web_url=web_url,
                     graphql_url=graphql_url, token=token, **oauth,
                     **_signal_settings(entry, kind, host, token),
                     operator_configured=operator_configured)


def is_ip_literal(host):
    """True for anything a resolver would read as an address, not a name.

    Covers dotted quads, IPv6 in brackets, and the decimal / hex / octal /
    short forms (``2130706433``, ``0x7f.1``, ``127.1``) that C resolvers accept.
    """
    bare = host.strip("[]")
    try:
        ipaddress.ip_address(bare)
        return True
    except ValueError:
        pass
    labels = bare.split(".")
    return all(re.fullmatch(r"(0x[0-9a-f]*|\d+)", label) for label in labels if label)


class ForgeRegistry:
    """Configured forge hosts, looked up by the host of a learner's URL."""

    def __init__(self, hosts):
        self._hosts = {forge.host: forge for forge in hosts}

    @classmethod
    def from_settings(cls, settings=None):
        """Merge the built-in defaults with a settings bucket (a dict or None)."""
        if settings is None:
            settings = {}
        if not isinstance(settings, dict):
            raise ConfigurationError("forge settings must be an object")
        entries = settings.get("forges", [])
        if not isinstance(entries, list):
            raise ConfigurationError("'forges' must be a list")
        merged = {entry["host"]: (entry, False) for entry in DEFAULT_FORGES}
        for entry in entries:
            host = entry.get("host") if isinstance(entry, dict) else None
            merged[str(host).lower()] = (entry, True)
        return cls(_forge_host_from_entry(entry, operator) for entry, operator in merged.values())

    def __iter__(self):
        return iter(self._hosts.values())

    def __contains__(self, host):
        return host in self._hosts

    def get(self, host):
        """The entry for ``host`` (``name`` or ``name:port``), or UnsupportedHost."""
        forge = self._hosts.get(host)
        if forge is None:
            name = host.split("]")[0] if host.startswith("[") else host.rsplit(":", 1)[0]
            if is_ip_literal(name):
                raise UnsupportedHost(
                    gettext_noop("Addresses given as numbers are not accepted: use the forge's "
                                 "own web address."),
                    reason="ip_literal")
            raise UnsupportedHost(
                gettext_noop("This course does not accept contributions hosted on %(host)s."),
                reason="unconfigured_host", params={"host": host})
        return forge

    def hosts(self):
        return sorted(self._hosts)
