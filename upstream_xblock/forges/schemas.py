"""The declared shape of every forge answer the product reads (pydantic v2, strict).

A forge's JSON is untrusted. Before it becomes a Snapshot it is validated
against these models in strict mode: no coercion (``"merged": "false"`` is not a
boolean, ``"7"`` is not a number), no nulls where a value is required (a null or
missing ``state`` is not "open"), no objects where plain values belong. Only the
fields the product reads are declared; the rest is ignored. A failure is
``ForgeUnavailable(reason="bad_response")`` and the record keeps its last good
snapshot.

Sources: GitHub's REST OpenAPI description (pulls, reviews, issue events) and
GraphQL schema; GitLab "Merge requests API" and "Merge request approvals API";
Gerrit "rest-api-changes" (ChangeInfo, AccountInfo, LabelInfo); Gitea/Forgejo
swagger (PullRequest, PullReview).
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..i18n import gettext_noop
from .errors import ForgeUnavailable


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, populate_by_name=True)


# A forge's numeric id (an account, a pull request, a repository) or a contribution's number:
# a positive integer, as every forge documents them; -1 or 0 is not one.
Id = Annotated[int, Field(gt=0, lt=2 ** 63)]


# -- GitHub REST ----------------------------------------------------------------
class GitHubUser(Strict):
    login: str
    id: Id
    type: str = ""  # "User", "Bot", "Organization"


def is_bot_account(login, kind=""):
    """A bot account: GitHub's ``Bot`` type, or a ``[bot]`` login (GitHub Apps)."""
    return kind == "Bot" or login.lower().endswith("[bot]")


class GitHubRepository(Strict):
    full_name: str
    id: Id | None = None  # what a renamed repository's redirect names (/repositories/:id)


class GitHubBranch(Strict):
    ref: str
    repo: GitHubRepository | None = None


class NamedLabel(Strict):
    name: str


class GitHubPull(Strict):
    id: Id
    number: Id
    state: Literal["open", "closed"]
    merged: bool | None = None  # always in the single pull request's answer; absent in lists
    merged_at: str | None = None
    closed_at: str | None = None
    created_at: str
    draft: bool = False
    title: str
    body: str | None = None
    html_url: str
    user: GitHubUser | None  # null for a deleted account ("ghost")
    base: GitHubBranch
    labels: list[NamedLabel] = []


class GitHubReview(Strict):
    user: GitHubUser | None = None
    state: str
    author_association: str = "NONE"
    submitted_at: str | None = None


class GitHubIssueEvent(Strict):
    event: str
    commit_id: str | None = None


# -- GitHub GraphQL -------------------------------------------------------------
class GraphQLActor(Strict):
    login: str
    databaseId: Id | None = None  #  (GitHub's field name)
    typename: str = Field("", alias="__typename")


class GraphQLReview(Strict):
    state: str
    authorAssociation: str = "NONE"
    submittedAt: str | None = None
    author: GraphQLActor | None = None


class GraphQLReviews(Strict):
    nodes: list[GraphQLReview | None] = []


class GraphQLRepository(Strict):
    nameWithOwner: str


class GraphQLLabels(Strict):
    nodes: list[NamedLabel | None] = []


class GraphQLPull(Strict):
    number: Id
    databaseId: Id | None = None
    fullDatabaseId: str | None = None
    title: str
    body: str
    state: Literal["OPEN", "CLOSED", "MERGED"]
    isDraft: bool
    url: str
    createdAt: str
    mergedAt: str | None = None
    closedAt: str | None = None
    author: GraphQLActor | None = None
    baseRefName: str
    baseRepository: GraphQLRepository | None = None
    labels: GraphQLLabels | None = None
    latestOpinionatedReviews: GraphQLReviews | None = None


# -- GitLab -------------------------------------------------------------------
class GitLabUser(Strict):
    id: Id
    username: str


class GitLabReferences(Strict):
    full: str | None = None


class GitLabMergeRequest(Strict):
    id: Id
    iid: Id
    state: Literal["opened", "closed", "locked", "merged"]
    title: str
    description: str | None = None
    draft: bool = False
    work_in_progress: bool = False
    author: GitLabUser | None
    web_url: str
    created_at: str
    merged_at: str | None = None
    closed_at: str | None = None
    target_branch: str
    labels: list[str] = []
    references: GitLabReferences | None = None


