"""A loopback forge that misbehaves on purpose, one chosen fault per contribution.

It answers on the simulator's layout (``/github``, ``/gitlab/api/v4``,
``/gerrit``, ``/gitea/api/v1``; ``server.settings()`` points the public hosts
at it) and, for a contribution without a fault, exactly as the simulator does
(it *is* the simulator's handler, with faults checked first). Used by the
drills in ``tests/faults`` and by ``bench/``.

API::

    from forge_simulator.faults import FAULTS, FaultServer

    with FaultServer() as server:                  # 127.0.0.1, a free port
        server.fault("github", "org/repo", 7, "trickle")
        server.world.open("github", "org/repo", 8, state="merged")   # a healthy one
        settings = server.settings()               # settings bucket ({"forges": [...]})
        ...                                        # check https://github.com/org/repo/pull/7
        server.count("github", "org/repo", 7)      # requests that reached that contribution
        server.count()                             # all requests

``fault(kind, project, number, name, **options)`` sets (or with ``"healthy"``
clears) the fault of one contribution; its sub-resources (reviews, events,
approvals) and every GraphQL page naming it share it. A contribution given a
fault is also opened in ``world`` (so its healthy shape exists). Options:
``reset_in_s`` (rate-limit reset distance, default 3600), ``status`` (for
``server_error``, default 503), ``size`` (for ``huge``, default 5 MiB).

The faults (``FAULTS``):

==============================  ==========================================================
``hang``                        reads the request, never answers (until ``stop()``)
``trickle``                     the healthy body at 1 byte per second
``trickle_headers``             the status line and headers at 10 bytes per second (each
                                byte well within any socket timeout)
``reset``                       reads the request, then a TCP reset
``truncated``                   ``Content-Length`` 100 bytes longer than the body sent
``server_error``                503 with the forge's usual rate headers (GitLab's
                                ``RateLimit-*``; GitHub's ``X-RateLimit-*``)
``server_error_retry_after``    503 with ``Retry-After`` in seconds (GitLab: plus its
                                ``RateLimit-Reset`` an hour ahead)
``server_error_retry_date``     503 with ``Retry-After`` as an HTTP date
``rate_limited``                the primary limit: GitHub 403 ``X-RateLimit-Remaining: 0``,
                                GitLab 429 ``RateLimit-*``, Gerrit/Gitea 429
                                ``Retry-After`` (seconds)
``secondary_rate_limited``      GitHub 403 ``Retry-After`` (remaining > 0); others 429
                                ``Retry-After`` as an HTTP date
``forbidden``                   403 without any limit header
``accepted``                    202 with an empty object (PyGithub would sleep and ask again)
``malformed_json``              200, a body cut in the middle of an object
``shape_list``                  200, a JSON list
``shape_nulls``                 200, the healthy object with every value null
``shape_merged_string``         200, ``"merged": "false"`` on a closed pull request (GitHub,
                                Gitea); a string number elsewhere (GitLab ``iid``,
                                Gerrit ``_number``); GraphQL: ``"isDraft": "false"``
``shape_objects``               200, objects where plain values belong (state, title...)
``huge``                        200, a valid JSON body of ``size`` bytes
``deep_json``                   200, valid JSON nested 100,000 levels deep (small, but deeper
                                than Python's decoder goes)
``redirect_loop``               301 to the same address, forever
``redirect_offsite``            302 to another host
``not_found``                   404 in the forge's shape (repository deleted)
==============================  ==========================================================

and the hostile answers of ``hostile_faults.py`` (a status line at a byte a second,
resets in year 9999 and ``inf``, insane rate headers, lone surrogates, a same-origin
redirect to another pull request, another contribution's or repository's answer).

``EXPECTED`` maps each fault to the error code the product must report (``None``:
a healthy answer the product must read, its text cleaned); ``ANSWERED`` lists those.
"""

import json
import socket
import struct
import threading
from urllib.parse import unquote, urlsplit

from . import shapes
from .batch_faults import BatchFaultsMixin
from .fault_bodies import SHAPE_FAULTS, graphql_wrong, http_date, rate_headers, wrong_shape
from .hostile_faults import EXPECTED as HOSTILE_EXPECTED
from .hostile_faults import HostileFaultsMixin
from .server import (
    _GERRIT_CHANGE,
    _GITEA_PULL,
    _GITEA_REVIEWS,
    _GITHUB_EVENTS,
    _GITHUB_PULL,
    _GITHUB_REVIEWS,
    _GITLAB_APPROVALS,
    _GITLAB_MR,
    WEB,
    ForgeSimulator,
    SimulatorHandler,
)

