"""GitHub and GitHub Enterprise pull requests through PyGithub (REST).

One check is one request: ``Github(lazy=True)`` builds the repository and pull
request objects without fetching them, and ``update()`` sends a single GET,
conditional on the stored ETag, so an unchanged pull request costs a 304 (which
GitHub does not count against the rate limit). A renamed repository's 301 is
followed by PyGithub on the same host only; any other redirect is refused.
"""

from datetime import datetime, timezone
from urllib.parse import urlsplit

from github import Auth, Github, GithubException, GithubRetry
from github.GithubException import (BadCredentialsException, RateLimitExceededException,
                                    UnknownObjectException)
from github.Requester import HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass
import requests

from .base import FetchResult, RateLimitInfo, same_site_url
from .errors import AuthFailed, ForgeError, ForgeUnavailable, NotFound, RateLimited
from .http import READ_TIMEOUT_S, USER_AGENT, PinnedAdapter
from .snapshot import Snapshot, clean_labels, clean_text, parse_time


def _pinned_connection_class(base, scheme):
    """PyGithub's connection class, with our pinned, size-capped adapter mounted."""

    class PinnedConnection(base):
        def __init__(self, host, port=None, *args, retry=None, **kwargs):
            super().__init__(host, port, *args, retry=retry, **kwargs)
            origin = f"{scheme}://{host}:{self.port}"
            self.adapter = PinnedAdapter(origin, retries=retry)
            self.session.mount(f"{scheme}://", self.adapter)
            self.session.trust_env = False

    return PinnedConnection


def _github_retry():
    # max_rate_limit_wait=0: raise at once on a rate limit, never sleep in a worker.
    return GithubRetry(total=2, backoff_factor=0.1, max_rate_limit_wait=0,
                       secondary_rate_wait=0, respect_retry_after_header=False)


def snapshot_from_rest(data, ref, forge, etag=None):
    """Normalize GitHub's REST pull request JSON."""
    if data.get("merged") or data.get("merged_at"):
        state = "merged"
    elif data.get("state") == "closed":
        state = "closed"
    elif data.get("draft"):
        state = "draft"
    else:
        state = "open"
    base = data.get("base") or {}
    return Snapshot(
        kind="github", host=forge.host, project=ref.project, number=ref.number, state=state,
        author=clean_text((data.get("user") or {}).get("login"), 100),
        title=clean_text(data.get("title")),
        web_url=same_site_url(data.get("html_url"), forge, ref.url),
        created_at=parse_time(data.get("created_at")),
        merged_at=parse_time(data.get("merged_at")),
        closed_at=parse_time(data.get("closed_at")),
        target_repository=clean_text((base.get("repo") or {}).get("full_name"), 200),
        target_branch=clean_text(base.get("ref"), 200),
        labels=clean_labels([label.get("name") for label in data.get("labels") or []
                             if isinstance(label, dict)]),
        etag=etag,
    )


def rate_limit_from_headers(headers):
    lower = {str(k).lower(): v for k, v in (headers or {}).items()}
    try:
        remaining = int(lower["x-ratelimit-remaining"])
        limit = int(lower.get("x-ratelimit-limit", remaining))
    except (KeyError, ValueError):
        return None
    reset = lower.get("x-ratelimit-reset")
    reset_at = (datetime.fromtimestamp(int(reset), tz=timezone.utc)
                if reset and str(reset).isdigit() else None)
    return RateLimitInfo(remaining=remaining, limit=limit, reset_at=reset_at)


