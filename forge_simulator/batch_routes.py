"""The simulator's batch reads: GitLab ``merge_requests?iids[]=``, Gerrit ``q=change:A OR …``.

Both answer in the forge's own shapes (``shapes.py``). A private project (see
``World.make_private``) is a 404 on GitLab and absent from Gerrit's results.
``world.gerrit_query_limit`` is the server's query limit (500, Gerrit's
default): a query matching more returns that many, the last marked
``_more_changes``, as Gerrit does; more terms than ``world.gerrit_max_terms``
(1,024, Gerrit's ``index.maxTerms`` default) is a 400.
``world.batch_caps[kind]`` answers only the first that many (GitLab says
``X-Next-Page``). GitHub's GraphQL endpoint is here too: its points and node limit
(``cost_rules.py``), more aliases than ``world.graphql_max_aliases`` is
``RESOURCE_LIMITS_EXCEEDED``, and the relay's subscription mutations go to
``notifications.py``.
"""

import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

from . import notifications, shapes
from .cost_rules import GitHubCost

GITLAB_MR_LIST = re.compile(r"^/gitlab/api/v4/projects/([^/]+)/merge_requests$")
GITEA_PULL_LIST = re.compile(r"^/gitea/api/v1/repos/([^/]+)/([^/]+)/pulls$")
GITEA_MAX_PAGE = 50  # Gitea's MAX_RESPONSE_ITEMS default
GITEA_DEFAULT_PAGE = 30  # Gitea's DEFAULT_PAGING_NUM
GERRIT_QUERY = re.compile(r"^/gerrit(?:/a)?/changes/$")
_CHANGE_TERM = re.compile(r"^change:(\d{1,10})$")


def gitlab_merge_requests(handler, match, headers, web):
    """GET /projects/:id/merge_requests?iids[]=…: the asked merge requests that exist."""
    world = handler.world
    project = handler.gitlab_project(match[1])
    if world.is_private("gitlab", project) or not world.has_project("gitlab", project):
        return handler.reply(404, {"message": "404 Project Not Found"}, headers, "gitlab")
    query = parse_qs(urlsplit(handler.path).query)
    iids = [int(v) for v in query.get("iids[]", []) if v.isdigit()]
    per_page = min(100, int((query.get("per_page") or ["20"])[0] or 20))
    found = [c for c in (world.get("gitlab", project, iid) for iid in iids) if c is not None]
    cap = min(per_page, world.batch_caps.get("gitlab", per_page))
    page = [shapes.gitlab_merge_request(c, web) for c in found[:cap]]
    more = {"X-Next-Page": "2"} if len(found) > cap else {"X-Next-Page": ""}
    return handler.reply(200, page, {**headers, **more}, "gitlab")


def gerrit_changes(handler):
    """GET /changes/?q=change:A OR change:B…&n=…: ChangeInfo list, XSSI-prefixed."""
    world = handler.world
    query = parse_qs(urlsplit(handler.path).query)
    terms = [t for t in re.split(r"\s+OR\s+", (query.get("q") or [""])[0].strip()) if t]
    if len(terms) > world.gerrit_max_terms:  # Gerrit's index.maxTerms
        return handler.reply(400, None, kind="gerrit", raw=(
            f"too many terms in query: {len(terms)} terms (max = {world.gerrit_max_terms})"
        ).encode())
    numbers = []
    for term in terms:
        matched = _CHANGE_TERM.match(term)
        if not matched:
            return handler.reply(400, None, kind="gerrit", raw=b"Unsupported query: " +
                                 term.encode()[:100])
        numbers.append(int(matched[1]))
    asked = (query.get("n") or [""])[0]
    limit = min(world.gerrit_query_limit, int(asked) if asked.isdigit() else 10**6,
                world.batch_caps.get("gerrit", 10**6))
    found = [c for c in (world.find_by_number("gerrit", n) for n in numbers)
             if c is not None and not world.is_private("gerrit", c.project)]
    changes = [shapes.gerrit_change(c) for c in found[:limit]]
    if len(found) > limit and changes:
        changes[-1]["_more_changes"] = True
    return handler.reply(200, None, kind="gerrit", raw=b")]}'\n" + json.dumps(changes).encode())


