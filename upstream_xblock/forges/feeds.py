"""What a forge says moved: change feeds read, webhook deliveries verified.

Change feeds: what moved on a forge since a moment, found in a few requests.

- Gerrit: one query per host, ``after:"YYYY-MM-DD hh:mm:ss"`` (UTC), 500
  changes a page (Gerrit's default query limit), paged with ``S=``; only each
  change's number, project and update time are read (no options).
- GitLab: per project, the merge requests updated after a moment, through
  GraphQL (``mergeRequests(updatedAfter:, sort: UPDATED_DESC)``) with several
  projects pooled in one query as the batch reads pool them (paths and times
  are variables, never spliced into the query text), within GitLab's
  complexity limit (a refusal that states the score resizes the query).

An ``Update`` only says which contribution moved and when: the sweep reads it
as any other. A feed cut short (more than it reads in one look) says so
(``complete`` False), and the caller reads every watched contribution instead.

Webhook deliveries from the course's own repositories: verified, then read.

Each forge proves a delivery its own way, always over the exact bytes received
and checked in constant time before a byte of the body is parsed:

- GitHub: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>``; the
  delivery's id in ``X-GitHub-Delivery``, the event in ``X-GitHub-Event``;
- GitLab: ``X-Gitlab-Token`` is the secret itself; the delivery's id in
  ``Idempotency-Key`` (the same on GitLab's retries), else ``X-Gitlab-Event-UUID``;
- Gitea/Forgejo: ``X-Forgejo-Signature`` (or ``X-Gitea-Signature``): the bare hex
  HMAC-SHA256 of the body; the id in ``X-Forgejo-Delivery`` / ``X-Gitea-Delivery``.

A verified delivery only names the pull requests it is about (``Delivery``):
the caller makes their records due, and the sweep reads them as any other.
"""

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from pydantic import Field

from .batch import alias_errors
from .errors import ForgeError, ForgeUnavailable, is_rate_limited, rate_limited
from .gerrit import decode_gerrit_json
from .gitlab_graphql import (
    ComplexityRefused,
    complexity_refusal,
    field_count,
    graphql_url,
    per_query,
    project_query,
)
from .http import guarded_request, parse_json, raise_for_status
from .schemas import GitHubRepository, Id, Strict, validated
from .snapshot import is_text, parse_time

GERRIT_PAGE = 500  # Gerrit's default queryLimit
GERRIT_PAGES = 4
GITLAB_PAGE = 100


# The declared shapes of their answers (strict, as every forge answer: schemas.py).
class GerritChangeUpdate(Strict):
    project: str
    number: int = Field(alias="_number")
    updated: str
    more_changes: bool = Field(default=False, alias="_more_changes")


class GitLabUpdatedMergeRequest(Strict):
    iid: str
    updatedAt: str


class GitLabPageInfo(Strict):
    hasNextPage: bool = False


class GitLabUpdatedMergeRequests(Strict):
    nodes: list[GitLabUpdatedMergeRequest | None] = []
    pageInfo: GitLabPageInfo | None = None


@dataclass(frozen=True)
class Update:
    project: str
    number: int
    updated_at: datetime | None


@dataclass(frozen=True)
class FeedPage:
    updates: tuple
    complete: bool = True


def gerrit_time(moment):
    """Gerrit's search time format, UTC (``after:"2026-01-05 10:00:00"``)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def gerrit_updates(client, since, deadline=None):
    """The changes of ``client``'s host updated at or after ``since``."""
    updates, start = [], 0
    for _page in range(GERRIT_PAGES):
        response = guarded_request(
            client.session, "GET", f"{client.root}/changes/", deadline=deadline,
            params=[("q", f'after:"{gerrit_time(since)}"'), ("n", GERRIT_PAGE), ("S", start)])
        raise_for_status(response, "Gerrit")
        changes = validated(list[GerritChangeUpdate], decode_gerrit_json(response.text), "Gerrit")
        updates.extend(Update(c.project, c.number, parse_time(c.updated)) for c in changes)
        if not (changes and changes[-1].more_changes):
            return FeedPage(tuple(updates))
        start += len(changes)
    return FeedPage(tuple(updates), complete=False)


FEED_QUERY_FIELDS = ("mergeRequests(updatedAfter: $t, first: %d, sort: UPDATED_DESC) "
                     "{ nodes { iid updatedAt } pageInfo { hasNextPage } }" % GITLAB_PAGE)


# GitLab's documented rule (each field adds 1): ``project`` and the fields below it, 7, so a
# feed query pools about three times as many projects as a merge request read does.
FEED_SELECTION_COMPLEXITY = 1 + field_count(FEED_QUERY_FIELDS)


