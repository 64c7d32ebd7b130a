"""The simulator's notifications: GitHub's and Gitea/Forgejo's, for bot accounts.

A bot is whoever holds a token (each distinct token is one account, as on the
forges). It subscribes to pull requests, and every change of a subscribed one
(``World``'s listeners: a merge, a close, a review, a comment...) adds or
updates an unread thread in its inbox.

GitHub (under ``/github``):

- ``GET /notifications`` (unread threads, newest first, ``per_page`` up to 50,
  ``Link: rel="next"``), with ``Last-Modified`` and ``X-Poll-Interval``
  (``world.notifications.poll_interval_s``, 60 by default); ``If-Modified-Since``
  equal to the last change answers 304 and spends nothing from the rate limit;
- ``PUT /notifications`` ``{"last_read_at"}``: 205, threads updated up to then read;
  ``PATCH /notifications/threads/{id}``: 205;
- GraphQL: ``PullRequest.id`` (the node id) in the main schema, and the mutation
  ``updateSubscription(input: {subscribableId, state})`` here.

Gitea/Forgejo (under ``/gitea/api/v1``): ``GET /notifications/new``, ``GET
/notifications?status-types=unread&subject-type=pull``, ``PUT
/notifications?last_read_at=``, ``PUT``/``DELETE
/repos/{o}/{r}/issues/{n}/subscriptions/{user}``, ``GET /user``.

Each notification's time is at least a second after the previous one's, so
that a conditional poll never misses one that came in the same second.
"""

import hashlib
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qs, unquote, urlsplit

from graphql import build_schema, graphql_sync

from .shapes import iso

_GITHUB_THREAD = re.compile(r"^/github/notifications/threads/(\d+)$")
_GITEA_SUBSCRIPTION = re.compile(
    r"^/gitea/api/v1/repos/([^/]+)/([^/]+)/issues/(\d+)/subscriptions/([^/]+)$")
PREFIX = {"github": "/github", "gitea": "/gitea/api/v1"}

MUTATION_SDL = """
type Query { ok: Boolean }
enum SubscriptionState { SUBSCRIBED UNSUBSCRIBED IGNORED }
input UpdateSubscriptionInput { subscribableId: ID!, state: SubscriptionState! }
type Subscribable { viewerSubscription: SubscriptionState }
type UpdateSubscriptionPayload { subscribable: Subscribable }
type Mutation { updateSubscription(input: UpdateSubscriptionInput!): UpdateSubscriptionPayload }
"""


def node_id(contribution):
    """A pull request's node id, as GitHub's GraphQL names it."""
    return f"PR_sim{contribution.id}"


def bot_login(token):
    """One bot account a token, named by a digest of it (a token never shows in a URL or
    the request log)."""
    return "relay-bot" if len(token) < 3 else \
        "bot-" + hashlib.sha256(token.encode()).hexdigest()[:12]


@dataclass
class Thread:
    id: int
    kind: str
    project: str
    number: int
    title: str
    updated_at: datetime
    unread: bool = True


