"""GitHub and GitHub Enterprise pull requests through PyGithub (REST).

One check is one request: ``Github(lazy=True)`` builds the repository and pull
request objects without fetching them, and ``update()`` sends a single GET,
conditional on the stored ETag, so an unchanged pull request costs a 304 (which
GitHub does not count against the rate limit).

PyGithub never retries, sleeps or follows a redirect itself here: it runs on our
pinned adapter, which holds the deadline, retries within it, follows a renamed
repository's 301 on the same host (a few hops at most) and refuses any other
redirect before PyGithub sees it.
"""

import re
import threading
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import unquote, urlsplit

import requests
from github import Auth, Github, GithubException
from github.GithubException import BadCredentialsException, UnknownObjectException
from github.Requester import HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass

from ..i18n import gettext_noop
from .batch import one_by_one
from .deadline import DEFAULT_SWEEP_CHECK_S
from .errors import (
    AuthFailed,
    ForgeError,
    ForgeUnavailable,
    NotFound,
    bounded_reset,
    is_rate_limited,
    rate_limited,
)
from .http import READ_TIMEOUT_S, USER_AGENT, PinnedAdapter, watching_renames
from .schemas import GitHubIssueEvent, GitHubPull, GitHubReview, is_bot_account, validated
from .snapshot import (
    WRITE_ASSOCIATIONS,
    FetchResult,
    RateLimitInfo,
    Review,
    clean_text,
    ensure_about,
    facts_from_reviews,
    parse_time,
    snapshot_from_rest_pull,
)

PAGE_SIZE = 100
MAX_PAGES = 3  # reviews and events: 300 entries read at most, else the decision is unknown

_BY_NAME = re.compile(r"^(?P<root>.*?)/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)(?P<rest>/.*)?$")
_BY_ID = re.compile(r"^(?P<root>.*?)/repositories/(?P<id>[1-9][0-9]{0,18})(?P<rest>/.*)?$")


def github_rename(source, target):
    """What a GitHub redirect from ``source`` to ``target`` renames, or None to refuse it.

    GitHub answers a renamed (or transferred) repository's old address with a 301 to
    the same endpoint under ``/repositories/:id`` (or, on some servers, under the new
    name). Followed only when nothing else changes: the same API root, the same
    endpoint and number after the repository, the same query. Returns ``("name",
    "owner/repo")`` or ``("id", 123)``: what the answer must then be about.
    """
    asked, moved = urlsplit(source), urlsplit(target)
    old = _BY_NAME.match(asked.path)
    if old is None or asked.query != moved.query:
        return None
    for pattern, kind in ((_BY_NAME, "name"), (_BY_ID, "id")):
        new = pattern.match(moved.path)
        if new and new["root"] == old["root"] and (new["rest"] or "") == (old["rest"] or ""):
            if kind == "id":
                return "id", int(new["id"])
            return "name", f"{unquote(new['owner'])}/{unquote(new['name'])}"
    return None


def _pinned_connection_class(base, scheme, public_only):
    """PyGithub's connection class, with our pinned, size-capped adapter mounted."""

    class PinnedConnection(base):
        def __init__(self, host, port=None, *args, retry=None, **kwargs):  # noqa: ARG002
            super().__init__(host, port, *args, retry=0, **kwargs)
            origin = f"{scheme}://{host}:{self.port}"
            self.adapter = PinnedAdapter(origin, public_only=public_only,
                                         follow_redirects=github_rename, refuse_202=True)
            self.session.mount(f"{scheme}://", self.adapter)
            self.session.trust_env = False

    return PinnedConnection


def _ensure_about(pull, ref, renamed):
    """The answer is ``ref``'s pull request: its number, in the repository asked for or the one
    a followed rename named (by name, or by the repository's id)."""
    repo = pull.base.repo
    if renamed is None:
        ensure_about(ref, "GitHub", pull.number, repo.full_name if repo else None)
    elif renamed[0] == "name":
        ensure_about(ref, "GitHub", pull.number, repo.full_name if repo else None, renamed[1])
    else:  # /repositories/:id: the answer must be that repository's
        repo_id = repo.id if repo is not None and repo.id is not None else -1
        ensure_about(ref, "GitHub", pull.number, repo_id, renamed[1])


def snapshot_from_rest(data, ref, forge, etag=None, renamed=None):
    """Normalize GitHub's REST pull request JSON (validated first: ForgeUnavailable if bent).

    ``renamed``: what a followed rename redirect named (``http.github_rename``), if any.
    """
    pull = validated(GitHubPull, data, "GitHub")
    _ensure_about(pull, ref, renamed)
    if pull.merged or (pull.merged is None and pull.merged_at):
        state = "merged"
    elif pull.state == "closed":
        state = "closed"
    elif pull.draft:
        state = "draft"
    else:
        state = "open"
    return snapshot_from_rest_pull(pull, "github", ref, forge, state, clean_text(pull.title),
                                   etag=etag)