def _number(query, name, default):
    value = (query.get(name) or [""])[0]
    return int(value) if value.isdigit() and int(value) > 0 else default


def gitea_pulls(handler, match, web):
    """GET /repos/{owner}/{repo}/pulls?state=&sort=&page=&limit=: a page of pull requests.

    ``sort=recentupdate`` orders by last update, newest first (else newest created
    first); ``state`` is open (the default), closed or all; at most 50 a page.
    """
    world = handler.world
    project = f"{unquote(match[1])}/{unquote(match[2])}"
    if world.is_private("gitea", project) or not world.has_project("gitea", project):
        return handler.reply(404, {"message": "The target couldn't be found."}, kind="gitea")
    query = parse_qs(urlsplit(handler.path).query)
    state = (query.get("state") or ["open"])[0]
    page = _number(query, "page", 1)
    limit = min(_number(query, "limit", GITEA_DEFAULT_PAGE), GITEA_MAX_PAGE)
    with world.lock:
        pulls = [c for c in world.contributions.values()
                 if c.kind == "gitea" and c.project.lower() == project.lower()
                 and state in ("all", "closed" if c.state != "open" else "open")]
    if (query.get("sort") or [""])[0] == "recentupdate":
        pulls.sort(key=lambda c: (c.updated_at, c.number), reverse=True)
    else:
        pulls.sort(key=lambda c: (c.created_at, c.number), reverse=True)
    chosen = pulls[(page - 1) * limit:page * limit]
    api = handler.base + "/gitea/api/v1"
    return handler.reply(200, [shapes.gitea_pull(c, api, web) for c in chosen],
                         {"X-Total-Count": str(len(pulls))}, "gitea")


def github_graphql_limits(world, request):
    """GitHub's answer to a query over its resource limits, or None to run it."""
    variables = request.get("variables") if isinstance(request, dict) else None
    aliases = sum(1 for key in (variables or {}) if re.fullmatch(r"p\d+", key))
    if world.graphql_max_aliases is not None and aliases > world.graphql_max_aliases:
        return {"data": None, "errors": [{
            "type": "RESOURCE_LIMITS_EXCEEDED",
            "message": "Resource limits for this query exceeded."}]}
    return None


def github_partial(world, result):
    """Keep only the first ``batch_caps["github"]`` aliases; the others fail as GitHub's do."""
    cap = world.batch_caps.get("github")
    data = result.get("data")
    if cap is None or not isinstance(data, dict):
        return result
    for alias in list(data):
        if alias[1:].isdigit() and int(alias[1:]) >= cap:
            data[alias] = None
            result.setdefault("errors", []).append(
                {"type": "SERVICE_UNAVAILABLE", "message": "Something went wrong.",
                 "path": [alias]})
    return result


def github_graphql(handler):
    """GitHub's GraphQL endpoint: the relay's subscription mutations, else a batch read priced
    and limited as GitHub documents it (``cost_rules.GitHubCost``)."""
    request = handler.read_body()
    if not isinstance(request, dict) or not handler.headers.get("Authorization"):
        return handler.reply(401, {"message": "This endpoint requires you to be authenticated."},
                             kind="github")
    query, variables = str(request.get("query", "")), request.get("variables") or {}
    if notifications.mutation_request(request):  # the relay's subscriptions
        if not handler.world.rate_limits["github"].spend():
            return handler.reply(403, {"message": "API rate limit exceeded"},
                                   handler.github_rate_headers(), "github")
        token = (handler.headers.get("Authorization") or "").split(" ")[-1]
        return handler.reply(200, handler.world.notifications.execute_mutation(
            token, query, variables), handler.github_rate_headers(), "github")
    cost = GitHubCost(query, variables)  # GitHub's documented points and node limit
    refused = github_graphql_limits(handler.world, request) or cost.refusal()
    if refused:
        return handler.reply(200, refused, handler.github_rate_headers(), "github")
    if not handler.world.rate_limits["github"].spend(cost.points):
        return handler.reply(403, {"message": "API rate limit exceeded"},
                                handler.github_rate_headers(), "github")
    with handler.world.lock:
        handler.world.github_points_spent += cost.points
    result = handler.server.graphql.execute(query, variables, cost=cost.points)
    return handler.reply(200, github_partial(handler.world, result),
                         handler.github_rate_headers(), "github")
