"""A loopback HTTP server that answers like GitHub, GitLab, Gerrit and Gitea.

Layout under one base URL (each forge's ``api_url`` in the settings bucket):

- ``/github``           GitHub REST root; GraphQL at ``/github/graphql``
- ``/gitlab/api/v4``    GitLab REST (``merge_requests?iids[]=`` too); GraphQL at
                        ``/gitlab/api/graphql``
- ``/gerrit``           Gerrit REST (``/gerrit/a`` with credentials; ``/changes/?q=``)
- ``/gitea/api/v1``     Gitea / Forgejo REST
- ``/_sim/...``         control: open, merge, close, draft, approve, label,
                        rename, rate limits, request log (JSON over POST/GET)
- ``/@HOST/...``        any of the above under a tag, logged with it (a second host of
                        one kind, e.g. framagit.org beside gitlab.com)
"""

import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from . import batch_routes, feeds, identity_routes, notifications, sample_api, shapes, webhooks
from .control import handle_control
from .gitlab_graphql_api import GitLabGraphQLApi
from .graphql_api import GraphQLApi
from .state import World

WEB = {"github": "https://github.com", "gitlab": "https://gitlab.com",
       "gerrit": "https://review.opendev.org", "gitea": "https://codeberg.org"}

_GITHUB_PULL = re.compile(r"^/github/repos/([^/]+)/([^/]+)/pulls/(\d+)$")
_GITHUB_PULL_BY_ID = re.compile(r"^/github/repositories/(\d+)/pulls/(\d+)$")
_GITHUB_EVENTS = re.compile(r"^/github/repos/([^/]+)/([^/]+)/issues/(\d+)/events$")
_GITHUB_REVIEWS = re.compile(r"^/github/repos/([^/]+)/([^/]+)/pulls/(\d+)/reviews$")
_GITLAB_APPROVALS = re.compile(r"^/gitlab/api/v4/projects/([^/]+)/merge_requests/(\d+)/approvals$")
_GITEA_REVIEWS = re.compile(r"^/gitea/api/v1/repos/([^/]+)/([^/]+)/pulls/(\d+)/reviews$")
_GITLAB_MR = re.compile(r"^/gitlab/api/v4/projects/([^/]+)/merge_requests/(\d+)$")
_GERRIT_CHANGE = re.compile(r"^/gerrit(?:/a)?/changes/([^/]+)$")
_GITEA_PULL = re.compile(r"^/gitea/api/v1/repos/([^/]+)/([^/]+)/pulls/(\d+)$")
_HOST_TAG = re.compile(r"^/@[A-Za-z0-9.-]{1,100}(?=/)")


class _Server(ThreadingHTTPServer):
    # A forge takes many connections at once: socketserver's default backlog of 5 drops
    # (resets) some of twenty learners' checks arriving together.
    request_queue_size = 128


