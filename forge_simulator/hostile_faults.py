"""The fault server's hostile answers: what a raw-socket forge did that the others do not.

Faults of ``FaultServer`` (see ``faults.py``) added for the third hardening drill:

==============================  ==========================================================
``slow_status_line``            the status line itself at one byte a second (nothing of
                                the head is complete before any sane deadline)
``reset_year_9999``             the primary rate limit with its reset in year 9999
                                (``253402300799``; Gerrit/Gitea: ``Retry-After`` as an
                                HTTP date in 9999; GitLab: ``Retry-After`` of as many
                                seconds)
``reset_inf``                   the primary rate limit with the reset ``inf`` (and
                                ``Retry-After: inf`` where the forge sends one)
``rate_headers_inf``            a healthy answer whose rate headers are ``inf`` and
                                ``1e18`` (remaining, limit, reset, ``Retry-After``)
``surrogates``                  a healthy answer with lone surrogates (``\\ud800``) in its
                                title, description, labels, author and page address
``redirect_other_pull``         a 301 on the same origin to another contribution of the
                                same project (number ``other``, default 999, which exists)
``other_pull``                  200 with another contribution's answer (number ``other``)
``other_repository``            200 with the answer naming another repository
==============================  ==========================================================

``EXPECTED`` (in ``faults.py``) gives each the error code the product must report;
``None`` for the two healthy answers, which must be read, their text cleaned.
"""

import json
import re
from urllib.parse import urlsplit

from .fault_bodies import rate_headers

YEAR_9999 = "253402300799"  # 9999-12-31 23:59:59 UTC
YEAR_9999_DATE = "Fri, 31 Dec 9999 23:59:59 GMT"
OTHER_NUMBER = 999
OTHER_TITLE = "Not the contribution asked for"
ELSEWHERE = "elsewhere/other"

EXPECTED = {
    "slow_status_line": "forge_unavailable", "reset_year_9999": "rate_limited",
    "reset_inf": "rate_limited", "rate_headers_inf": None, "surrogates": None,
    "redirect_other_pull": "forge_unavailable", "other_pull": "forge_unavailable",
    "other_repository": "forge_unavailable",
}
# Answers about one contribution: in a batch they bend only its entry.
ENTRY_FAULTS = ("rate_headers_inf", "surrogates", "other_pull", "other_repository")


def far_reset_headers(kind, value, date=None):
    """The primary rate limit of ``kind`` with its reset (and Retry-After) at ``value``."""
    if kind == "github":
        return {**rate_headers(kind, True), "X-RateLimit-Reset": value}
    if kind == "gitlab":
        return {**rate_headers(kind, True), "RateLimit-Reset": value, "Retry-After": value}
    return {"Retry-After": date or value}


def insane_rate_headers(kind):
    """A healthy answer's rate headers, every number one no library should do arithmetic on."""
    if kind == "github":
        return {"X-RateLimit-Limit": "inf", "X-RateLimit-Remaining": "1e18",
                "X-RateLimit-Reset": "1e18", "X-RateLimit-Used": "-1"}
    if kind == "gitlab":
        return {"RateLimit-Limit": "inf", "RateLimit-Remaining": "1e18",
                "RateLimit-Reset": "inf", "RateLimit-Observed": "nan"}
    return {"Retry-After": "inf"}


def _with_surrogate(text):
    return f"{text or ''}\ud800"


def with_surrogates(kind, body):
    """The healthy ``body`` with lone surrogates in the texts a forge writes."""
    body = dict(body)
    if kind == "gerrit":
        body["subject"] = _with_surrogate(body.get("subject"))
        body["owner"] = {**body["owner"], "name": _with_surrogate("Ada")}
        body["hashtags"] = [*body.get("hashtags", []), "\udc00tag"]
        return body
    title = "title"
    body[title] = _with_surrogate(body.get(title))
    body["labels"] = [*body.get("labels", []),
                      "\udc00label" if kind == "gitlab" else {"name": "\udc00label"}]
    body["description" if kind == "gitlab" else "body"] = _with_surrogate("Fixes a bug")
    body["web_url" if kind == "gitlab" else "html_url"] = _with_surrogate(
        body.get("web_url" if kind == "gitlab" else "html_url"))
    return body


