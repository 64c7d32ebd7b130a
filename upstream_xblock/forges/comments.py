"""Reading the comments of a contribution (Gerrit: its change messages).

For identity verification: a learner proves a forge account is theirs by
posting a code as a comment on one of their contributions. Each comment comes
back with its author's user name and the forge's stable id of that account.
At most two bounded requests per contribution (GitHub: the first page and,
when there are more, the last one, where a new comment is).
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

from .gerrit import change_id, decode_gerrit_json
from .http import guarded_request, parse_json, pinned_session, raise_for_status
from .schemas import GerritMessage, GiteaComment, GitHubComment, GitLabNote, validated
from .snapshot import clean_text

MAX_COMMENT_LENGTH = 2000
MAX_COMMENTS = 200
_LAST_PAGE = re.compile(r'<([^>]+)>;\s*rel="last"')


@dataclass(frozen=True)
class Comment:
    """One comment: who wrote it (user name and stable account id) and its text (bounded)."""

    author: str
    author_id: str
    body: str


def _comment(author, author_id, body):
    return Comment(author=clean_text(author, 100), author_id=str(author_id),
                   body=clean_text(body or "", MAX_COMMENT_LENGTH))


def _bounded(data):
    """At most MAX_COMMENTS items of a list (the rest is not read); anything else is bad."""
    return data[:MAX_COMMENTS] if isinstance(data, list) else data


class CommentReader:
    """Reads the comments of contributions on one configured forge host."""

    def __init__(self, forge):
        self.forge = forge
        header, self.root = None, forge.api_url
        if forge.token and forge.kind == "github":
            header = {"Authorization": f"token {forge.token}"}
        elif forge.token and forge.kind == "gitlab":
            header = {"PRIVATE-TOKEN": forge.token}
        elif forge.token and forge.kind == "gitea":
            header = {"Authorization": f"token {forge.token}"}
        self.session = pinned_session(forge.api_url, token_header=header,
                                      public_only=not forge.operator_configured)
        if forge.token and forge.kind == "gerrit":
            user, _, password = forge.token.partition(":")
            self.session.auth = (user, password)
            self.root = forge.api_url + "/a"

    def comments(self, ref):
        """The comments of ``ref`` (a ContributionRef on this host), oldest first where known."""
        return getattr(self, f"_{self.forge.kind}")(ref)

    def _read(self, model, data):
        """The first MAX_COMMENTS items of a list answer, each validated as ``model``."""
        return validated(list[model], _bounded(data), self.forge.host)

    def _get(self, url, params=None):
        response = guarded_request(self.session, "GET", url, params=params)
        raise_for_status(response, self.forge.host)
        return response

    def _github(self, ref):
        owner, repo = (quote(part, safe="") for part in ref.project.split("/", 1))
        response = self._get(f"{self.root}/repos/{owner}/{repo}/issues/{ref.number}/comments",
                             {"per_page": 100})
        items = self._read(GitHubComment, parse_json(response))
        last = _LAST_PAGE.search(response.headers.get("Link", ""))
        if last:  # a new comment is on the last page (the pinned session keeps it on this host)
            items += self._read(GitHubComment, parse_json(self._get(last[1])))
        return [_comment(c.user.login, c.user.id, c.body) for c in items if c.user]

    def _gitlab(self, ref):
        project = quote(ref.project, safe="")
        response = self._get(f"{self.root}/projects/{project}/merge_requests/{ref.number}/notes",
                             {"sort": "desc", "order_by": "created_at", "per_page": 100})
        return [_comment(n.author.username, n.author.id, n.body)
                for n in self._read(GitLabNote, parse_json(response)) if not n.system]

    def _gitea(self, ref):
        owner, repo = (quote(part, safe="") for part in ref.project.split("/", 1))
        response = self._get(f"{self.root}/repos/{owner}/{repo}/issues/{ref.number}/comments")
        return [_comment(c.user.login, c.user.id, c.body)
                for c in self._read(GiteaComment, parse_json(response)) if c.user]

    def _gerrit(self, ref):
        response = self._get(f"{self.root}/changes/{change_id(ref)}/messages")
        messages = self._read(GerritMessage, decode_gerrit_json(response.text))
        return [_comment(m.author.username or m.author.name, m.author.account_id, m.message)
                for m in messages if m.author]
