"""The slice of GitLab's GraphQL schema the client reads, executed by graphql-core.

GitLab scores a query's complexity before running it and refuses one above
its limit (200 anonymous, 250 with a token); the simulator scores each
``project`` selection ``world.gitlab_selection_complexity`` (25 by default)
and refuses in GitLab's words. ``world.batch_caps["gitlab"]`` makes it answer
only that many selections, with an error tied to each of the others (a
partial answer). A private project answers null, as GitLab does.
"""

from graphql import GraphQLError, build_schema, graphql_sync, parse
from graphql.error import GraphQLSyntaxError

from .cost_rules import gitlab_refusal
from .feeds import GITLAB_SDL, install_gitlab
from .ids import num_id
from .shapes import iso

SDL = """
type Query { project(fullPath: ID!): Project }
type Project { fullPath: ID! mergeRequest(iid: String!): MergeRequest }
enum MergeRequestState { opened closed locked merged all }
type MergeRequestAuthor { id: ID! username: String! }
type Label { title: String! }
type LabelConnection { nodes: [Label] }
type MergeRequest {
  id: ID!
  iid: String!
  state: MergeRequestState!
  title: String!
  description: String
  draft: Boolean!
  webUrl: String
  createdAt: String!
  mergedAt: String
  closedAt: String
  targetBranch: String!
  reference(full: Boolean): String!
  author: MergeRequestAuthor
  labels(first: Int): LabelConnection
}
"""


def _selections(query):
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return 0
    return sum(1 for definition in document.definitions
               if getattr(definition, "operation", None) is not None
               for selection in definition.selection_set.selections
               if getattr(selection, "name", None) and selection.name.value == "project")


class GitLabGraphQLApi:
    def __init__(self, world, web):
        self.world = world
        self.web = web
        self.schema = build_schema(SDL + GITLAB_SDL)  # with the change feed's field
        install_gitlab(self.schema, world)
        self.schema.query_type.fields["project"].resolve = self._project
        self.schema.get_type("Project").fields["mergeRequest"].resolve = self._merge_request
        self.schema.get_type("MergeRequest").fields["reference"].resolve = \
            lambda node, _info, full=False: node["_reference"] if full else f"!{node['iid']}"

    def execute(self, query, variables, authenticated):
        refused = gitlab_refusal(query, authenticated, self.world.gitlab_selection_complexity,
                                 _selections(query))
        if refused:
            return refused
        result = graphql_sync(self.schema, query, variable_values=variables)
        body = {"data": result.data}
        errors = [{"message": e.message, "locations": [], "path": e.path}
                  for e in result.errors or ()]
        cap = self.world.batch_caps.get("gitlab")
        if cap is not None and isinstance(body["data"], dict):
            for alias in sorted(body["data"], key=lambda a: int(a[1:]) if a[1:].isdigit() else 0):
                if alias[1:].isdigit() and int(alias[1:]) >= cap:
                    body["data"][alias] = None
                    errors.append({"message": "Internal server error", "path": [alias]})
        if errors:
            body["errors"] = errors
        return body

    def _project(self, _root, _info, fullPath):
        if self.world.is_private("gitlab", fullPath):
            return None
        return {"fullPath": fullPath} if self.world.has_project("gitlab", fullPath) else None

    def _merge_request(self, project, _info, iid):
        if not iid.isdigit():
            raise GraphQLError("iid must be a number")
        c = self.world.get("gitlab", project["fullPath"], int(iid))
        if c is None:
            return None
        state = {"open": "locked" if c.locked else "opened", "closed": "closed",
                 "merged": "merged"}[c.state]
        return {
            "id": f"gid://gitlab/MergeRequest/{c.id}", "iid": str(c.number), "state": state,
            "title": c.title, "description": c.body, "draft": c.draft,
            "webUrl": f"{self.web}/{c.project}/-/merge_requests/{c.number}",
            "createdAt": iso(c.created_at), "mergedAt": iso(c.merged_at),
            "closedAt": iso(c.closed_at) if c.state == "closed" else None,
            "targetBranch": c.target_branch, "_reference": f"{c.project}!{c.number}",
            "author": {"id": f"gid://gitlab/User/{num_id(c.author)}", "username": c.author},
            "labels": {"nodes": [{"title": name} for name in c.labels]},
        }