def in_other_repository(kind, body):
    """The healthy ``body`` naming the repository ``ELSEWHERE``."""
    body = json.loads(json.dumps(body))
    if kind == "gerrit":
        body["project"] = ELSEWHERE
    elif kind == "gitlab":
        number = body.get("iid")
        body["references"] = {**(body.get("references") or {}),
                              "full": f"{ELSEWHERE}!{number}"}
        page = body.get("web_url", "")
        body["web_url"] = page.split("/-/")[0].rsplit("/", 2)[0] + \
            f"/{ELSEWHERE}/-/merge_requests/{number}"
    else:
        repo = body["base"]["repo"]
        repo.update(full_name=ELSEWHERE, name="other", id=(repo.get("id") or 0) + 1)
    return body


def bend_graphql(fault, node):
    """A GitHub GraphQL pull request node as ``fault`` bends it."""
    if fault == "surrogates":
        return {**node, "title": _with_surrogate(node.get("title")),
                "url": _with_surrogate(node.get("url"))}
    if fault == "other_pull":
        return {**node, "number": OTHER_NUMBER, "title": OTHER_TITLE}
    if fault == "other_repository":
        return {**node, "baseRepository": {"nameWithOwner": ELSEWHERE}}
    return node


def other_location(path_and_query):
    """The same request, about the contribution ``OTHER_NUMBER`` (a batch: one more term)."""
    parts = urlsplit(path_and_query)
    path = re.sub(r"([/~])\d+(/[a-z]+)?$", rf"\g<1>{OTHER_NUMBER}\g<2>", parts.path)
    query = parts.query if path != parts.path else "&".join(
        q for q in (parts.query, f"moved={OTHER_NUMBER}") if q)
    return path + (f"?{query}" if query else "")


def bent_entry(handler, kind, fault, target, body):
    """One entry of a batch answer as an ``ENTRY_FAULTS`` fault bends it."""
    if fault == "surrogates":
        return with_surrogates(kind, body)
    if fault == "other_repository":
        return in_other_repository(kind, body)
    if fault == "other_pull":
        other = (kind, target[1], OTHER_NUMBER)
        if handler.world.get(*other) is None:
            handler.world.open(kind, target[1], OTHER_NUMBER, title=OTHER_TITLE,
                               state="merged")
        return handler._healthy_body(other)  # noqa: SLF001  (its number is not the one asked)
    return body


class HostileFaultsMixin:
    """For FaultHandler: the answers of ``EXPECTED`` (needs ``_healthy_body``, ``_encode``)."""

    def _answer_hostile(self, kind, name, options, target, graphql_request):
        if name == "slow_status_line":
            return self._slow_status_line(kind, options.get("interval_s", 1.0))
        if name in ("reset_year_9999", "reset_inf"):
            value = YEAR_9999 if name == "reset_year_9999" else "inf"
            date = YEAR_9999_DATE if name == "reset_year_9999" else None
            status = 403 if kind == "github" else 429
            return self.reply(status, {"message": "API rate limit exceeded"},
                              far_reset_headers(kind, value, date), kind)
        other = (kind, target[1], OTHER_NUMBER)
        if self.world.get(*other) is None and target[1]:
            self.world.open(kind, target[1], OTHER_NUMBER, title=OTHER_TITLE, state="merged")
        if name == "redirect_other_pull":
            return self.reply(301, {"message": "Moved Permanently"},
                              {"Location": self.base + other_location(self.path)}, kind)
        if graphql_request is not None:
            return self._graphql_bent(name, graphql_request)
        body = self._healthy_body(other if name == "other_pull" else target)
        headers = rate_headers(kind, False)
        if name == "surrogates":
            body = with_surrogates(kind, body)
        elif name == "other_repository":
            body = in_other_repository(kind, body)
        elif name == "rate_headers_inf":
            headers = insane_rate_headers(kind)
        return self.reply(200, None, headers, kind, raw=self._encode(kind, body))

    def _graphql_bent(self, name, request):
        result = self.server.graphql.execute(request.get("query", ""),
                                             request.get("variables") or {})
        for alias, repository in (result.get("data") or {}).items():
            if isinstance(repository, dict) and isinstance(repository.get("pullRequest"), dict):
                repository["pullRequest"] = bend_graphql(name, repository["pullRequest"])
            result["data"][alias] = repository
        headers = insane_rate_headers("github") if name == "rate_headers_inf" \
            else rate_headers("github", False)
        return self.reply(200, result, headers, "github")

    def _slow_status_line(self, kind, interval_s):
        """``HTTP/1.1 200 OK`` a byte every ``interval_s``: the head never completes in time."""
        self.world.log(kind, self.command, self.path, 200)
        self.close_connection = True
        try:
            for byte in b"HTTP/1.1 200 OK\r\n":
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                if self.server.fault_server.stopping.wait(interval_s):
                    return
        except OSError:
            return  # the client gave up: what a deadline is for
