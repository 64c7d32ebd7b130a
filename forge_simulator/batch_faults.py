"""The fault server's batch reads: GitLab ``iids[]`` and GraphQL, Gerrit ``q=change:…``,
a Gitea repository's listing of pull requests.

A batch names several contributions. A fault of any of them that is not a
shape fault or an answer about one contribution (surrogates, insane rate
headers, another pull request's or repository's answer) spoils the whole answer
(a hang, a reset, a 429... is about the request, not one entry); those bend only
that contribution's entry in a GitLab REST, Gerrit or Gitea list, so the others
must still be read. (GitLab GraphQL answers healthy for them.) ``count()`` counts each batch
request once, on its first faulted contribution, else its first one.
"""

import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

from . import batch_routes
from .fault_bodies import SHAPE_FAULTS, rate_headers, wrong_shape
from .hostile_faults import ENTRY_FAULTS, bent_entry, insane_rate_headers

PER_ENTRY = SHAPE_FAULTS + ENTRY_FAULTS


class BatchFaultsMixin:
    """For FaultHandler: batch requests answered with their contributions' faults."""

    def _batch_targets(self, path):
        """The contributions a batch read names, or None if it is not one."""
        listed = batch_routes.GITLAB_MR_LIST.match(path)
        query = parse_qs(urlsplit(self.path).query)
        if listed and self.command == "GET":
            project = unquote(listed[1]).lower()
            return [("gitlab", project, int(v)) for v in query.get("iids[]", []) if v.isdigit()]
        if batch_routes.GERRIT_QUERY.match(path) and self.command == "GET":
            numbers = re.findall(r"change:(\d{1,10})", (query.get("q") or [""])[0])
            found = (self.world.find_by_number("gerrit", n) for n in numbers)
            return [("gerrit", c.project.lower(), c.number) for c in found if c is not None]
        gitea = batch_routes.GITEA_PULL_LIST.match(path)
        if gitea and self.command == "GET":  # every pull request of the repository, newest first
            project = f"{unquote(gitea[1])}/{unquote(gitea[2])}".lower()
            listed = sorted((c for c in list(self.world.contributions.values())
                             if c.kind == "gitea" and c.project.lower() == project),
                            key=lambda c: (c.updated_at, c.number), reverse=True)
            return [("gitea", project, c.number) for c in listed]
        if path == "/gitlab/api/graphql" and self.command == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            self._peeked = self.rfile.read(length) if length else b""
            try:
                variables = json.loads(self._peeked or b"{}").get("variables") or {}
            except (ValueError, AttributeError):
                variables = {}
            return [("gitlab", str(variables.get(f"p{i}", "")).lower(),
                     int(variables.get(f"i{i}", "0")) if str(variables.get(f"i{i}", "")).isdigit()
                     else 0) for i in range(len(variables) // 2)]
        return None

    def read_body(self):
        peeked = getattr(self, "_peeked", None)
        if peeked is None:
            return super().read_body()
        self._peeked = None
        try:
            return json.loads(peeked) if peeked else {}
        except ValueError:
            return None

    def _batch_with_faults(self, batch):
        """A fault of any contribution named spoils the whole answer, but a shape fault
        bends only that contribution's entry (GitLab REST and Gerrit lists)."""
        fault_server = self.server.fault_server
        faulted = [t for t in batch if fault_server.fault_of(t)]
        whole = [t for t in faulted if fault_server.fault_of(t)[0] not in PER_ENTRY]
        target = (whole or faulted or batch or [("", "", 0)])[0]
        fault_server.record(target)
        if whole:
            name, options = fault_server.fault_of(whole[0])
            return self._answer_fault(whole[0][0], name, options, whole[0], None)
        if not faulted or urlsplit(self.path).path == "/gitlab/api/graphql":
            return super()._dispatch()
        kind = batch[0][0]
        entries, headers = [], rate_headers(kind, False)
        for one in batch:
            contribution = self.world.get(*one)
            if contribution is None:
                continue
            body = self._healthy_body(one)
            fault = (fault_server.fault_of(one) or ("healthy",))[0]
            if fault in SHAPE_FAULTS:
                body = wrong_shape(kind, fault, body)
            elif fault in ENTRY_FAULTS:
                body = bent_entry(self, kind, fault, one, body)
            if fault == "rate_headers_inf":
                headers = insane_rate_headers(kind)
            entries.append(body)
        return self.reply(200, None, headers, kind, raw=self._encode(kind, entries))