class Notifications:
    """Every bot's subscriptions and inbox; ``on_change`` is a World listener."""

    def __init__(self, world, poll_interval_s=60):
        self.world = world
        self.poll_interval_s = poll_interval_s
        self.lock = threading.RLock()
        self.subscriptions = set()  # (token, kind, project lower, number)
        self.threads = {}  # token -> {(kind, project lower, number): Thread}
        self._ids = 500
        self._clock = datetime(2000, 1, 1, tzinfo=timezone.utc)
        self.schema = build_schema(MUTATION_SDL)
        self.schema.mutation_type.fields["updateSubscription"].resolve = self._update
        world.listeners.append(self.on_change)

    # -- the world's side --------------------------------------------------------
    def subscribe(self, token, kind, project, number, subscribed=True):
        with self.lock:
            key = (token, kind, project.lower(), int(number))
            (self.subscriptions.add if subscribed else self.subscriptions.discard)(key)

    def subscribers(self, contribution):
        with self.lock:
            return sorted(token for token, kind, project, number in self.subscriptions
                          if (kind, project, number) == (contribution.kind,
                                                         contribution.project.lower(),
                                                         contribution.number))

    def _tick(self):
        now = datetime.now(timezone.utc).replace(microsecond=0)
        self._clock = max(now, self._clock + timedelta(seconds=1))
        return self._clock

    def on_change(self, contribution, _event):
        if contribution.kind not in PREFIX:
            return
        with self.lock:
            for token in self.subscribers(contribution):
                inbox = self.threads.setdefault(token, {})
                key = (contribution.kind, contribution.project.lower(), contribution.number)
                thread = inbox.get(key)
                if thread is None:
                    self._ids += 1
                    thread = inbox[key] = Thread(self._ids, contribution.kind,
                                                 contribution.project, contribution.number,
                                                 contribution.title, self._tick())
                else:
                    thread.updated_at, thread.unread = self._tick(), True

    def unread(self, token, kind):
        with self.lock:
            found = [t for t in self.threads.get(token, {}).values()
                     if t.kind == kind and t.unread]
        return sorted(found, key=lambda t: t.updated_at, reverse=True)

    def last_modified(self, token, kind):
        with self.lock:
            times = [t.updated_at for t in self.threads.get(token, {}).values() if t.kind == kind]
        return max(times) if times else datetime(2000, 1, 1, tzinfo=timezone.utc)

    def mark_read(self, token, kind, until):
        with self.lock:
            for thread in self.threads.get(token, {}).values():
                if thread.kind == kind and (until is None or thread.updated_at <= until):
                    thread.unread = False

    # -- GraphQL ----------------------------------------------------------------------
    def execute_mutation(self, token, query, variables):
        result = graphql_sync(self.schema, query, variable_values=variables,
                              context_value={"token": token})
        body = {"data": result.data}
        if result.errors:
            body["errors"] = [{"type": "NOT_FOUND", "message": e.message, "path": e.path}
                              for e in result.errors]
        return body

    def _update(self, _root, info, input):  # noqa: A002  (GraphQL's argument name)
        wanted = input["subscribableId"]
        found = next((c for c in list(self.world.contributions.values())
                      if c.kind == "github" and node_id(c) == wanted), None)
        if found is None:
            raise ValueError(f"Could not resolve to a node with the global id of '{wanted}'.")
        subscribed = input["state"] == "SUBSCRIBED"
        self.subscribe(info.context["token"], "github", found.project, found.number, subscribed)
        return {"subscribable": {"viewerSubscription": input["state"]}}

    # -- shapes ---------------------------------------------------------------------
    def thread_json(self, thread, base):
        owner_repo = thread.project
        if thread.kind == "github":
            api = f"{base}/github"
            return {"id": str(thread.id), "unread": thread.unread, "reason": "subscribed",
                    "updated_at": iso(thread.updated_at), "last_read_at": None,
                    "subject": {"title": thread.title, "type": "PullRequest",
                                "url": f"{api}/repos/{owner_repo}/pulls/{thread.number}",
                                "latest_comment_url": None},
                    "repository": {"full_name": owner_repo},
                    "url": f"{api}/notifications/threads/{thread.id}",
                    "subscription_url": f"{api}/notifications/threads/{thread.id}/subscription"}
        api = f"{base}/gitea/api/v1"
        return {"id": thread.id, "unread": thread.unread, "pinned": False,
                "updated_at": iso(thread.updated_at),
                "subject": {"title": thread.title, "type": "Pull", "state": "open",
                            "url": f"{api}/repos/{owner_repo}/pulls/{thread.number}"},
                "repository": {"full_name": owner_repo},
                "url": f"{api}/notifications/threads/{thread.id}"}


def _token(handler):
    return (handler.headers.get("Authorization") or "").split(" ")[-1]


def _bot(handler):
    """A token that is not one of the simulated OAuth sign-ins' (those answer ``/user``
    as the learner they signed in: ``oauth.py``)."""
    token = _token(handler)
    with handler.world.oauth.lock:
        return bool(token) and token not in handler.world.oauth.tokens


