"""GitLab merge requests (gitlab.com and self-managed) through python-gitlab.

The project is addressed by its URL-encoded path and built lazily, so one
check is one request: ``GET /projects/:path/merge_requests/:iid``.

python-gitlab runs on our pinned session (configured origin only, capped
bodies, the deadline held, bounded retries) and never retries or sleeps
itself: its ``http_request`` sleeps for ``Retry-After`` / ``RateLimit-Reset``
when ``obey_rate_limit`` is on and for back-off when ``retry_transient_errors``
is on (``gitlab.utils.Retry``), so ``NoSleepGitlab`` forces both off and
``max_retries`` to 0 on every call, whatever the caller passes.
"""

import threading
from dataclasses import replace
from functools import partial
from urllib.parse import quote

import gitlab
import requests
from gitlab.exceptions import GitlabAuthenticationError, GitlabError

from ..i18n import gettext_noop
from .batch import AdaptiveBatchSize, chunks, not_found, partial_error, run_batches, unique
from .deadline import DEFAULT_SWEEP_CHECK_S
from .errors import (
    AuthFailed,
    ForgeError,
    ForgeUnavailable,
    NotFound,
    is_rate_limited,
    rate_limited,
)
from .gitlab_graphql import ComplexityRefused, fetch_page, per_query
from .http import (
    READ_TIMEOUT_S,
    USER_AGENT,
    guarded_request,
    parse_json,
    pinned_session,
    raise_for_status,
    request_error,
)
from .schemas import GitLabApprovals, GitLabMergeRequest, validated
from .snapshot import (
    FetchResult,
    ensure_about,
    forge_snapshot,
    latest,
    parse_time,
)

API_SUFFIX = "/api/v4"
NO_LIBRARY_RETRIES = {"obey_rate_limit": False, "retry_transient_errors": False, "max_retries": 0}


class NoSleepGitlab(gitlab.Gitlab):
    """python-gitlab with its own retry-and-sleep loop switched off for every request."""

    def http_request(self, *args, **kwargs):
        kwargs.update(NO_LIBRARY_RETRIES)
        return super().http_request(*args, **kwargs)


def _answered_project(merge_request, forge):
    """The project a merge request answer names (None if it names none)."""
    full = merge_request.references.full if merge_request.references else None
    if isinstance(full, str) and "!" in full:
        return full.rsplit("!", 1)[0]
    page = merge_request.web_url
    if page.startswith(forge.web_url + "/") and "/-/merge_requests/" in page:
        return page[len(forge.web_url) + 1:].split("/-/merge_requests/", 1)[0]
    return None


def snapshot_from_merge_request(data, ref, forge):
    """A Snapshot from GitLab's merge request JSON (validated first)."""
    merge_request = validated(GitLabMergeRequest, data, "GitLab")
    # A renamed project's old path answers a redirect (refused): the answer names the project
    # asked for, in its reference ("group/project!7") or, without one, its page's address.
    ensure_about(ref, "GitLab", merge_request.iid, _answered_project(merge_request, forge))
    state = merge_request.state
    if state == "merged":
        normalized = "merged"
    elif state == "closed":
        normalized = "closed"
    elif merge_request.draft or merge_request.work_in_progress:
        normalized = "draft"  # "locked" (a merge in progress) is still open
    else:
        normalized = "open"
    full = merge_request.references.full if merge_request.references else None
    target = full.rsplit("!", 1)[0] if isinstance(full, str) and "!" in full else ref.project
    author = merge_request.author
    return forge_snapshot(
        "gitlab", ref, forge, normalized, author=author.username if author else None,
        author_id=author.id if author else None, forge_id=merge_request.id,
        title=merge_request.title, web_url=merge_request.web_url,
        created_at=merge_request.created_at, merged_at=merge_request.merged_at,
        closed_at=merge_request.closed_at, target_repository=target,
        target_branch=merge_request.target_branch, labels=merge_request.labels,
        description=merge_request.description)


