"""GitHub and GitHub Enterprise pull requests through PyGithub (REST).

One check is one request: ``Github(lazy=True)`` builds the repository and pull
request objects without fetching them, and ``update()`` sends a single GET,
conditional on the stored ETag, so an unchanged pull request costs a 304 (which
GitHub does not count against the rate limit). A renamed repository's 301 is
followed by PyGithub on the same host only; any other redirect is refused.
"""

import re
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import urlsplit

from github import Auth, Github, GithubException, GithubRetry
from github.GithubException import (BadCredentialsException, RateLimitExceededException,
                                    UnknownObjectException)
from github.Requester import HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass
import requests

from .base import FetchResult, RateLimitInfo, same_site_url
from .errors import AuthFailed, ForgeError, ForgeUnavailable, NotFound, RateLimited
from .http import READ_TIMEOUT_S, USER_AGENT, PinnedAdapter, reset_time
from .snapshot import Snapshot, clean_description, clean_labels, clean_text, parse_time


def _pinned_connection_class(base, scheme, public_only):
    """PyGithub's connection class, with our pinned, size-capped adapter mounted."""

    class PinnedConnection(base):
        def __init__(self, host, port=None, *args, retry=None, **kwargs):
            super().__init__(host, port, *args, retry=retry, **kwargs)
            origin = f"{scheme}://{host}:{self.port}"
            self.adapter = PinnedAdapter(origin, retries=retry, public_only=public_only)
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
        description=clean_description(data.get("body")),
        etag=etag,
    )


def decision_from_reviews(reviews):
    """Review decision from (reviewer, state) pairs in time order (GitHub and Gitea states)."""
    latest = {}
    for reviewer, state in reviews:
        state = (state or "").upper()
        if reviewer and state in ("APPROVED", "CHANGES_REQUESTED", "REQUEST_CHANGES", "DISMISSED"):
            latest[reviewer] = state
    states = set(latest.values())
    if states & {"CHANGES_REQUESTED", "REQUEST_CHANGES"}:
        return "changes_requested"
    if "APPROVED" in states:
        return "approved"
    return "review_required"


def rate_limit_from_headers(headers):
    lower = {str(k).lower(): v for k, v in (headers or {}).items()}
    try:
        remaining = int(lower["x-ratelimit-remaining"])
        limit = int(lower.get("x-ratelimit-limit", remaining))
    except (KeyError, ValueError):
        return None
    return RateLimitInfo(remaining=remaining, limit=limit,
                         reset_at=reset_time(lower, "x-ratelimit-reset"))


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
                                reason="bad_status",
                                params={"forge": "GitHub", "status": exc.status})
    if isinstance(exc, RuntimeError):  # PyGithub refusing a cross-host or cross-scheme 301
        return ForgeUnavailable("GitHub redirected to another site; the redirect was refused.",
                                reason="redirect_refused")
    if isinstance(exc, requests.RequestException):
        return ForgeUnavailable("GitHub could not be reached. It will be tried again later.",
                                reason="network")
    return None


@contextmanager
def _translated_errors():
    try:
        yield
    except Exception as exc:  # translated below; unknown ones propagate
        error = translate_github_error(exc)
        if error is None:
            raise
        raise error from None


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
            connection, scheme, public_only=not forge.operator_configured)
        self._graphql = None

    def fetch(self, ref, etag=None, landing=False, reviews=False):
        """Read one pull request: exactly one HTTP request (plus a same-host 301 hop).

        With ``landing`` and a closed, unmerged pull request, one more request
        reads its issue events for the commit that closed it; with ``reviews``
        and an open one, one more reads its reviews for the review decision.
        """
        pull = self.github.get_repo(ref.project).get_pull(ref.number)
        conditional = {"If-None-Match": etag} if etag else None
        with _translated_errors():
            changed = pull.update(additional_headers=conditional)
        rate = self._rate_limit()
        if not changed:
            return FetchResult(snapshot=None, etag=etag, rate_limit=rate)
        snapshot = snapshot_from_rest(pull.raw_data, ref, self.forge, etag=pull.etag)
        if landing and snapshot.state == "closed":
            snapshot = replace(snapshot, landed_commit=self._closing_commit(ref))
        if reviews and snapshot.state in ("open", "draft"):
            snapshot = replace(snapshot, review_decision=self._review_decision(ref))
        return FetchResult(snapshot=snapshot, etag=pull.etag, rate_limit=rate)

    def _closing_commit(self, ref):
        """The commit id of the last ``closed`` issue event, if a commit closed it."""
        # Built from the parsed reference, not from a URL in the forge's answer.
        events_url = f"/repos/{ref.project}/issues/{ref.number}/events"
        with _translated_errors():
            _, events = self.github.requester.requestJsonAndCheck(
                "GET", events_url, parameters={"per_page": 100})
        closing = [e for e in events or [] if isinstance(e, dict) and e.get("event") == "closed"]
        commit = closing[-1].get("commit_id") if closing else None
        valid = isinstance(commit, str) and re.fullmatch(r"[0-9a-f]{7,64}", commit)
        return commit if valid else None

    def _review_decision(self, ref):
        """approved / changes_requested / review_required from each reviewer's latest review."""
        with _translated_errors():
            _, reviews = self.github.requester.requestJsonAndCheck(
                "GET", f"/repos/{ref.project}/pulls/{ref.number}/reviews",
                parameters={"per_page": 100})
        return decision_from_reviews(
            ((r.get("user") or {}).get("login"), r.get("state"))
            for r in reviews or [] if isinstance(r, dict))

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