def handle(handler, path):
    """Answer a notifications request on the simulator's handler; False if not one."""
    hub = handler.world.notifications
    if path == "/github/notifications" or _GITHUB_THREAD.match(path):
        _github(handler, hub, path)
        return True
    if path.startswith("/gitea/api/v1/notifications") or _GITEA_SUBSCRIPTION.match(path) \
            or (path == "/gitea/api/v1/user" and _bot(handler)):
        _gitea(handler, hub, path)
        return True
    return False


def _github(handler, hub, path):
    token = _token(handler)
    if not token or token in handler.world.bad_tokens:
        return handler.reply(401, {"message": "Bad credentials"}, kind="github")
    if _GITHUB_THREAD.match(path) and handler.command == "PATCH":
        return handler.reply(205, None, kind="github")
    if handler.command == "PUT":
        body = handler.read_body() or {}
        until = _moment(body.get("last_read_at")) if isinstance(body, dict) else None
        hub.mark_read(token, "github", until)
        return handler.reply(205, None, kind="github")
    if handler.command != "GET":
        return handler.reply(404, {"message": "Not Found"}, kind="github")
    last = hub.last_modified(token, "github")
    headers = {"Last-Modified": format_datetime(last, usegmt=True),
               "X-Poll-Interval": str(hub.poll_interval_s)}
    since = _http_date(handler.headers.get("If-Modified-Since"))
    if since is not None and last <= since:
        return handler.reply(304, None, headers, kind="github")  # free on GitHub
    if not handler.world.rate_limits["github"].spend():
        return handler.reply(403, {"message": "API rate limit exceeded"}, kind="github")
    page, per_page = handler._page("per_page", 50)  # noqa: SLF001  (the server's own helper)
    per_page = min(per_page, 50)
    threads = hub.unread(token, "github")
    chunk = threads[(page - 1) * per_page:page * per_page]
    if len(threads) > page * per_page:
        headers["Link"] = (f'<{handler.base}/github/notifications?per_page={per_page}'
                           f'&page={page + 1}>; rel="next"')
    return handler.reply(200, [hub.thread_json(t, handler.base) for t in chunk], headers,
                         kind="github")


def _gitea(handler, hub, path):
    token = _token(handler)
    if not token or token in handler.world.bad_tokens:
        return handler.reply(401, {"message": "token is required"}, kind="gitea")
    query = parse_qs(urlsplit(handler.path).query)
    if path == "/gitea/api/v1/user":
        return handler.reply(200, {"id": 1, "login": bot_login(token)}, kind="gitea")
    if path == "/gitea/api/v1/notifications/new":
        return handler.reply(200, {"new": len(hub.unread(token, "gitea"))}, kind="gitea")
    subscription = _GITEA_SUBSCRIPTION.match(path)
    if subscription:
        project = f"{unquote(subscription[1])}/{unquote(subscription[2])}"
        if handler.world.get("gitea", project, int(subscription[3])) is None or \
                unquote(subscription[4]) != bot_login(token):
            return handler.reply(404, {"message": "The target couldn't be found."}, kind="gitea")
        hub.subscribe(token, "gitea", project, int(subscription[3]),
                      subscribed=handler.command != "DELETE")
        return handler.reply(201 if handler.command == "PUT" else 204, None, kind="gitea")
    if handler.command == "PUT":
        hub.mark_read(token, "gitea", _moment((query.get("last_read_at") or [""])[0]))
        return handler.reply(205, [], kind="gitea")
    page, limit = handler._page("limit", 50)  # noqa: SLF001
    threads = hub.unread(token, "gitea")[(page - 1) * limit:page * limit]
    return handler.reply(200, [hub.thread_json(t, handler.base) for t in threads], kind="gitea")


def _moment(text):
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _http_date(text):
    try:
        return parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError, IndexError):
        return None


def mutation_request(request):
    """Whether a GraphQL request body holds a mutation (served here, not by the main schema)."""
    query = request.get("query") if isinstance(request, dict) else None
    return isinstance(query, str) and query.lstrip().startswith("mutation")
