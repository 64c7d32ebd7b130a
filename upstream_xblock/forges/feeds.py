"""Change feeds: what moved on a forge since a moment, found in a few requests.

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
"""

from dataclasses import dataclass
from datetime import datetime, timezone

from pydantic import Field

from .batch import alias_errors
from .errors import ForgeError, ForgeUnavailable, is_rate_limited, rate_limited
from .gerrit import decode_gerrit_json
from .gitlab_graphql import ComplexityRefused, complexity_refusal, graphql_url, per_query
from .http import guarded_request, parse_json, raise_for_status
from .schemas import Strict, validated
from .snapshot import parse_time

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


def gitlab_updates(client, projects, since, deadline=None):
    """{project: FeedPage or ForgeError} for ``projects`` of ``client``'s host."""
    size = per_query(bool(client.forge.token))
    results, queue = {}, sorted(set(projects))
    while queue:
        page, queue = queue[:size], queue[size:]
        try:
            results.update(_gitlab_page(client, page, since, deadline))
        except ComplexityRefused as refused:
            if 1 <= refused.fits < len(page):
                size, queue = refused.fits, page + queue  # GitLab's own score resizes it
                continue
            results.update({project: refused for project in page})
        except ForgeError as error:  # the whole request refused: the rest are not asked
            results.update({project: error for project in page + queue})
            break
    return results


def _gitlab_page(client, projects, since, deadline):
    params = ", ".join(f"$p{i}: ID!" for i in range(len(projects)))
    body = " ".join(f"m{i}: project(fullPath: $p{i}) {{ {FEED_QUERY_FIELDS} }}"
                    for i in range(len(projects)))
    variables = {f"p{i}": project for i, project in enumerate(projects)}
    variables["t"] = since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {"Authorization": f"Bearer {client.forge.token}"} if client.forge.token else {}
    response = guarded_request(client.session, "POST", graphql_url(client.forge.api_url),
                               deadline=deadline, headers=headers,
                               json={"query": f"query($t: Time!, {params}) {{ {body} }}",
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
