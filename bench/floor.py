"""The fewest requests each forge's best batch read allows, from the forges' documents.

Written from the documented limits, not from the product's planners, so that the
sweep's requests can be compared with it (``sweep_bench.py``):

- GitHub GraphQL: 100 pull requests a query. A connection's ``first`` is at most 100
  and a query at most 500,000 nodes; GitHub documents queries "requesting thousands
  of objects" as exceeding its other resource limits: a page of 100 (15,000 nodes,
  2 points) is the largest that stays clear of them.
- GitLab: a project's merge requests by ``iids[]`` on REST, 100 a request, or any
  project's through GraphQL, as many a query as its complexity limit allows (200
  without a token: each field adds 1; one merge request's selection is 20 fields, so
  10 a query; a query's 10,000 characters hold more). For each project the cheaper.
- Gerrit: 500 changes a query (the default query limit; 1,024 terms allowed).
- Gitea/Forgejo: one listing page per 50 pull requests of a repository.
"""

import math
from collections import Counter

GITHUB_PAGE = 100
GITLAB_REST_PAGE = 100
GITLAB_COMPLEXITY_ANONYMOUS = 200
GITLAB_SELECTION_FIELDS = 20
GERRIT_RESULTS = 500
GITEA_PAGE = 50


def gitlab_per_query():
    return GITLAB_COMPLEXITY_ANONYMOUS // GITLAB_SELECTION_FIELDS


def host_floor(kind, projects):
    """The fewest requests that read contributions of ``projects`` (a Counter) on a host."""
    total = sum(projects.values())
    if not total:
        return 0
    if kind == "github":
        return math.ceil(total / GITHUB_PAGE)
    if kind == "gerrit":
        return math.ceil(total / GERRIT_RESULTS)
    if kind == "gitea":
        return sum(math.ceil(count / GITEA_PAGE) for count in projects.values())
    per_query = gitlab_per_query()
    rest = sum(math.ceil(count / GITLAB_REST_PAGE) for count in projects.values()
               if count >= per_query)
    pooled = sum(count for count in projects.values() if count < per_query)
    return rest + math.ceil(pooled / per_query)


def floor_by_host(items):
    """{host: fewest requests} for ``items`` [(kind, host, project, number)]."""
    projects, kinds = {}, {}
    for kind, host, project, _number in items:
        projects.setdefault(host, Counter())[project] += 1
        kinds[host] = kind
    return {host: host_floor(kinds[host], counts) for host, counts in projects.items()}