def gitlab_feed_query(count):
    """The text of a feed query over ``count`` projects (``$t`` the time, ``$pN`` the paths)."""
    return project_query(count, lambda _i: FEED_QUERY_FIELDS, shared_params="$t: Time!, ")


def feed_per_query(authenticated):
    """Projects one feed query carries within GitLab's complexity and size limits."""
    return per_query(authenticated, FEED_SELECTION_COMPLEXITY, gitlab_feed_query)


def gitlab_updates(client, projects, since, deadline=None):
    """{project: FeedPage or ForgeError} for ``projects`` of ``client``'s host.

    A refusal that states GitLab's score shrinks the query, and the client keeps that size
    for its next looks (one refused request a host, not one a look).
    """
    size = client.feed_size or feed_per_query(bool(client.forge.token))
    results, queue = {}, sorted(set(projects))
    while queue:
        page, queue = queue[:size], queue[size:]
        try:
            results.update(_gitlab_page(client, page, since, deadline))
        except ComplexityRefused as refused:
            if 1 <= refused.fits < len(page):
                size, queue = refused.fits, page + queue  # GitLab's own score resizes it
                client.feed_size = size
                continue
            results.update({project: refused for project in page})
        except ForgeError as error:  # the whole request refused: the rest are not asked
            results.update({project: error for project in page + queue})
            break
    return results


def _gitlab_page(client, projects, since, deadline):
    variables = {f"p{i}": project for i, project in enumerate(projects)}
    variables["t"] = since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {"Authorization": f"Bearer {client.forge.token}"} if client.forge.token else {}
    response = guarded_request(client.session, "POST", graphql_url(client.forge.api_url),
                               deadline=deadline, headers=headers,
                               json={"query": gitlab_feed_query(len(projects)),
                                     "variables": variables})
    if is_rate_limited(response.status_code, response.headers):
        raise rate_limited(response.headers, "GitLab's rate limit is exhausted.")
    if response.status_code != 200:
        raise_for_status(response, "GitLab", authenticated=bool(client.forge.token))
    payload = parse_json(response)
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        raise complexity_refusal(payload, len(projects)) or ForgeUnavailable(
            "GitLab's GraphQL answer had no data.", reason="bad_response")
    failed = alias_errors(payload)
    return {project: _gitlab_project(project, data.get(f"m{i}"), f"m{i}" in failed)
            for i, project in enumerate(projects)}


def _gitlab_project(project, node, failed):
    if failed or not isinstance(node, dict):
        # A project GitLab did not answer for, or one gone private: its merge requests are
        # read by polling (a missing project is no news of a change).
        return ForgeUnavailable("GitLab did not answer for this project.", reason="partial")
    try:
        connection = validated(GitLabUpdatedMergeRequests, node.get("mergeRequests"), "GitLab")
    except ForgeUnavailable as error:
        return error
    updates = tuple(Update(project, int(n.iid), parse_time(n.updatedAt))
                    for n in connection.nodes if n is not None and n.iid.isdigit())
    more = bool(connection.pageInfo and connection.pageInfo.hasNextPage)
    return FeedPage(updates, complete=not more)


MAX_BODY_BYTES = 1024 * 1024
MAX_PROJECT_LENGTH = 255  # what a record's project holds
_DELIVERY_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
# Events about a pull request (or a comment on one): anything else is acknowledged, unread.
GITHUB_EVENTS = ("pull_request", "pull_request_review", "pull_request_review_comment",
                 "pull_request_review_thread", "issue_comment")
GITEA_EVENTS = ("pull_request", "pull_request_approved", "pull_request_rejected",
                "pull_request_comment", "pull_request_review_approved",
                "pull_request_review_rejected", "pull_request_review_comment",
                "pull_request_sync", "issue_comment")
GITLAB_EVENTS = ("merge_request", "note")


# The fields of a delivery that name a pull request (strict, as every forge answer).
class HookNumbered(Strict):
    number: Id


class HookIssue(Strict):
    number: Id
    pull_request: dict | None = None  # present when the issue is a pull request


class RepositoryHook(Strict):
    """A GitHub or Gitea/Forgejo delivery about a pull request, a review or a comment."""

    repository: GitHubRepository
    pull_request: HookNumbered | None = None
    issue: HookIssue | None = None


class GitLabHookProject(Strict):
    path_with_namespace: str


class GitLabHookMergeRequest(Strict):
    iid: Id


class GitLabHook(Strict):
    object_kind: str
    project: GitLabHookProject
    object_attributes: dict | None = None  # the merge request, or the comment
    merge_request: GitLabHookMergeRequest | None = None  # a comment's merge request