def review_facts_from_rest(pages, complete=True):
    """ReviewFacts from GitHub's REST review list (only writers' reviews decide)."""
    reviews = [validated(GitHubReview, entry, "GitHub") for page in pages for entry in page]
    return facts_from_reviews(
        (Review(reviewer=review.user.login if review.user else "", state=review.state,
                counts=review.author_association in WRITE_ASSOCIATIONS,
                submitted_at=parse_time(review.submitted_at),
                bot=bool(review.user) and is_bot_account(review.user.login, review.user.type))
         for review in reviews),
        complete=complete)


def translate_github_error(exc, authenticated=False):
    """PyGithub / network exceptions to our typed errors (no secrets in messages)."""
    if isinstance(exc, ForgeError):
        return exc
    if isinstance(exc, GithubException):
        headers = exc.headers or {}
        if is_rate_limited(exc.status, headers):  # primary (remaining 0) or secondary (Retry-After)
            return rate_limited(headers, "GitHub's rate limit is exhausted.")
        if isinstance(exc, BadCredentialsException) or exc.status == 401 or \
                (exc.status == 403 and authenticated):
            return AuthFailed("GitHub rejected the configured token.")
        if isinstance(exc, UnknownObjectException) or exc.status in (404, 410, 451):
            return NotFound("GitHub has no such pull request (or it is private).")
        if exc.status == 403:
            return ForgeUnavailable(gettext_noop("%(forge)s refused to answer."),
                                    reason="forbidden",
                                    params={"forge": "GitHub"})
        if exc.status is None or 200 <= exc.status < 300:  # PyGithub could not read a 2xx body
            return ForgeUnavailable("%(forge)s sent an answer that could not be read.",
                                    reason="bad_response", params={"forge": "GitHub"})
        return ForgeUnavailable("%(forge)s answered with status %(status)s.",
                                reason="bad_status",
                                params={"forge": "GitHub", "status": exc.status})
    if isinstance(exc, RecursionError):  # JSON nested deeper than Python will decode
        return ForgeUnavailable("%(forge)s sent an answer that could not be read.",
                                reason="bad_response", params={"forge": "GitHub"})
    if isinstance(exc, RuntimeError):  # PyGithub refusing a redirect it was handed
        return ForgeUnavailable("GitHub redirected to another site; the redirect was refused.",
                                reason="redirect_refused")
    if isinstance(exc, requests.RequestException):
        return ForgeUnavailable("GitHub could not be reached. It will be tried again later.",
                                reason="network")
    if isinstance(exc, (ValueError, TypeError, AttributeError, KeyError, OverflowError)):
        # PyGithub reading a body that is not the JSON object it expects.
        return ForgeUnavailable("%(forge)s sent an answer that could not be read.",
                                reason="bad_response", params={"forge": "GitHub"})
    return None


@contextmanager
def _translated_errors(authenticated):
    try:
        yield
    except Exception as exc:  # translated below; unknown ones propagate
        error = translate_github_error(exc, authenticated)
        if error is None:
            raise
        raise error from None


