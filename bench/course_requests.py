"""What one sweep's checks cost each forge, by the clients' own batch planners.

A course of 10,000 learners over 8 weeks is millions of checks: too many to
send through HTTP in a benchmark. The simulation asks here how many requests
(and GitHub points) a sweep's due contributions cost, using the same page
sizes and planners the clients use (``github_graphql.PAGE_SIZE``,
``gitlab.plan``, ``gerrit.QUERY_TERMS``, one listing a repository on Gitea);
``sweep_bench.py`` runs the real sweep against the forge simulator over real
HTTP; this model serves the relay's comparison (``relay_course.py``), which
replays weeks of a course too many checks long for HTTP.
"""

from collections import Counter

from upstream_xblock.forges.gerrit import QUERY_TERMS
from upstream_xblock.forges.github_graphql import PAGE_SIZE
from upstream_xblock.forges.gitlab import plan
from upstream_xblock.forges.gitlab_graphql import per_query

# GitHub charges a GraphQL query ceil(connections asked / 100) points, at least 1; a pull
# request here asks two connections (labels, latest opinionated reviews).
CONNECTIONS_PER_PULL = 2


class _Ref:  # what the GitLab planner reads
    __slots__ = ("project",)

    def __init__(self, project):
        self.project = project


def github_points(pulls):
    return max(1, round(pulls * CONNECTIONS_PER_PULL / 100))


def sweep_cost(due, gitlab_token=False):
    """(requests by host, GitHub points) for ``due``: [(kind, host, project)]."""
    by_host = {}
    for kind, host, project in due:
        by_host.setdefault((kind, host), []).append(project)
    requests, points = Counter(), 0
    for (kind, host), projects in by_host.items():
        if kind == "github":
            pages = [min(PAGE_SIZE, len(projects) - start)
                     for start in range(0, len(projects), PAGE_SIZE)]
            requests[host] += len(pages)
            points += sum(github_points(size) for size in pages)
        elif kind == "gitlab":
            size = per_query(gitlab_token)
            rest, pooled = plan([_Ref(p) for p in projects], size)
            requests[host] += len(rest) + -(-len(pooled) // size)
        elif kind == "gerrit":
            requests[host] += -(-len(projects) // QUERY_TERMS)
        else:  # Gitea/Forgejo: one listing of each repository's recent pull requests
            requests[host] += len(set(projects))
    return requests, points