def decision_from_approvals(data):
    """(decision, approved_at) from the approvals endpoint: only eligible approvers approve."""
    approvals = validated(GitLabApprovals, data, "GitLab")
    if approvals.approved and approvals.approved_by:
        return "approved", latest(parse_time(a.approved_at) for a in approvals.approved_by)
    return "review_required", None


class GitLabClient:
    """Reads merge requests from one configured GitLab host."""

    def __init__(self, forge):
        self.forge = forge
        self.session = pinned_session(forge.api_url, public_only=not forge.operator_configured)
        self.session.hooks["response"].append(self._remember_headers)
        self._seen = threading.local()  # the headers of this thread's last answer
        self.gitlab = NoSleepGitlab(
            url=forge.api_url[: -len(API_SUFFIX)], private_token=forge.token,
            timeout=READ_TIMEOUT_S, session=self.session, keep_base_url=True,
            user_agent=USER_AGENT, retry_transient_errors=False,
        )
        self.sweep_check_s = DEFAULT_SWEEP_CHECK_S  # set by Forges from the settings bucket
        self._batch = None
        # Projects one change feed query carries, once the host's own score shrank it
        # (forges/feeds.py); None: as many as GitLab's documented rule allows.
        self.feed_size = None

    def _remember_headers(self, response, *args, **kwargs):  # noqa: ARG002
        self._seen.headers = response.headers

    @property
    def last_headers(self):
        """python-gitlab's errors carry no headers: the rate-limit ones are read from here."""
        return getattr(self._seen, "headers", {})

    def fetch(self, ref, etag=None, landing=False, reviews=False):  # noqa: ARG002
        """One merge request, one request; GitLab's MR API has no conditional GET.

        With ``reviews`` and an open merge request, one more request reads its
        approvals for the review decision.
        """
        project = self.gitlab.projects.get(ref.project, lazy=True)
        try:
            merge_request = project.mergerequests.get(ref.number, **NO_LIBRARY_RETRIES)
            snapshot = snapshot_from_merge_request(merge_request.attributes, ref, self.forge)
        except Exception as exc:  # translated below; unknown ones propagate  # noqa: BLE001
            raise self._translate(exc) from None
        if reviews and snapshot.state in ("open", "draft"):
            snapshot = self.with_review_decision(ref, snapshot)
        return FetchResult(snapshot=snapshot)

    def with_review_decision(self, ref, snapshot):
        """``snapshot`` with its review decision from the approvals endpoint: one request.

        (The batch reads carry no approvals; this completes one of their snapshots, and
        ``fetch`` one of its own. The merge request is built lazily: no request for it.)
        """
        project = self.gitlab.projects.get(ref.project, lazy=True)
        try:
            merge_request = project.mergerequests.get(ref.number, lazy=True)
            approvals = merge_request.approvals.get(**NO_LIBRARY_RETRIES)
            decision, approved_at = decision_from_approvals(approvals.attributes)
        except Exception as exc:  # translated below; unknown ones propagate  # noqa: BLE001
            raise self._translate(exc) from None
        return replace(snapshot, review_decision=decision, approved_at=approved_at)

    def fetch_many(self, refs, deadline=None):
        """{ref: FetchResult or ForgeError} in few requests (``gitlab_batch.py``)."""
        if self._batch is None:
            self._batch = GitLabBatchReader(self, self.sweep_check_s)
        return self._batch.fetch_many(refs, deadline=deadline)

    def _translate(self, exc):
        if isinstance(exc, ForgeError):
            return exc
        code = getattr(exc, "response_code", None)
        if isinstance(exc, GitlabError) and code:  # GitlabGetError wraps the HTTP error
            if is_rate_limited(code, self.last_headers):
                return rate_limited(self.last_headers, "GitLab's rate limit is exhausted.")
            if isinstance(exc, GitlabAuthenticationError) or code == 401 or \
                    (code == 403 and self.forge.token):
                return AuthFailed("GitLab rejected the configured token.")
            if code == 404:
                return NotFound("GitLab has no such merge request (or it is private).")
            if code == 403:
                return ForgeUnavailable(gettext_noop("%(forge)s refused to answer."),
                                        reason="forbidden",
                                        params={"forge": "GitLab"})
            return ForgeUnavailable("%(forge)s answered with status %(status)s.",
                                    reason="bad_status", params={"forge": "GitLab", "status": code})
        if isinstance(exc, GitlabAuthenticationError):
            return AuthFailed("GitLab rejected the configured token.")
        if isinstance(exc, GitlabError):  # e.g. a body that is not JSON
            return ForgeUnavailable("GitLab's answer could not be used.", reason="bad_response")
        if isinstance(exc, requests.RequestException):
            return request_error(exc)
        if isinstance(exc, (ValueError, TypeError, AttributeError, KeyError, RecursionError)):
            # python-gitlab reading a body that is not the JSON object it expects.
            return ForgeUnavailable("GitLab's answer could not be used.", reason="bad_response")
        raise exc


