"""The forge layer: URLs, forge HTTP APIs, tokens and rate limits.

It knows nothing of XBlock, Django or courses. Typical use::

    forges = Forges.from_settings(settings_bucket)
    ref = forges.parse(url)          # InvalidUrl / UnsupportedHost, no I/O
    result = forges.fetch(ref)       # one request; typed ForgeError on failure
    results = forges.fetch_many(refs)  # {ref: FetchResult | ForgeError}, batched per forge

Every call is bounded by a total ``Deadline`` (connect, retries and body):
the one passed, else ``forges.deadlines.request_s`` from the settings bucket.
"""

import json
import threading

from .deadline import Deadline, Deadlines, deadline_scope
from .errors import (
    AuthFailed,
    ConfigurationError,
    ForgeError,
    ForgeUnavailable,
    InvalidUrl,
    NotFound,
    RateLimited,
    UnsupportedHost,
)
from .parsing import parse_contribution_url
from .registry import DEFAULT_FORGES, KINDS, ForgeHost, ForgeRegistry
from .snapshot import ContributionRef, FetchResult, RateLimitInfo, Snapshot


def _client_class(kind):
    # Imported on demand: a process that only parses URLs loads no HTTP library.
    if kind == "github":
        from .github import GitHubClient  # noqa: PLC0415
        return GitHubClient
    if kind == "gitlab":
        from .gitlab import GitLabClient  # noqa: PLC0415
        return GitLabClient
    if kind == "gerrit":
        from .gerrit import GerritClient  # noqa: PLC0415
        return GerritClient
    from .gitea import GiteaClient  # noqa: PLC0415
    return GiteaClient


class Forges:
    """A registry plus one lazily built client per configured host."""

    def __init__(self, registry, deadlines=None):
        self.registry = registry
        self.deadlines = deadlines or Deadlines()
        self._clients = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings=None):
        return cls(ForgeRegistry.from_settings(settings), Deadlines.from_settings(settings))

    def parse(self, url):
        return parse_contribution_url(url, self.registry)

    def client(self, host):
        with self._lock:
            client = self._clients.get(host)
            if client is None:
                forge = self.registry.get(host)
                client = self._clients[host] = _client_class(forge.kind)(forge)
                client.sweep_check_s = self.deadlines.sweep_check_s
            return client

    def fetch(self, ref, etag=None, landing=False, reviews=False, deadline=None):
        """FetchResult for ``ref``; raises a ForgeError subclass on failure.

        ``landing``: also find the commit that closed a closed, unmerged pull
        request (GitHub; one more request, only in that state). ``reviews``:
        also read the review decision of an open contribution where the main
        answer lacks it (GitHub REST, GitLab approvals, Gitea reviews; one more
        request, only while open). Gerrit's labels always carry it.

        ``deadline`` (a Deadline) bounds the whole call; without one, the
        innermost active deadline, else ``deadlines.request_s`` from now. Past
        it: ForgeUnavailable(reason="deadline").
        """
        client = self.client(ref.host)  # built (its library imported) before the clock starts
        with deadline_scope(deadline, self.deadlines.request_s):
            return client.fetch(ref, etag=etag, landing=landing, reviews=reviews)

    def fetch_many(self, refs, deadline=None):
        """{ref: FetchResult or ForgeError} for refs on any hosts, batched where the forge allows.

        Each host's refs go to its client's ``fetch_many`` (GitHub GraphQL with
        a token, GitLab REST ``iids[]`` or GraphQL, Gerrit ``change:A OR
        change:B``, one request each on Gitea), host after host; ``deadline``
        bounds the whole call.
        """
        by_host = {}
        for ref in refs:
            by_host.setdefault(ref.host, []).append(ref)
        results = {}
        for host, host_refs in by_host.items():
            try:
                client = self.client(host)
            except UnsupportedHost as error:
                results.update({ref: error for ref in host_refs})
                continue
            results.update(client.fetch_many(host_refs, deadline=deadline))
        return results

    def check(self, url, deadline=None):
        """Parse and fetch in one go: (ContributionRef, Snapshot)."""
        ref = self.parse(url)
        return ref, self.fetch(ref, deadline=deadline).snapshot


__all__ = [
    "AuthFailed", "ConfigurationError", "ContributionRef", "DEFAULT_FORGES", "Deadline",
    "Deadlines", "FetchResult",
    "ForgeError", "ForgeHost", "ForgeRegistry", "ForgeUnavailable", "Forges", "InvalidUrl",
    "KINDS", "NotFound", "RateLimitInfo", "RateLimited", "Snapshot", "UnsupportedHost",
    "forges_for", "parse_contribution_url",
]


_FORGES_LOCK = threading.Lock()
_FORGES_BY_BUCKET = {}
_MAX_CACHED = 8


def forges_for(bucket):
    """``Forges`` for a settings bucket, built once per distinct configuration.

    Building clients per request would throw away connection pools and PyGithub's
    state; the bucket rarely changes, so one ``Forges`` per bucket content is kept.
    Raises ConfigurationError if the bucket is malformed.
    """
    key = json.dumps(bucket or {}, sort_keys=True, default=str)
    with _FORGES_LOCK:
        forges = _FORGES_BY_BUCKET.get(key)
        if forges is None:
            if len(_FORGES_BY_BUCKET) >= _MAX_CACHED:
                _FORGES_BY_BUCKET.pop(next(iter(_FORGES_BY_BUCKET)))
            forges = _FORGES_BY_BUCKET[key] = Forges.from_settings(bucket or {})
        return forges