EXPECTED = {
    "hang": "forge_unavailable", "trickle": "forge_unavailable",
    "trickle_headers": "forge_unavailable", "reset": "forge_unavailable",
    "truncated": "forge_unavailable", "server_error": "forge_unavailable",
    "server_error_retry_after": "forge_unavailable",
    "server_error_retry_date": "forge_unavailable", "rate_limited": "rate_limited",
    "secondary_rate_limited": "rate_limited", "forbidden": "forge_unavailable",
    "accepted": "forge_unavailable",
    "malformed_json": "forge_unavailable", "shape_list": "forge_unavailable",
    "shape_nulls": "forge_unavailable", "shape_merged_string": "forge_unavailable",
    "shape_objects": "forge_unavailable", "huge": "forge_unavailable",
    "deep_json": "forge_unavailable",
    "redirect_loop": "forge_unavailable", "redirect_offsite": "forge_unavailable",
    "not_found": "not_found",
    **HOSTILE_EXPECTED,
}
FAULTS = tuple(EXPECTED)
ANSWERED = tuple(fault for fault, code in EXPECTED.items() if code is None)
HANG_LIMIT_S = 600
OFFSITE = "http://offsite.invalid"

_SUB_RESOURCES = (("github", _GITHUB_EVENTS), ("github", _GITHUB_REVIEWS),
                  ("github", _GITHUB_PULL), ("gitlab", _GITLAB_APPROVALS), ("gitlab", _GITLAB_MR),
                  ("gitea", _GITEA_REVIEWS), ("gitea", _GITEA_PULL))