class SimulatorHandler(BaseHTTPRequestHandler):
    server_version = "forge-simulator/1"
    # Headers and body go out in two writes: without this, Nagle plus delayed ACKs add
    # ~40 ms to every answer on loopback.
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    host_tag = None  # the "/@HOST" a request came under, if any

    def log_message(self, format, *args):
        pass  # the request log in World is the record; keep test output quiet

    @property
    def world(self):
        return self.server.world

    @property
    def base(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    # -- plumbing ---------------------------------------------------------
    def reply(self, status, body=None, headers=None, kind="_sim", raw=None):
        payload = raw if raw is not None else (
            b"" if body is None else json.dumps(body).encode())
        # Logged before answering, so a client that has its answer finds it in the log.
        self.world.log(kind, self.command, self.path, status)
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if payload or status not in (204, 304):
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return {}
        try:
            return json.loads(self.rfile.read(length))
        except ValueError:
            return None

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    # Notifications' read marks and subscriptions (notifications.py).
    do_PUT = do_PATCH = do_DELETE = do_POST

    def _dispatch(self):
        path = urlsplit(self.path).path
        # "/@HOST/..." serves the same forges under a tag, so that two hosts of one kind
        # (gitlab.com, framagit.org) can be told apart in the request log.
        tagged = _HOST_TAG.match(path)
        self.host_tag = tagged[0][2:] if tagged else None
        if tagged:
            path = path[len(tagged[0]):]
        if webhooks.control(self, path) or notifications.handle(self, path):
            return None  # change signals: hooks, notification settings, inboxes, subscriptions
        if identity_routes.handle(self, path):  # OAuth pages, comments, their control actions
            return None
        for prefix, handler in (("/_sim/", self._control), ("/github/", self._github),
                                ("/gitlab/", self._gitlab), ("/gerrit/", self._gerrit),
                                ("/gitea/", self._gitea)):
            if path.startswith(prefix):
                return handler(path)
        return self.reply(404, {"message": "Not Found"})

    def _failure_injected(self, kind):
        status = self.world.take_failure(kind)
        if status:
            self.read_body()  # a POST's body read, so the connection's next request starts clean
            self.reply(status, {"message": "simulated failure"}, kind=kind)
            return True
        return False

    def _token_refused(self, kind, header_value):
        token = (header_value or "").split(" ")[-1]
        if token and token in self.world.bad_tokens:
            self.reply(401, {"message": "Bad credentials"}, kind=kind)
            return True
        return False

    # -- control ----------------------------------------------------------
    def _control(self, path):
        status, body = handle_control(self.world, self.command, path[len("/_sim/"):],
                                      self.read_body() if self.command == "POST" else {})
        self.reply(status, body)

    # -- GitHub -----------------------------------------------------------
    def github_rate_headers(self):
        budget = self.world.rate_limits["github"]
        return {"X-RateLimit-Limit": str(budget.limit),
                "X-RateLimit-Remaining": str(budget.remaining),
                "X-RateLimit-Reset": str(int(budget.reset_at.timestamp())),
                "X-RateLimit-Used": str(budget.limit - budget.remaining),
                "X-RateLimit-Resource": "core"}

    def _github(self, path):
        if self._token_refused("github", self.headers.get("Authorization")) or \
                self._failure_injected("github"):
            return None
        if path == "/github/graphql" and self.command == "POST":
            return batch_routes.github_graphql(self)
        events = _GITHUB_EVENTS.match(path)
        if events and self.command == "GET":
            return self._github_events(events)
        review_list = _GITHUB_REVIEWS.match(path)
        if review_list and self.command == "GET":
            page, per_page = self._page("per_page", 30)
            return self._sub_resource("github", review_list, lambda c: shapes.reviews(
                c, "CHANGES_REQUESTED", page, per_page))
        match = _GITHUB_PULL.match(path) or self._github_pull_by_id(path)
        if not match or self.command != "GET":
            return self.reply(404, {"message": "Not Found"}, kind="github")
        project, number = f"{unquote(match[1])}/{unquote(match[2])}", int(match[3])
        offsite = self.world.offsite_redirects.get(("github", project.lower()))
        if offsite:
            return self.reply(301, {"message": "Moved Permanently"}, {"Location": offsite},
                              kind="github")
        renamed = self.world.resolve_project("github", project)
        if renamed != project:
            moved = f"repositories/{shapes.num_id(renamed)}" if self.world.github_renames_by_id \
                else f"repos/{renamed}"
            return self.reply(301, {"message": "Moved Permanently"},
                              {"Location": f"{self.base}/github/{moved}/pulls/{number}"},
                              kind="github")
        contribution = self.world.get("github", project, number)
        if contribution is None:
            return self.reply(404, {"message": "Not Found"}, self.github_rate_headers(), "github")
        body = json.dumps(shapes.github_pull(contribution, self.base + "/github",
                                             WEB["github"])).encode()
        etag = 'W/"%s"' % hashlib.sha1(body).hexdigest()
        if self.headers.get("If-None-Match") == etag:  # 304s are free on GitHub
            return self.reply(304, None, {"ETag": etag, **self.github_rate_headers()},
                              kind="github")
        if not self.world.rate_limits["github"].spend():
            return self.reply(403, {"message": "API rate limit exceeded"},
                              self.github_rate_headers(), "github")
        return self.reply(200, None, {"ETag": etag, **self.github_rate_headers()},
                          kind="github", raw=body)

    def _github_pull_by_id(self, path):
        """``/repositories/:id/pulls/:n`` as the (owner, name, number) of that repository."""
        match = _GITHUB_PULL_BY_ID.match(path)
        if not match:
            return None
        found = next((c.project for c in self.world.all("github")
                      if shapes.num_id(c.project) == int(match[1])), None)
        return (None, *found.split("/", 1), match[2]) if found else None

    def _page(self, size_param, default_size):
        """(page, per_page) from the query string (GitHub: per_page; Gitea: limit)."""
        query = parse_qs(urlsplit(self.path).query)

        def number(name, default):
            value = (query.get(name) or [""])[0]
            return int(value) if value.isdigit() and 0 < int(value) <= 1000 else default

        return number("page", 1), number(size_param, default_size)

    def _sub_resource(self, kind, match, shape):
        """A list or object hanging off a pull request (reviews, approvals)."""
        if kind == "gitlab":
            contribution = self.world.get(kind, self.gitlab_project(match[1]), int(match[2]))
        else:
            contribution = self.world.get(kind, f"{unquote(match[1])}/{unquote(match[2])}",
                                          int(match[3]))
        if contribution is None:
            return self.reply(404, {"message": "Not Found"}, kind=kind)
        return self.reply(200, shape(contribution), kind=kind)

    def _github_events(self, match):
        contribution = self.world.get("github", f"{unquote(match[1])}/{unquote(match[2])}",
                                      int(match[3]))
        if contribution is None:
            return self.reply(404, {"message": "Not Found"}, kind="github")
        if not self.world.rate_limits["github"].spend():
            return self.reply(403, {"message": "API rate limit exceeded"},
                              self.github_rate_headers(), "github")
        return self.reply(200, shapes.github_issue_events(contribution, self.base + "/github"),
                          self.github_rate_headers(), "github")

    # -- GitLab -----------------------------------------------------------
    def _gitlab(self, path):
        if self._token_refused("gitlab", self.headers.get("PRIVATE-TOKEN")) or \
                self._failure_injected("gitlab"):
            return None
        approvals = _GITLAB_APPROVALS.match(path)
        if approvals and self.command == "GET":
            return self._sub_resource("gitlab", approvals, shapes.gitlab_approvals)
        match = _GITLAB_MR.match(path)
        listed = batch_routes.GITLAB_MR_LIST.match(path) if self.command == "GET" else None
        graphql = path == "/gitlab/api/graphql" and self.command == "POST"
        if not (match or listed or graphql) or (match and self.command != "GET"):
            return self.reply(404, {"message": "404 Not Found"}, kind="gitlab")
        budget = self.world.rate_limit("gitlab", self.host_tag)
        headers = {"RateLimit-Limit": str(budget.limit),
                   "RateLimit-Remaining": str(budget.remaining),
                   "RateLimit-Reset": str(int(budget.reset_at.timestamp()))}
        if not budget.spend():
            return self.reply(429, {"message": "Retry later"}, headers, "gitlab")
        if graphql:
            return self._gitlab_graphql(headers)
        if listed:
            return batch_routes.gitlab_merge_requests(self, listed, headers, WEB["gitlab"])
        contribution = self.world.get("gitlab", self.gitlab_project(match[1]), int(match[2]))
        if contribution is None:
            return self.reply(404, {"message": "404 Not found"}, headers, "gitlab")
        return self.reply(200, shapes.gitlab_merge_request(contribution, WEB["gitlab"]),
                          headers, "gitlab")

    def _gitlab_graphql(self, headers):
        if self._token_refused("gitlab", self.headers.get("Authorization")):
            return None
        request = self.read_body()
        if not isinstance(request, dict):
            return self.reply(400, {"message": "Bad request"}, headers, "gitlab")
        result = self.server.gitlab_graphql.execute(
            str(request.get("query", "")), request.get("variables") or {},
            authenticated=bool(self.headers.get("Authorization")))
        return self.reply(200, result, headers, "gitlab")

    def gitlab_project(self, project_id):
        """GitLab addresses a project by URL-encoded path or by numeric id."""
        if project_id.isdigit():
            for contribution in list(self.world.contributions.values()):
                if contribution.kind == "gitlab" and \
                        shapes.project_id(contribution.project) == int(project_id):
                    return contribution.project
        return unquote(project_id)

    # -- Gerrit -----------------------------------------------------------
    def _gerrit(self, path):
        if self._failure_injected("gerrit"):
            return None
        if batch_routes.GERRIT_QUERY.match(path) and self.command == "GET":
            if feeds.is_feed_query(self):  # a change feed: what moved since a moment
                return feeds.gerrit_feed(self)
            if sample_api.is_gerrit_project_query(self.path):
                return sample_api.gerrit_project_changes(self)
            return batch_routes.gerrit_changes(self)
        match = _GERRIT_CHANGE.match(path)
        if not match or self.command != "GET":
            return self.reply(404, None, kind="gerrit", raw=b"Not found")
        change_id = unquote(match[1])
        if "~" in change_id:
            project, _, number = change_id.rpartition("~")
            contribution = self.world.get("gerrit", project, number) if number.isdigit() else None
        else:
            contribution = self.world.find_by_number("gerrit", change_id) \
                if change_id.isdigit() else None
        if contribution is None:
            return self.reply(404, None, kind="gerrit", raw=b"Not found: " + change_id.encode())
        body = b")]}'\n" + json.dumps(shapes.gerrit_change(contribution)).encode()
        return self.reply(200, None, kind="gerrit", raw=body)

    # -- Gitea ------------------------------------------------------------
    def _gitea(self, path):
        if self._token_refused("gitea", self.headers.get("Authorization")) or \
                self._failure_injected("gitea"):
            return None
        review_list = _GITEA_REVIEWS.match(path)
        if review_list and self.command == "GET":
            page, per_page = self._page("limit", 50)
            return self._sub_resource("gitea", review_list, lambda c: shapes.reviews(
                c, "REQUEST_CHANGES", page, per_page))
        listed = batch_routes.GITEA_PULL_LIST.match(path)
        if listed and self.command == "GET":
            return batch_routes.gitea_pulls(self, listed, WEB["gitea"])
        match = _GITEA_PULL.match(path)
        if not match or self.command != "GET":
            return self.reply(404, {"message": "The target couldn't be found."}, kind="gitea")
        contribution = self.world.get("gitea", f"{unquote(match[1])}/{unquote(match[2])}",
                                      int(match[3]))
        if contribution is None:
            return self.reply(404, {"message": "The target couldn't be found."}, kind="gitea")
        body = shapes.gitea_pull(contribution, self.base + "/gitea/api/v1", WEB["gitea"])
        if not self.world.gitea_etags:
            return self.reply(200, body, kind="gitea")
        etag = '"%s"' % hashlib.sha1(json.dumps(body).encode()).hexdigest()
        if self.headers.get("If-None-Match") == etag:
            return self.reply(304, None, {"ETag": etag}, kind="gitea")
        return self.reply(200, body, {"ETag": etag}, kind="gitea")


class ForgeSimulator:
    """Start with ``ForgeSimulator().start()``; ``.world`` is the state to act on."""

    def __init__(self, host="127.0.0.1", port=0, world=None):
        self.world = world or World()
        self.httpd = _Server((host, port), SimulatorHandler)
        self.httpd.daemon_threads = True
        self.httpd.world = self.world
        self.httpd.graphql = GraphQLApi(self.world, WEB["github"])
        self.httpd.gitlab_graphql = GitLabGraphQLApi(self.world, WEB["gitlab"])
        # Change signals follow the world's changes (notifications.py, webhooks.py).
        if not hasattr(self.world, "notifications"):
            self.world.notifications = notifications.Notifications(self.world)
            self.world.webhooks = webhooks.Webhooks(self.world)
        self._thread = None

    @property
    def base_url(self):
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self._thread = threading.Thread(target=self.httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def settings(self, github_token=None, hosts=None, deadlines=None):
        """A settings bucket pointing the default public hosts at this simulator."""
        return simulator_settings(self.base_url, github_token=github_token, hosts=hosts,
                                  deadlines=deadlines)


def simulator_settings(base_url, github_token=None, hosts=None, deadlines=None):
    """The settings bucket for a simulator at ``base_url`` (``deadlines``: its bucket, if any)."""
    hosts = hosts or {"github": "github.com", "gitlab": "gitlab.com",
                      "gerrit": "review.opendev.org", "gitea": "codeberg.org"}
    apis = {"github": "/github", "gitlab": "/gitlab/api/v4", "gerrit": "/gerrit",
            "gitea": "/gitea/api/v1"}
    forges = []
    for kind, host in hosts.items():
        entry = {"kind": kind, "host": host, "api_url": base_url + apis[kind]}
        if kind == "github" and github_token:
            entry["token"] = github_token
        forges.append(entry)
    settings = {"forges": forges}
    if deadlines:
        settings["deadlines"] = dict(deadlines)
    return settings