class GitLabApprover(Strict):
    user: GitLabUser
    approved_at: str | None = None


class GitLabApprovals(Strict):
    approved: bool = False
    approved_by: list[GitLabApprover] = []


# -- GitLab GraphQL -----------------------------------------------------------
class GitLabGraphQLUser(Strict):
    id: str  # a global id, "gid://gitlab/User/123"
    username: str


class GitLabGraphQLLabel(Strict):
    title: str


class GitLabGraphQLLabels(Strict):
    nodes: list[GitLabGraphQLLabel | None] = []


class GitLabGraphQLMergeRequest(Strict):
    id: str  # "gid://gitlab/MergeRequest/123"
    iid: str
    state: Literal["opened", "closed", "locked", "merged"]
    title: str
    description: str | None = None
    draft: bool = False
    author: GitLabGraphQLUser | None = None
    webUrl: str | None = None
    createdAt: str
    mergedAt: str | None = None
    closedAt: str | None = None
    targetBranch: str
    reference: str | None = None
    labels: GitLabGraphQLLabels | None = None


# -- Gerrit -------------------------------------------------------------------
class GerritAccount(Strict):
    account_id: Id = Field(alias="_account_id")
    username: str | None = None
    name: str | None = None


class GerritApproval(Strict):
    account_id: Id | None = Field(default=None, alias="_account_id")
    value: int | None = None
    date: str | None = None


class GerritLabel(Strict):
    approved: GerritAccount | None = None
    rejected: GerritAccount | None = None
    all: list[GerritApproval] = []


class GerritCommit(Strict):
    message: str | None = None


class GerritRevision(Strict):
    commit: GerritCommit | None = None


class GerritChange(Strict):
    id: str
    project: str
    branch: str
    subject: str
    status: Literal["NEW", "MERGED", "ABANDONED"]
    created: str
    updated: str | None = None
    submitted: str | None = None
    number: Id = Field(alias="_number")
    owner: GerritAccount
    work_in_progress: bool = False
    hashtags: list[str] = []
    labels: dict[str, GerritLabel] = {}
    current_revision: str | None = None
    revisions: dict[str, GerritRevision] = {}


# -- Gitea / Forgejo ----------------------------------------------------------
class GiteaUser(Strict):
    id: Id
    login: str


class GiteaRepository(Strict):
    full_name: str


class GiteaBranch(Strict):
    ref: str
    repo: GiteaRepository | None = None


class GiteaPull(Strict):
    id: Id
    number: Id
    state: Literal["open", "closed"]
    merged: bool
    merged_at: str | None = None
    closed_at: str | None = None
    created_at: str
    draft: bool = False
    title: str
    body: str | None = None
    html_url: str
    user: GiteaUser | None
    base: GiteaBranch
    labels: list[NamedLabel] = []


class GiteaReview(Strict):
    user: GiteaUser | None = None
    state: str
    official: bool = False
    dismissed: bool = False
    submitted_at: str | None = None


def validated(model, data, forge_name="The forge"):
    """``data`` as ``model`` (a model class, or ``list[model]``), or ForgeUnavailable."""
    try:
        if getattr(model, "__origin__", None) is list:
            item = model.__args__[0]
            if not isinstance(data, list):
                raise TypeError
            return [item.model_validate(entry, strict=True) for entry in data]
        return model.model_validate(data, strict=True)
    except (ValidationError, TypeError, RecursionError):
        raise ForgeUnavailable(gettext_noop("%(forge)s sent an answer in an unexpected shape."),
                               reason="bad_response", params={"forge": forge_name}) from None


class GitHubComment(Strict):
    user: GitHubUser | None = None  # null for a deleted account ("ghost")
    body: str | None = None


class GitLabNote(Strict):
    author: GitLabUser
    body: str | None = None
    system: bool = False  # "changed the description": written by GitLab, not by a person


class GiteaComment(Strict):
    user: GiteaUser | None = None
    body: str | None = None


class GerritMessage(Strict):
    author: GerritAccount | None = None  # absent for messages Gerrit writes itself
    message: str | None = Field(default=None)
