"""The forges' documented cost rules for batch reads, applied to the queries the simulator gets.

Written from the forges' own documents, independently of the product's planners, so
that a benchmark against the simulator measures what the real forges would charge:

- GitHub GraphQL ("Rate limits and query limits for the GraphQL API"): every
  connection must say ``first`` or ``last`` within 1-100; a call may ask for at most
  500,000 nodes; its cost in points is the number of requests needed to fulfil each
  connection (one per parent object, assuming every ``first`` is reached) divided by
  100 and rounded to the nearest whole number, at least 1.
- GitLab GraphQL ("GraphQL API", Limits): each field adds 1 to a query's
  complexity; at most 200 without a token, 250 with one; at most 10,000
  characters a query.

A connection is recognised by what it selects (``nodes`` or ``edges``); fragments
are expanded where they are spread.
"""

from graphql import parse
from graphql.error import GraphQLSyntaxError
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    VariableNode,
)

GITHUB_MAX_NODES = 500_000
GITHUB_PAGE_LIMIT = 100
GITLAB_COMPLEXITY = {True: 250, False: 200}  # authenticated or not
GITLAB_MAX_QUERY_CHARS = 10_000


class Query:
    """A parsed query: its operations' fields, with fragments expanded (None if unparsable)."""

    def __init__(self, text, variables=None):
        self.variables = variables if isinstance(variables, dict) else {}
        try:
            document = parse(text)
        except GraphQLSyntaxError:
            self.operations, self.fragments = None, {}
            return
        self.fragments = {d.name.value: d for d in document.definitions
                          if isinstance(d, FragmentDefinitionNode)}
        self.operations = [d for d in document.definitions
                           if isinstance(d, OperationDefinitionNode)]

    def fields(self, selection_set, seen=()):
        """The fields of a selection set, fragments expanded (a fragment never twice in a path)."""
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self.fields(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in self.fragments and name not in seen:
                    yield from self.fields(self.fragments[name].selection_set, (*seen, name))

    def argument(self, field, name):
        for argument in field.arguments or ():
            if argument.name.value == name:
                value = argument.value
                if isinstance(value, VariableNode):
                    return self.variables.get(value.name.value)
                if isinstance(value, IntValueNode):
                    return int(value.value)
        return None

    def is_connection(self, field):
        return any(child.name.value in ("nodes", "edges")
                   for child in self.fields(field.selection_set))


def nearest_whole(value):
    """Rounded to the nearest whole number, halves up (GitHub's "round ... to the nearest")."""
    return int(value + 0.5)


class GitHubCost:
    """What GitHub charges for a query: points, nodes and the first limit problems found."""

    def __init__(self, text, variables=None):
        self.query = Query(text, variables)
        self.requests = self.nodes = 0
        self.problems = []
        for operation in self.query.operations or ():
            self._walk(operation.selection_set, 1)

    @property
    def points(self):
        return max(1, nearest_whole(self.requests / 100))

    def _walk(self, selection_set, parents):
        for field in self.query.fields(selection_set):
            if not field.selection_set:
                continue
            if not self.query.is_connection(field):
                self._walk(field.selection_set, parents)
                continue
            size = self.query.argument(field, "first") or self.query.argument(field, "last")
            if not isinstance(size, int) or not 1 <= size <= GITHUB_PAGE_LIMIT:
                kind = "EXCESSIVE_PAGINATION" if isinstance(size, int) else "MISSING_PAGINATION"
                self.problems.append({
                    "type": kind,
                    "message": f"The `{field.name.value}` connection needs `first` or `last` "
                               f"between 1 and {GITHUB_PAGE_LIMIT} (asked: {size})."})
                size = GITHUB_PAGE_LIMIT
            self.requests += parents
            self.nodes += parents * size
            self._walk(field.selection_set, parents * size)

    def refusal(self):
        """GitHub's answer to a query over its node or pagination limits, or None."""
        if self.query.operations is None:
            return None  # a syntax error: the GraphQL engine says so itself
        if self.problems:
            return {"data": None, "errors": self.problems[:1]}
        if self.nodes > GITHUB_MAX_NODES:
            return {"data": None, "errors": [{
                "type": "MAX_NODE_LIMIT_EXCEEDED",
                "message": f"This query requests up to {self.nodes:,} possible nodes which "
                           f"exceeds the maximum limit of {GITHUB_MAX_NODES:,}."}]}
        return None


def gitlab_complexity(text):
    """GitLab's documented score: each field adds 1 (None if the query does not parse)."""
    query = Query(text)
    if query.operations is None:
        return None

    def count(selection_set):
        return sum(1 + count(field.selection_set) for field in query.fields(selection_set))

    return sum(count(operation.selection_set) for operation in query.operations)


def gitlab_refusal(text, authenticated, selection_complexity=None, selections=0):
    """GitLab's answer to a query over its size or complexity limits, or None to run it.

    ``selection_complexity``: score each of the query's ``selections`` that much instead
    of the documented rule (a server that scores more than the documents say).
    """
    if len(text) > GITLAB_MAX_QUERY_CHARS:
        return {"errors": [{"message": f"Query too large: {len(text)} characters, which "
                                       f"exceeds the limit of {GITLAB_MAX_QUERY_CHARS}"}]}
    limit = GITLAB_COMPLEXITY[bool(authenticated)]
    if selection_complexity is not None:
        score = 1 + selections * selection_complexity
    else:
        score = gitlab_complexity(text) or 0
    if score > limit:
        return {"errors": [{"message": f"Query has complexity of {score}, which exceeds max "
                                       f"complexity of {limit}"}]}
    return None