def translate_github_error(exc):
    """PyGithub / network exceptions to our typed errors (no secrets in messages)."""
    if isinstance(exc, ForgeError):
        return exc
    if isinstance(exc, BadCredentialsException):
        return AuthFailed("GitHub rejected the configured token.")
    if isinstance(exc, RateLimitExceededException):
        info = rate_limit_from_headers(exc.headers)
        return RateLimited("GitHub's rate limit is exhausted.",
                           reset_at=info.reset_at if info else None)
    if isinstance(exc, UnknownObjectException):
        return NotFound("GitHub has no such pull request (or it is private).")
    if isinstance(exc, GithubException):
        if exc.status in (401,):
            return AuthFailed("GitHub rejected the configured token.")
        if exc.status == 429:
            info = rate_limit_from_headers(exc.headers)
            return RateLimited("GitHub's rate limit is exhausted.",
                               reset_at=info.reset_at if info else None)
        if exc.status in (404, 410, 451):
            return NotFound("GitHub has no such pull request (or it is private).")
        return ForgeUnavailable("%(forge)s answered with status %(status)s.",
                                reason="bad_status", params={"forge": "GitHub", "status": exc.status})
    if isinstance(exc, RuntimeError):  # PyGithub refusing a cross-host or cross-scheme 301
        return ForgeUnavailable("GitHub redirected to another site; the redirect was refused.",
                                reason="redirect_refused")
    if isinstance(exc, requests.RequestException):
        return ForgeUnavailable("GitHub could not be reached. It will be tried again later.",
                                reason="network")
    return None


class GitHubClient:
    """Reads pull requests from one configured GitHub host."""

    def __init__(self, forge):
        self.forge = forge
        self.github = Github(
            base_url=forge.api_url,
            auth=Auth.Token(forge.token) if forge.token else None,
            timeout=READ_TIMEOUT_S, retry=_github_retry(), lazy=True,
            seconds_between_requests=None, seconds_between_writes=None,
            user_agent=USER_AGENT,
        )
        scheme = urlsplit(forge.api_url).scheme
        connection = (HTTPSRequestsConnectionClass if scheme == "https"
                      else HTTPRequestsConnectionClass)
        # PyGithub has no public hook for the session it builds; this instance
        # attribute (read when the first request opens the connection) swaps in
        # our pinned, capped adapter for this client only.
        self.github.requester._Requester__connectionClass = _pinned_connection_class(
            connection, scheme)
        self._graphql = None

    def fetch(self, ref, etag=None):
        """Read one pull request: exactly one HTTP request (plus a same-host 301 hop)."""
        pull = self.github.get_repo(ref.project).get_pull(ref.number)
        conditional = {"If-None-Match": etag} if etag else None
        try:
            changed = pull.update(additional_headers=conditional)
        except Exception as exc:  # translated below; unknown ones propagate
            error = translate_github_error(exc)
            if error is None:
                raise
            raise error from None
        rate = self._rate_limit()
        if not changed:
            return FetchResult(snapshot=None, etag=etag, rate_limit=rate)
        snapshot = snapshot_from_rest(pull.raw_data, ref, self.forge, etag=pull.etag)
        return FetchResult(snapshot=snapshot, etag=pull.etag, rate_limit=rate)

    def _rate_limit(self):
        remaining, limit = self.github.requester.rate_limiting
        if remaining < 0:
            return None
        reset = self.github.requester.rate_limiting_resettime
        return RateLimitInfo(remaining=remaining, limit=limit,
                             reset_at=datetime.fromtimestamp(reset, tz=timezone.utc)
                             if reset else None)

    @property
    def graphql(self):
        """Batch reader (needs a token: GitHub's GraphQL API refuses anonymous calls)."""
        if self._graphql is None:
            from .github_graphql import GitHubGraphQL  # pylint: disable=import-outside-toplevel
            self._graphql = GitHubGraphQL(self.forge)
        return self._graphql

    def fetch_many(self, refs):
        """{ref: FetchResult or ForgeError}; GraphQL in pages of 100 when a token is set."""
        if self.forge.token:
            return self.graphql.fetch_many(refs)
        results = {}
        for ref in refs:
            try:
                results[ref] = self.fetch(ref)
            except ForgeError as error:
                results[ref] = error
        return results
