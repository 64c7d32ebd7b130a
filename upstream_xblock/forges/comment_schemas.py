"""The declared shape of the comment lists the identity check reads (strict, like schemas.py).

GitHub issue comments, GitLab merge request notes, Gitea issue comments and
Gerrit change messages: only who wrote each one and its text are read.
"""

from pydantic import Field

from .schemas import GerritAccount, GiteaUser, GitHubUser, GitLabUser, Strict


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