class FaultHandler(HostileFaultsMixin, BatchFaultsMixin, SimulatorHandler):
    """The simulator's handler, answering with a contribution's fault when it has one."""

    def _dispatch(self):
        path = urlsplit(self.path).path
        batch = self._batch_targets(path)
        if batch is not None:
            return self._batch_with_faults(batch)
        target, graphql_request = self._target(path)
        self.server.fault_server.record(target)
        fault = self.server.fault_server.fault_of(target)
        if fault is None:
            if graphql_request is not None:
                return self._graphql_with_faults(graphql_request)
            return super()._dispatch()
        name, options = fault
        kind = target[0]
        return self._answer_fault(kind, name, options, target, graphql_request)

    # -- which contribution a request is about --------------------------------
    def _target(self, path):
        """(kind, project, number) of the contribution addressed, and a GraphQL body if any."""
        if path == "/github/graphql" and self.command == "POST":
            request = self.read_body()
            targets = self._graphql_targets(request)
            faulted = [t for t in targets if self.server.fault_server.fault_of(t) and
                       self.server.fault_server.fault_of(t)[0] not in SHAPE_FAULTS]
            return (faulted[0] if faulted else ("github", "", 0)), (request or {})
        for kind, pattern in _SUB_RESOURCES:
            match = pattern.match(path)
            if match and kind == "gitlab":
                return (kind, unquote(match[1]).lower(), int(match[2])), None
            if match:
                return (kind, f"{unquote(match[1])}/{unquote(match[2])}".lower(),
                        int(match[3])), None
        match = _GERRIT_CHANGE.match(path)
        if match:
            change = unquote(match[1])
            project, _, number = change.rpartition("~")
            if number.isdigit():
                if not project:
                    found = self.world.find_by_number("gerrit", number)
                    project = found.project if found else ""
                return ("gerrit", project.lower(), int(number)), None
        return (path.split("/")[1] if "/" in path else "", "", 0), None

    @staticmethod
    def _graphql_targets(request):
        variables = (request or {}).get("variables") if isinstance(request, dict) else None
        if not isinstance(variables, dict):
            return []
        targets, i = [], 0
        while f"p{i}" in variables:
            targets.append(("github", f"{variables.get(f'o{i}')}/{variables.get(f'n{i}')}"
                            .lower(), variables.get(f"p{i}")))
            i += 1
        return targets

    # -- answers --------------------------------------------------------------
    def _healthy_body(self, target):
        kind, project, number = target
        contribution = self.world.get(kind, project, number) if project else None
        if contribution is None:
            contribution = self.world.open(kind, project or "org/repo", number or 1)
        if kind == "github":
            return shapes.github_pull(contribution, self.base + "/github", WEB["github"])
        if kind == "gitlab":
            return shapes.gitlab_merge_request(contribution, WEB["gitlab"])
        if kind == "gerrit":
            return shapes.gerrit_change(contribution)
        return shapes.gitea_pull(contribution, self.base + "/gitea/api/v1", WEB["gitea"])

    def _encode(self, kind, body):
        payload = json.dumps(body).encode()
        return b")]}'\n" + payload if kind == "gerrit" else payload

    def _answer_fault(self, kind, name, options, target, graphql_request):
        if name in HOSTILE_EXPECTED:
            return self._answer_hostile(kind, name, options, target, graphql_request)
        reset_in_s = options.get("reset_in_s", 3600)
        if name == "hang":
            self.server.fault_server.stopping.wait(HANG_LIMIT_S)
            self.close_connection = True
            return None
        if name == "reset":
            return self._reset()
        if name == "trickle_headers":
            return self._trickle_head(kind, options.get("interval_s", 0.1))
        if name == "deep_json":
            payload = b"[" * 100_000 + b"]" * 100_000
            return self.reply(200, None, rate_headers(kind, False), kind,
                              raw=b")]}'\n" + payload if kind == "gerrit" else payload)
        if name in SHAPE_FAULTS or name in ("trickle", "truncated", "malformed_json", "huge"):
            return self._answer_body(kind, name, options, target, graphql_request)
        if name.startswith("server_error"):
            headers = rate_headers(kind, False, 60)
            if name == "server_error_retry_after":
                headers.update(rate_headers(kind, False, 3600), **{"Retry-After": "3600"})
            elif name == "server_error_retry_date":
                headers["Retry-After"] = http_date(3600)
            return self.reply(options.get("status", 503), {"message": "Service Unavailable"},
                              headers, kind)
        if name in ("rate_limited", "secondary_rate_limited"):
            return self._rate_limited(kind, name == "secondary_rate_limited", reset_in_s)
        if name == "forbidden":
            return self.reply(403, {"message": "403 Forbidden"}, kind=kind)
        if name == "accepted":
            return self.reply(202, {}, kind=kind)
        if name == "redirect_loop":
            return self.reply(301, {"message": "Moved Permanently"},
                              {"Location": self.base + self.path}, kind)
        if name == "redirect_offsite":
            return self.reply(302, {"message": "Found"}, {"Location": OFFSITE + self.path}, kind)
        return self.reply(404, {"message": "Not Found"}, kind=kind)  # not_found

    def _rate_limited(self, kind, secondary, reset_in_s):
        if kind == "github" and not secondary:
            return self.reply(403, {"message": "API rate limit exceeded"},
                              rate_headers(kind, True, reset_in_s), kind)
        if kind == "github":
            return self.reply(403, {"message": "You have exceeded a secondary rate limit."},
                              {**rate_headers(kind, False), "Retry-After": str(reset_in_s)},
                              kind)
        if kind == "gitlab" and not secondary:
            return self.reply(429, {"message": "Retry later"},
                              {**rate_headers(kind, True, reset_in_s),
                               "Retry-After": str(reset_in_s)}, kind)
        retry_after = http_date(reset_in_s) if secondary else str(reset_in_s)
        return self.reply(429, {"message": "Too Many Requests"}, {"Retry-After": retry_after},
                          kind)

    def _answer_body(self, kind, name, options, target, graphql_request):
        if graphql_request is not None:
            result = self.server.graphql.execute(graphql_request.get("query", ""),
                                                 graphql_request.get("variables") or {})
            if name == "huge":
                result["extensions"] = {"padding": "x" * options.get("size", 5 * 1024 * 1024)}
            payload = json.dumps(result).encode()
        else:
            body = self._healthy_body(target)
            if name in SHAPE_FAULTS:
                body = wrong_shape(kind, name, body)
            if name == "huge":
                body["body" if kind != "gerrit" else "subject"] = "x" * options.get(
                    "size", 5 * 1024 * 1024)
            payload = self._encode(kind, body)
        if name == "malformed_json":
            payload = payload[: len(payload) // 2]
        if name in ("trickle", "truncated"):
            return self._stream(payload, name, kind)
        return self.reply(200, None, rate_headers(kind, False), kind, raw=payload)

    def _stream(self, payload, name, kind):
        """Headers at once, then the body at 1 byte/s (trickle) or short of its length."""
        self.world.log(kind, self.command, self.path, 200)
        declared = len(payload) + (100 if name == "truncated" else 0)
        self.send_response(200)
        for header, value in rate_headers(kind, False).items():
            self.send_header(header, value)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(declared))
        self.end_headers()
        self.close_connection = True
        try:
            if name == "truncated":
                self.wfile.write(payload)
                self.wfile.flush()
                return
            for i in range(len(payload)):
                self.wfile.write(payload[i:i + 1])
                self.wfile.flush()
                if self.server.fault_server.stopping.wait(1):
                    return
        except OSError:
            return  # the client gave up: what a deadline is for

    def _trickle_head(self, kind, interval_s):
        """A valid head, a byte every ``interval_s`` (a socket timeout alone never fires)."""
        self.world.log(kind, self.command, self.path, 200)
        self.close_connection = True
        head = b"HTTP/1.1 200 OK\r\n" + b"".join(
            f"X-Padding-{i}: {'x' * 40}\r\n".encode() for i in range(50))
        try:
            for i in range(len(head)):
                self.wfile.write(head[i:i + 1])
                self.wfile.flush()
                if self.server.fault_server.stopping.wait(interval_s):
                    return
        except OSError:
            return

    def _reset(self):
        """Close with SO_LINGER 0: the client sees a TCP reset, not a clean end."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def _graphql_with_faults(self, request):
        """A healthy GraphQL page, with the aliases of wrongly shaped contributions bent."""
        if not self.headers.get("Authorization"):
            return self.reply(401, {"message": "This endpoint requires you to be authenticated."},
                              kind="github")
        result = self.server.graphql.execute(request.get("query", ""),
                                             request.get("variables") or {})
        data = result.get("data") or {}
        for i, target in enumerate(self._graphql_targets(request)):
            fault = self.server.fault_server.fault_of(target)
            node = (data.get(f"p{i}") or {}).get("pullRequest") if isinstance(
                data.get(f"p{i}"), dict) else None
            if fault and fault[0] in SHAPE_FAULTS and isinstance(node, dict):
                data[f"p{i}"]["pullRequest"] = graphql_wrong(fault[0], node)
        return self.reply(200, result, rate_headers("github", False), "github")


class FaultServer(ForgeSimulator):
    """A ForgeSimulator whose contributions can each be given a fault."""

    def __init__(self, host="127.0.0.1", port=0, world=None):
        super().__init__(host, port, world)
        self.httpd.RequestHandlerClass = FaultHandler
        self.httpd.fault_server = self
        # A reset or a client that gave up mid-trickle is the point, not an error to print.
        self.httpd.handle_error = lambda _request, _client_address: None
        self.stopping = threading.Event()
        self._faults = {}
        self._counts = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(kind, project, number):
        return kind, (project or "").lower(), int(number or 0)

    def fault(self, kind, project, number, name, **options):
        """Give one contribution a fault (``"healthy"`` clears it)."""
        if name != "healthy" and name not in EXPECTED:
            raise ValueError(f"unknown fault {name!r}")
        if self.world.get(kind, project, number) is None:
            self.world.open(kind, project, number)
        with self._lock:
            if name == "healthy":
                self._faults.pop(self._key(kind, project, number), None)
            else:
                self._faults[self._key(kind, project, number)] = (name, options)

    def fault_of(self, target):
        with self._lock:
            return self._faults.get(self._key(*target))

    def record(self, target):
        with self._lock:
            key = self._key(*target)
            self._counts[key] = self._counts.get(key, 0) + 1

    def count(self, kind=None, project=None, number=None):
        """Requests received: for one contribution, one kind, or all."""
        with self._lock:
            if project is not None:
                return self._counts.get(self._key(kind, project, number), 0)
            return sum(n for (k, _p, _n), n in self._counts.items() if kind in (None, k))

    def reset_counts(self):
        with self._lock:
            self._counts.clear()

    def stop(self):
        self.stopping.set()  # releases hanging and trickling answers
        super().stop()
