"""The slice of GitHub's GraphQL schema the client reads, executed by graphql-core."""

from graphql import GraphQLError, build_schema, graphql_sync

from . import sample_api
from .notifications import node_id
from .shapes import iso, num_id
from .state import all_reviews

SDL = """
type Query {
  repository(owner: String!, name: String!): Repository
  rateLimit: RateLimit
}
type RateLimit { remaining: Int! limit: Int! resetAt: String! cost: Int! }
type Repository {
  nameWithOwner: String!
  pullRequest(number: Int!): PullRequest
  pullRequests(first: Int, orderBy: IssueOrder): PullRequestConnection
}
enum IssueOrderField { CREATED_AT UPDATED_AT COMMENTS }
enum OrderDirection { ASC DESC }
input IssueOrder { field: IssueOrderField! direction: OrderDirection! }
type PullRequestConnection { nodes: [PullRequest] }
type Bot implements Actor { login: String! }
type IssueComment { createdAt: String! author: Actor }
type IssueCommentConnection { nodes: [IssueComment] }
enum PullRequestState { OPEN CLOSED MERGED }
enum PullRequestReviewDecision { APPROVED CHANGES_REQUESTED REVIEW_REQUIRED }
scalar BigInt
interface Actor { login: String! }
type User implements Actor { login: String! databaseId: Int }
enum PullRequestReviewState { PENDING COMMENTED APPROVED CHANGES_REQUESTED DISMISSED }
enum CommentAuthorAssociation {
  MEMBER OWNER MANNEQUIN COLLABORATOR CONTRIBUTOR FIRST_TIME_CONTRIBUTOR FIRST_TIMER NONE
}
type PullRequestReview {
  state: PullRequestReviewState!
  submittedAt: String
  authorAssociation: CommentAuthorAssociation!
  author: Actor
}
type PullRequestReviewConnection { nodes: [PullRequestReview] }
type Label { name: String! }
type LabelConnection { nodes: [Label] }
type PullRequest {
  id: ID!
  number: Int!
  databaseId: Int
  fullDatabaseId: BigInt
  title: String!
  body: String!
  state: PullRequestState!
  isDraft: Boolean!
  url: String!
  createdAt: String!
  mergedAt: String
  closedAt: String
  reviewDecision: PullRequestReviewDecision
  author: Actor
  baseRefName: String!
  baseRepository: Repository
  labels(first: Int): LabelConnection
  latestOpinionatedReviews(first: Int, writersOnly: Boolean): PullRequestReviewConnection
  reviews(first: Int): PullRequestReviewConnection
  comments(first: Int): IssueCommentConnection
}
"""

_REVIEW = {"approved": "APPROVED", "changes_requested": "CHANGES_REQUESTED"}


class GraphQLApi:
    def __init__(self, world, web):
        self.world = world
        self.web = web
        self.schema = build_schema(SDL)
        query = self.schema.query_type.fields
        query["repository"].resolve = self._repository
        query["rateLimit"].resolve = self._rate_limit
        self.schema.get_type("Repository").fields["pullRequest"].resolve = self._pull
        self.schema.get_type("Actor").resolve_type = \
            lambda value, _info, _type: value.get("_type", "User")
        sample_api.install(self)
        self.schema.get_type("PullRequest").fields["latestOpinionatedReviews"].resolve = \
            self._latest_opinionated_reviews

    def execute(self, query, variables, cost=1):
        """The answer to ``query``; ``cost``: the points it was charged (``rateLimit.cost``)."""
        result = graphql_sync(self.schema, query, variable_values=variables,
                              context_value={"cost": cost})
        body = {"data": result.data}
        if result.errors:
            body["errors"] = [{"type": "NOT_FOUND", "message": e.message, "path": e.path}
                              for e in result.errors]
        return body

    def _repository(self, _root, _info, owner, name):
        project = self.world.resolve_project("github", f"{owner}/{name}")
        if not self.world.has_project("github", project):
            raise GraphQLError(f"Could not resolve to a Repository with the name '{owner}/{name}'.")
        return {"nameWithOwner": project}

    def _rate_limit(self, _root, info):
        budget = self.world.rate_limits["github"]
        return {"remaining": budget.remaining, "limit": budget.limit,
                "resetAt": iso(budget.reset_at), "cost": (info.context or {}).get("cost", 1)}

    def _pull(self, repository, _info, number):
        c = self.world.get("github", repository["nameWithOwner"], number)
        if c is None:
            raise GraphQLError(f"Could not resolve to a PullRequest with the number of {number}.")
        return self.pull_node(c)

    def pull_node(self, c):
        return {
            "id": node_id(c), "number": c.number, "databaseId": c.id,
            "fullDatabaseId": str(c.id),
            "_contribution": c, "title": c.title, "body": c.body, "state": c.state.upper(),
            "isDraft": c.draft,
            "url": f"{self.web}/{c.project}/pull/{c.number}", "createdAt": iso(c.created_at),
            "mergedAt": iso(c.merged_at), "closedAt": iso(c.closed_at),
            "reviewDecision": _REVIEW.get(c.review, "REVIEW_REQUIRED"),
            "author": sample_api.actor(c.author, databaseId=num_id(c.author)),
            "baseRefName": c.target_branch,
            "baseRepository": {"nameWithOwner": c.project},
            "labels": {"nodes": [{"name": n} for n in c.labels]},
        }

    @staticmethod
    def _latest_opinionated_reviews(pull, _info, first=100, writersOnly=False):
        """Each reviewer's latest approving or change-requesting review (writers' only, if
        asked)."""
        latest = {}
        for review in all_reviews(pull["_contribution"]):
            if review.decision != "commented" and (review.writer or not writersOnly):
                latest[review.reviewer] = review
        nodes = [{"state": r.decision.upper(), "submittedAt": iso(r.at),
                  "authorAssociation": "MEMBER" if r.writer else "CONTRIBUTOR",
                  "author": sample_api.actor(r.reviewer, databaseId=num_id(r.reviewer))}
                 for r in latest.values()]
        return {"nodes": nodes[:first]}