REST_PAGE = 100


def plan(refs, graphql_size):
    """(REST batches, GraphQL refs): REST for projects with ``graphql_size`` or more refs."""
    by_project = {}
    for ref in refs:
        by_project.setdefault(ref.project, []).append(ref)
    rest, pooled = [], []
    for items in by_project.values():
        if len(items) >= graphql_size:
            rest.extend(chunks(items, REST_PAGE))
        else:
            pooled.extend(items)
    return rest, pooled


class GitLabBatchReader:
    """``fetch_many`` for one GitLabClient."""

    def __init__(self, client, sweep_check_s=DEFAULT_SWEEP_CHECK_S):
        self.client = client
        self.sweep_check_s = sweep_check_s
        most = per_query(bool(client.forge.token))
        self.graphql_size = AdaptiveBatchSize(start=most, maximum=most)

    def fetch_many(self, refs, deadline=None):
        refs = unique(refs)
        rest, pooled = plan(refs, self.graphql_size.size)
        batches = [(self._rest, batch) for batch in rest]
        batches += [(self._graphql, batch) for batch in chunks(pooled, self.graphql_size.size)]
        return run_batches(batches, self.sweep_check_s * max(1, len(batches)), deadline)

    def _graphql(self, page):
        try:
            answered = fetch_page(self.client, page)
        except ComplexityRefused as refusal:
            if not 1 <= refusal.fits < len(page):
                raise
            self.graphql_size.cap(refusal.fits)  # GitLab told us what fits: ask for that
            pieces = chunks(page, refusal.fits)
            return run_batches([(partial(fetch_page, self.client), p) for p in pieces],
                               self.sweep_check_s * len(pieces))
        return answered

    def _rest(self, refs):
        forge = self.client.forge
        url = f"{forge.api_url}/projects/{quote(refs[0].project, safe='')}/merge_requests"
        params = [("iids[]", ref.number) for ref in refs] + [("per_page", REST_PAGE)]
        headers = {"PRIVATE-TOKEN": forge.token} if forge.token else {}
        response = guarded_request(self.client.session, "GET", url, params=params,
                                   headers=headers)
        raise_for_status(response, "GitLab", authenticated=bool(forge.token))
        entries = parse_json(response)
        if not isinstance(entries, list):
            raise ForgeUnavailable("%(forge)s sent an answer in an unexpected shape.",
                                   reason="bad_response", params={"forge": "GitLab"})
        more = bool(response.headers.get("X-Next-Page", "").strip())
        return self._outcomes(refs, entries, more)

    def _outcomes(self, refs, entries, more):
        wanted = {ref.number: ref for ref in refs}
        results = {}
        for entry in entries:
            iid = entry.get("iid") if isinstance(entry, dict) else None
            ref = wanted.get(iid) if isinstance(iid, int) and not isinstance(iid, bool) else None
            if ref is None or ref in results:
                continue  # not one we asked for (or twice): never a verdict on another
            try:
                results[ref] = FetchResult(
                    snapshot=snapshot_from_merge_request(entry, ref, self.client.forge))
            except ForgeUnavailable as error:
                results[ref] = error
        for ref in refs:
            if ref not in results:
                results[ref] = partial_error("GitLab") if more else not_found("GitLab")
        return results
