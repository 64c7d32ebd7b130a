"""The simulator's identity endpoints: OAuth (see ``oauth``), comments and change messages.

Routes, each in its forge's own shape:

- GitHub ``/github/repos/{o}/{r}/issues/{n}/comments``, GitLab
  ``/gitlab/api/v4/projects/{id}/merge_requests/{n}/notes`` (newest first, system
  notes included), Gitea ``/gitea/api/v1/repos/{o}/{r}/issues/{n}/comments``,
  Gerrit ``/gerrit[/a]/changes/{id}/messages``;
- the OAuth pages of GitHub, GitLab and Gitea (``oauth.PATHS``);
- control: ``POST /_sim/comment {"kind", "project", "number", "author", "body"}``
  (post a comment as that user) and ``POST /_sim/sign_in {"kind", "login"}``.
"""

import base64
import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

from .ids import num_id as numeric_id
from .oauth import PATHS

_COMMENTS = {
    "github": re.compile(r"^/github/repos/([^/]+)/([^/]+)/issues/(\d+)/comments$"),
    "gitlab": re.compile(r"^/gitlab/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes$"),
    "gitea": re.compile(r"^/gitea/api/v1/repos/([^/]+)/([^/]+)/issues/(\d+)/comments$"),
    "gerrit": re.compile(r"^/gerrit(?:/a)?/changes/([^/]+)/messages$"),
}


def _comment_shape(kind, index, author, body):
    account = numeric_id(author)
    if kind == "gitlab":
        return {"id": index, "body": body, "system": False,
                "author": {"id": account, "username": author, "name": author.title()}}
    if kind == "gerrit":
        return {"id": f"m{index}", "message": f"Patch Set 1:\n\n{body}",
                "author": {"_account_id": account, "username": author, "name": author.title()}}
    return {"id": index, "body": body, "user": {"id": account, "login": author}}


def _contribution(handler, kind, match):
    world = handler.world
    if kind == "gerrit":
        change = unquote(match[1])
        project, _, number = change.rpartition("~")
        if project:
            return world.get(kind, project, number) if number.isdigit() else None
        return world.find_by_number(kind, number) if number.isdigit() else None
    if kind == "gitlab":
        return world.get(kind, handler.gitlab_project(match[1]), int(match[2]))
    return world.get(kind, f"{unquote(match[1])}/{unquote(match[2])}", int(match[3]))


def _comments(handler, kind, match):
    contribution = _contribution(handler, kind, match)
    if contribution is None:
        handler.reply(404, {"message": "Not Found"}, kind=kind)
        return True
    posted = handler.world.comments_on(contribution)
    items = [_comment_shape(kind, i + 1, author, body) for i, (author, body) in enumerate(posted)]
    if kind == "gitlab":
        items.reverse()  # asked with sort=desc
    if kind == "gerrit":
        raw = b")]}'\n" + json.dumps(items).encode()
        handler.reply(200, None, kind=kind, raw=raw)
    elif kind == "github":
        _github_page(handler, items)
    else:
        handler.reply(200, items, kind=kind)
    return True


def _github_page(handler, items):
    """GitHub pages its lists (``per_page`` up to 100, ``page``) and links the others."""
    parts = urlsplit(handler.path)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    per_page = min(max(int(query.get("per_page", 30)), 1), 100)
    page = max(int(query.get("page", 1)), 1)
    last = max((len(items) + per_page - 1) // per_page, 1)
    links = [f'<{handler.base}{parts.path}?per_page={per_page}&page={number}>; rel="{rel}"'
             for rel, number in (("next", page + 1), ("last", last)) if page < last]
    headers = {"Link": ", ".join(links)} if links else None
    handler.reply(200, items[(page - 1) * per_page: page * per_page], headers, kind="github")


def _form(handler):
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length).decode("utf-8", "replace") if length else ""
    return {key: values[0] for key, values in parse_qs(body).items()}


def _basic_auth(header):
    if not header or not header.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return unquote(user), unquote(password)


def _oauth(handler, path):
    provider = handler.world.oauth
    for kind, (authorize, token, user) in PATHS.items():
        if path == authorize and handler.command == "GET":
            status, answer = provider.authorize(kind, urlsplit(handler.path).query)
            if status == 302:
                handler.reply(302, None, {"Location": answer}, kind=kind)
            else:
                handler.reply(status, {"message": answer}, kind=kind)
            return True
        if path == token and handler.command == "POST":
            status, body = provider.token(kind, _form(handler),
                                          _basic_auth(handler.headers.get("Authorization")))
            handler.reply(status, body, kind=kind)
            return True
        if path == user and handler.command == "GET":
            status, body = provider.user(kind, handler.headers.get("Authorization"))
            handler.reply(status, body, kind=kind)
            return True
    return False


def _control(handler, path):
    action = path[len("/_sim/"):]
    if action not in ("comment", "sign_in") or handler.command != "POST":
        return False
    body = handler.read_body()
    try:
        if action == "sign_in":
            handler.world.oauth.sign_in(body["kind"], body["login"])
        else:
            handler.world.comment(body["kind"], body["project"], body["number"], body["author"],
                                  body["body"])
    except (KeyError, TypeError) as exc:
        handler.reply(400, {"message": f"missing or unknown: {exc}"})
        return True
    handler.reply(200, {})
    return True


def handle(handler, path):
    """Answer an identity route of the simulator; False when ``path`` is not one."""
    if path.startswith("/_sim/"):
        return _control(handler, path)
    if _oauth(handler, path):
        return True
    for kind, pattern in _COMMENTS.items():
        match = pattern.match(path)
        if match and handler.command == "GET":
            return _comments(handler, kind, match)
    return False