class WebhookRefused(Exception):
    """A delivery that changes nothing: ``code`` and the HTTP ``status`` to answer."""

    def __init__(self, code, status):
        super().__init__(code)
        self.code, self.status = code, status


@dataclass(frozen=True)
class Delivery:
    """A verified delivery: its id, and the pull request it is about (None: another event)."""

    delivery_id: str
    project: str | None = None
    number: int | None = None


def hub_signature(secret, body):
    """What GitHub sends in ``X-Hub-Signature-256`` for ``body`` signed with ``secret``."""
    return "sha256=" + _hex_hmac(secret, body)


def _hex_hmac(secret, body):
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _header(headers, name):
    value = headers.get(name)
    return value.strip() if isinstance(value, str) else ""


def _delivery_id(headers, *names):
    for name in names:
        value = _header(headers, name)
        if value:
            if not _DELIVERY_ID.match(value):
                raise WebhookRefused("bad_delivery_id", 400)
            return value
    raise WebhookRefused("missing_delivery_id", 400)


def verify(kind, headers, body, secret):
    """The delivery's id, once its proof holds; WebhookRefused otherwise.

    ``headers``: the request's headers by their HTTP names (case as sent is fine
    for Django's ``request.headers``); ``body``: the raw bytes.
    """
    if not secret:
        raise WebhookRefused("webhooks_off", 404)
    if len(body) > MAX_BODY_BYTES:
        raise WebhookRefused("too_large", 413)
    if kind == "github":
        proof, expected = _header(headers, "X-Hub-Signature-256"), hub_signature(secret, body)
        ids = ("X-GitHub-Delivery",)
    elif kind == "gitlab":
        proof, expected = _header(headers, "X-Gitlab-Token"), secret
        ids = ("Idempotency-Key", "X-Gitlab-Event-UUID", "X-Gitlab-Webhook-UUID")
    elif kind == "gitea":
        proof = _header(headers, "X-Forgejo-Signature") or _header(headers, "X-Gitea-Signature")
        expected = _hex_hmac(secret, body)
        ids = ("X-Forgejo-Delivery", "X-Gitea-Delivery")
    else:
        raise WebhookRefused("webhooks_off", 404)
    if not proof or not hmac.compare_digest(proof.encode("utf-8"), expected.encode("utf-8")):
        raise WebhookRefused("bad_signature", 401)
    return _delivery_id(headers, *ids)


def read(kind, headers, body, delivery_id):
    """The pull request a verified delivery is about (a Delivery without one for others)."""
    if kind == "github":
        event = _header(headers, "X-GitHub-Event")
    else:
        event = _header(headers, "X-Forgejo-Event") or _header(headers, "X-Gitea-Event")
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise WebhookRefused("bad_payload", 400) from None
    if kind == "gitlab":
        return _gitlab(payload, delivery_id)
    if event not in (GITHUB_EVENTS if kind == "github" else GITEA_EVENTS):
        return Delivery(delivery_id)
    hook = _validated(RepositoryHook, payload)
    if hook.pull_request is not None:
        number = hook.pull_request.number
    elif hook.issue is not None and (hook.issue.pull_request is not None or kind == "gitea"):
        number = hook.issue.number
    else:
        return Delivery(delivery_id)  # a comment on an issue, not on a pull request
    return _about(delivery_id, hook.repository.full_name, number)


def _gitlab(payload, delivery_id):
    kind = payload.get("object_kind") if isinstance(payload, dict) else None
    if kind not in GITLAB_EVENTS:
        return Delivery(delivery_id)
    hook = _validated(GitLabHook, payload)
    if kind == "note":
        if hook.merge_request is None:
            return Delivery(delivery_id)  # a comment on an issue or a commit
        number = hook.merge_request.iid
    else:
        iid = (hook.object_attributes or {}).get("iid")
        if not isinstance(iid, int) or isinstance(iid, bool) or not 0 < iid < 2 ** 63:
            raise WebhookRefused("bad_payload", 400)
        number = iid
    return _about(delivery_id, hook.project.path_with_namespace, number)


def _about(delivery_id, project, number):
    """The delivery about ``project``'s ``number``: a name a record could hold, or refused."""
    if not project or len(project) > MAX_PROJECT_LENGTH or not is_text(project):
        raise WebhookRefused("bad_payload", 400)
    return Delivery(delivery_id, project, number)


def _validated(model, payload):
    try:
        return validated(model, payload, "webhook")
    except ForgeUnavailable:  # not the shape of a delivery about a pull request
        raise WebhookRefused("bad_payload", 400) from None