class GitHubClient:
    """Reads pull requests from one configured GitHub host.

    One PyGithub ``Github`` per thread: its requester keeps one connection object that
    holds each request's verb and address between ``request()`` and ``getresponse()``, so
    two threads sharing it (twenty learners registering at once in a threaded server) would
    send each other's requests, read each other's answers and close each other's sockets.
    """

    def __init__(self, forge):
        self.forge = forge
        self._local = threading.local()
        self._graphql = None
        self.sweep_check_s = DEFAULT_SWEEP_CHECK_S  # set by Forges from the settings bucket

    @property
    def github(self):
        """This thread's PyGithub client, on our pinned, capped adapter."""
        github = getattr(self._local, "github", None)
        if github is None:
            github = self._local.github = self._new_github()
        return github

    def _new_github(self):
        forge = self.forge
        github = Github(
            base_url=forge.api_url,
            auth=Auth.Token(forge.token) if forge.token else None,
            timeout=READ_TIMEOUT_S, retry=None, lazy=True,
            seconds_between_requests=None, seconds_between_writes=None,
            user_agent=USER_AGENT,
        )
        scheme = urlsplit(forge.api_url).scheme
        connection = (HTTPSRequestsConnectionClass if scheme == "https"
                      else HTTPRequestsConnectionClass)
        # PyGithub has no public hook for the session it builds; this instance
        # attribute (read when the first request opens the connection) swaps in
        # our pinned, capped adapter for this client only.
        github.requester._Requester__connectionClass = _pinned_connection_class(  # noqa: SLF001
            connection, scheme, public_only=not forge.operator_configured)
        return github

    def _errors(self):
        return _translated_errors(bool(self.forge.token))

    def fetch(self, ref, etag=None, landing=False, reviews=False):
        """Read one pull request: exactly one HTTP request (plus a same-host 301 hop).

        With ``landing`` and a closed, unmerged pull request, one more request
        reads its issue events for the commit that closed it; with ``reviews``
        and an open one, one more reads its reviews for the review decision.
        """
        pull = self.github.get_repo(ref.project).get_pull(ref.number)
        conditional = {"If-None-Match": etag} if etag else None
        with self._errors(), watching_renames() as renames:
            changed = pull.update(additional_headers=conditional)
        rate = self._rate_limit()
        if not changed:
            return FetchResult(snapshot=None, etag=etag, rate_limit=rate)
        snapshot = snapshot_from_rest(pull.raw_data, ref, self.forge, etag=pull.etag,
                                      renamed=renames[-1] if renames else None)
        if landing and snapshot.state == "closed":
            snapshot = replace(snapshot, landed_commit=self._closing_commit(ref))
        if reviews and snapshot.state in ("open", "draft"):
            snapshot = self._review_facts(ref).applied_to(snapshot)
        return FetchResult(snapshot=snapshot, etag=pull.etag, rate_limit=rate)

    def _pages(self, path):
        """Up to MAX_PAGES pages of a list; (pages, complete) where complete means all read."""
        pages = []
        for page in range(1, MAX_PAGES + 1):
            with self._errors():
                _, entries = self.github.requester.requestJsonAndCheck(
                    "GET", path, parameters={"per_page": PAGE_SIZE, "page": page})
            if not isinstance(entries, list):
                raise ForgeUnavailable(
                    gettext_noop("%(forge)s sent an answer in an unexpected shape."),
                                       reason="bad_response", params={"forge": "GitHub"})
            pages.append(entries)
            if len(entries) < PAGE_SIZE:
                return pages, True
        return pages, False

    def _closing_commit(self, ref):
        """The commit id of the last ``closed`` issue event, if a commit closed it."""
        # Built from the parsed reference, not from a URL in the forge's answer.
        pages, complete = self._pages(f"/repos/{ref.project}/issues/{ref.number}/events")
        if not complete:
            return None  # the last "closed" event may be on a page not read
        events = [validated(GitHubIssueEvent, e, "GitHub") for page in pages for e in page]
        closing = [event for event in events if event.event == "closed"]
        commit = closing[-1].commit_id if closing else None
        valid = isinstance(commit, str) and re.fullmatch(r"[0-9a-f]{7,64}", commit)
        return commit if valid else None

    def _review_facts(self, ref):
        """The decision of each writer's latest review, and the review dates."""
        pages, complete = self._pages(f"/repos/{ref.project}/pulls/{ref.number}/reviews")
        return review_facts_from_rest(pages, complete)

    def _rate_limit(self):
        remaining, limit = self.github.requester.rate_limiting
        if remaining < 0:
            return None
        reset = self.github.requester.rate_limiting_resettime
        try:
            reset_at = datetime.fromtimestamp(reset, tz=timezone.utc) if reset else None
        except (OverflowError, OSError, ValueError):  # the transport keeps it sane; in case
            reset_at = None
        return RateLimitInfo(remaining=remaining, limit=limit, reset_at=bounded_reset(reset_at))

    @property
    def graphql(self):
        """Batch reader (needs a token: GitHub's GraphQL API refuses anonymous calls)."""
        if self._graphql is None:
            from .github_graphql import GitHubGraphQL  # noqa: PLC0415
            self._graphql = GitHubGraphQL(self.forge, sweep_check_s=self.sweep_check_s)
        return self._graphql

    def fetch_many(self, refs, deadline=None):
        """{ref: FetchResult or ForgeError}; GraphQL in pages of 100 when a token is set.

        Without a token, one REST request each: all under ``deadline`` (one
        Deadline for the whole batch) or the active one, else each under the
        sweep budget; after a rate limit the rest are answered with it, unasked.
        """
        if self.forge.token:
            return self.graphql.fetch_many(refs, deadline=deadline)
        return one_by_one(self.fetch, refs, deadline, self.sweep_check_s)
