"""What one batch read of many contributions costs a forge, by the clients' own planners.

A ``ReadPlan`` is told the contributions to read, one project at a time, and says
how many requests the host's batch read makes for them and how many units of the
host's rate budget those cost (GitHub's GraphQL points; a request elsewhere):

- GitHub with a token: GraphQL pages of ``PAGE_SIZE``; a page of n pull requests
  costs ``query_points(n)`` (GitHub's documented rule); without a token, one REST
  request each;
- GitLab: a project with as many merge requests as a GraphQL query holds (or
  more) is read through REST, 100 a request; the others are pooled into GraphQL
  queries of ``per_query`` selections (``gitlab.plan``);
- Gerrit: ``QUERY_TERMS`` changes a query;
- Gitea/Forgejo: one listing page (50) per repository and 50 of its pull requests.

The sweep sizes what it claims from a host with it (no more than the rate budget
allows), and paces open contributions by it (``tracking/schedule.py``).
"""

import math

from .gerrit import QUERY_TERMS
from .gitea import LIST_PAGE
from .github_graphql import PAGE_SIZE, query_points
from .gitlab import REST_PAGE
from .gitlab_graphql import per_query


class ReadPlan:
    """The requests and budget units of one batch read, grown a contribution at a time."""

    def __init__(self, forge):
        self.kind = forge.kind
        self.batched = forge.kind != "github" or bool(forge.token)
        self.graphql_size = per_query(bool(forge.token)) if forge.kind == "gitlab" else 0
        self.count = 0
        self.by_project = {}
        self._rest = 0  # GitLab: requests of the projects read through REST
        self._pooled = 0  # GitLab: merge requests pooled into GraphQL queries

    def add(self, project, count=1):
        """Add ``count`` contributions of ``project``."""
        before = self.by_project.get(project, 0)
        after = self.by_project[project] = before + count
        self.count += count
        if self.kind == "gitlab":
            self._rest -= self._gitlab_rest(before)
            self._rest += self._gitlab_rest(after)
            self._pooled += self._gitlab_pooled(after) - self._gitlab_pooled(before)
        return self

    def _gitlab_rest(self, count):
        return math.ceil(count / REST_PAGE) if count >= self.graphql_size else 0

    def _gitlab_pooled(self, count):
        return count if count < self.graphql_size else 0

    @property
    def requests(self):
        if not self.batched:
            return self.count
        if self.kind == "github":
            return math.ceil(self.count / PAGE_SIZE)
        if self.kind == "gitlab":
            return self._rest + math.ceil(self._pooled / self.graphql_size)
        if self.kind == "gerrit":
            return math.ceil(self.count / QUERY_TERMS)
        return sum(math.ceil(n / LIST_PAGE) for n in self.by_project.values())

    @property
    def units(self):
        """What the read costs the host's rate budget."""
        if self.kind == "github" and self.batched:
            full, rest = divmod(self.count, PAGE_SIZE)
            return full * query_points(PAGE_SIZE) + (query_points(rest) if rest else 0)
        return self.requests


def read_plan(forge, project_counts):
    """The ReadPlan of reading ``project_counts`` ({project: contributions}) on ``forge``."""
    plan = ReadPlan(forge)
    for project, count in project_counts.items():
        plan.add(project, count)
    return plan


def most_within(forge, projects, units):
    """How many of ``projects`` (one per contribution, in the order to read them) fit in
    ``units`` of the host's budget: the longest prefix whose read costs no more."""
    plan = ReadPlan(forge)
    for position, project in enumerate(projects):
        plan.add(project)
        if plan.units > units:
            return position
    return len(projects)
