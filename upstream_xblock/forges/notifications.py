"""Forge notifications for the change relay: GitHub, and Gitea/Forgejo.

A bot account of the site (its own token: ``notifications_token``) subscribes
to each tracked pull request and is then notified of its reviews, comments,
merge and close. The relay (``tracking/relay.py``) asks for those notifications
instead of re-reading every pull request:

- GitHub: ``GET /notifications`` with ``If-Modified-Since`` (a 304 when nothing
  is new, which GitHub does not count against the rate limit), at the interval
  its ``X-Poll-Interval`` asks; threads read are marked read with one ``PUT
  /notifications`` (``last_read_at``); a subscription is the GraphQL mutation
  ``updateSubscription`` on the pull request's node id (found by a query, 100
  a request). These endpoints take a classic personal access token.
- Gitea/Forgejo: ``GET /notifications/new`` (the unread count), then the unread
  pull request threads, then ``PUT /notifications?last_read_at=`` to mark them
  read; a subscription is ``PUT /repos/{o}/{r}/issues/{n}/subscriptions/{bot}``.

A notification only says which pull request moved: the sweep reads it as it
reads any other. What a forge sends is untrusted: every thread is validated,
and its subject's address must be a pull request of this forge's API.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote

from .batch import alias_errors, graphql_errors
from .errors import AuthFailed, ForgeUnavailable, NotFound, is_rate_limited, rate_limited
from .github_graphql import build_variables
from .http import guarded_request, parse_json, pinned_session, raise_for_status
from .schemas import GitHubRepository, Strict, validated
from .snapshot import parse_time

PER_PAGE = 50  # GitHub's largest page of notifications (Gitea's default maximum too)
MAX_PAGES = 5  # more unread threads than this in one poll: the relay reads every watched one
NODE_IDS_PER_QUERY = 100
MUTATIONS_PER_REQUEST = 20  # GitHub counts each mutation for its secondary rate limit
DEFAULT_POLL_INTERVAL_S = 60
MAX_POLL_INTERVAL_S = 3600
_PULL_PATH = re.compile(r"^/repos/([^/]+)/([^/]+)/(?:pulls|issues)/(\d{1,10})$")
_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


# The declared shapes of their answers (strict, as every forge answer: schemas.py).
class NotificationSubject(Strict):
    type: str
    url: str | None = None  # null for some subjects (a discussion, a release)


class NotificationThread(Strict):
    id: str | int  # a string on GitHub, a number on Gitea
    updated_at: str
    subject: NotificationSubject
    repository: GitHubRepository


class GiteaNotificationCount(Strict):
    new: int


@dataclass(frozen=True)
class Notice:
    """A notification thread about a pull request: which one, and when it moved."""

    project: str
    number: int
    updated_at: datetime | None


@dataclass(frozen=True)
class Inbox:
    """One poll's answer. ``changed`` False: nothing new (GitHub's 304, Gitea's count 0).

    ``complete`` False: more unread threads than one poll reads (the relay then
    reads every watched pull request once). ``read_until``: the newest thread's
    time, what marking read goes up to.
    """

    changed: bool
    notices: tuple = ()
    complete: bool = True
    last_modified: str | None = None
    poll_interval_s: int = DEFAULT_POLL_INTERVAL_S
    read_until: str | None = None


def _poll_interval(headers):
    value = str(headers.get("X-Poll-Interval", "")).strip()
    if value.isdigit():
        return min(max(int(value), 1), MAX_POLL_INTERVAL_S)
    return DEFAULT_POLL_INTERVAL_S


def _header_value(value, limit=100):
    """A header a forge sent, fit to be sent back verbatim (else None)."""
    return value if isinstance(value, str) and 0 < len(value) <= limit and value.isprintable() \
        else None


def _raise_for_status(response, forge_name):
    if is_rate_limited(response.status_code, response.headers):
        raise rate_limited(response.headers, "%(forge)s's rate limit is exhausted.",
                           {"forge": forge_name})
    raise_for_status(response, forge_name, authenticated=True)


class NotificationsClient:
    """What both forges' relays share: the bot's session on the forge's API."""

    kind = ""
    name = ""

    def __init__(self, forge):
        if not forge.notifications_token:
            raise AuthFailed("The relay needs a notifications token in the configuration.")
        self.forge = forge
        self.session = pinned_session(forge.api_url, token_header={
            "Authorization": f"token {forge.notifications_token}"},
            public_only=not forge.operator_configured)

    def notices(self, entries):
        """Notices from a page of threads: pull requests of this forge only, each validated."""
        threads = validated(list[NotificationThread], entries, self.name)
        found = []
        for thread in threads:
            if thread.subject.type not in ("PullRequest", "Pull") or not thread.subject.url:
                continue
            prefix = self.forge.api_url + "/"
            url = thread.subject.url
            match = _PULL_PATH.match("/" + url[len(prefix):]) if url.startswith(prefix) else None
            if match is None:
                continue
            project = f"{match[1]}/{match[2]}"
            if project.lower() != thread.repository.full_name.lower():
                continue
            found.append(Notice(project, int(match[3]), parse_time(thread.updated_at)))
        return found

    @staticmethod
    def newest(entries):
        times = [entry.get("updated_at") for entry in entries if isinstance(entry, dict)]
        moments = [m for m in (parse_time(t) for t in times) if m is not None]
        return utc_text(max(moments)) if moments else None


class GitHubNotifications(NotificationsClient):
    kind, name = "github", "GitHub"

    def __init__(self, forge):
        super().__init__(forge)
        self.graphql = pinned_session(forge.graphql_url, token_header={
            "Authorization": f"bearer {forge.notifications_token}"},
            public_only=not forge.operator_configured, retry_methods={"GET", "POST"})

    def inbox(self, last_modified=None, deadline=None):
        """The unread threads, asked conditionally on ``last_modified``."""
        url, params = f"{self.forge.api_url}/notifications", {"per_page": PER_PAGE}
        headers = {"If-Modified-Since": last_modified} if last_modified else {}
        entries, first, complete = [], None, False
        for _page in range(MAX_PAGES):
            response = guarded_request(self.session, "GET", url, deadline=deadline,
                                       params=params, headers=headers)
            if response.status_code == 304:
                return Inbox(changed=False, last_modified=last_modified,
                             poll_interval_s=_poll_interval(response.headers))
            if response.status_code != 200:
                _raise_for_status(response, self.name)
            page = parse_json(response)
            validated(list[NotificationThread], page, self.name)
            entries.extend(page)
            first = first or response
            link = _NEXT_LINK.search(response.headers.get("Link", ""))
            if link is None:
                complete = True
                break
            url, params, headers = link[1], None, {}  # the adapter refuses another origin
        return Inbox(changed=True, notices=tuple(self.notices(entries)), complete=complete,
                     last_modified=_header_value(first.headers.get("Last-Modified")),
                     poll_interval_s=_poll_interval(first.headers),
                     read_until=self.newest(entries))

    def mark_read(self, until, deadline=None):
        """Mark the threads updated up to ``until`` (ISO 8601) read: one request."""
        response = guarded_request(self.session, "PUT", f"{self.forge.api_url}/notifications",
                                   deadline=deadline, json={"last_read_at": until, "read": True})
        if response.status_code not in (202, 205):
            _raise_for_status(response, self.name)

    def node_ids(self, refs, deadline=None):
        """{ref: the pull request's node id, or a ForgeError}, 100 a query."""
        found = {}
        for start in range(0, len(refs), NODE_IDS_PER_QUERY):
            page = refs[start:start + NODE_IDS_PER_QUERY]
            params = ", ".join(f"$o{i}: String!, $n{i}: String!, $p{i}: Int!"
                               for i in range(len(page)))
            body = " ".join(f"p{i}: repository(owner: $o{i}, name: $n{i}) "
                            f"{{ pullRequest(number: $p{i}) {{ id }} }}" for i in range(len(page)))
            data, errors = self._graphql(f"query({params}) {{ {body} }}", build_variables(page),
                                         deadline)
            for i, ref in enumerate(page):
                node = (data.get(f"p{i}") or {}).get("pullRequest") \
                    if isinstance(data.get(f"p{i}"), dict) else None
                node_id = node.get("id") if isinstance(node, dict) else None
                if isinstance(node_id, str) and 0 < len(node_id) <= 100:
                    found[ref] = node_id
                else:
                    found[ref] = NotFound("GitHub has no such pull request (or it is private).") \
                        if errors.get(f"p{i}") in (None, "NOT_FOUND") else \
                        ForgeUnavailable("GitHub did not answer for this pull request.",
                                         reason="partial")
        return found

    def subscribe(self, node_ids, subscribed=True, deadline=None):
        """{node id: True, or a ForgeError}: the bot (un)subscribed, 20 mutations a request."""
        state = "SUBSCRIBED" if subscribed else "UNSUBSCRIBED"
        done = {}
        for start in range(0, len(node_ids), MUTATIONS_PER_REQUEST):
            page = node_ids[start:start + MUTATIONS_PER_REQUEST]
            params = ", ".join(f"$s{i}: ID!" for i in range(len(page)))
            body = " ".join(f"s{i}: updateSubscription(input: {{subscribableId: $s{i}, "
                            f"state: {state}}}) {{ subscribable {{ viewerSubscription }} }}"
                            for i in range(len(page)))
            data, _errors = self._graphql(f"mutation({params}) {{ {body} }}",
                                          {f"s{i}": node for i, node in enumerate(page)}, deadline)
            for i, node in enumerate(page):
                result = data.get(f"s{i}")
                done[node] = True if isinstance(result, dict) else ForgeUnavailable(
                    "GitHub did not change this subscription.", reason="partial")
        return done

    def _graphql(self, query, variables, deadline):
        response = guarded_request(self.graphql, "POST", self.forge.graphql_url,
                                   deadline=deadline, json={"query": query,
                                                            "variables": variables})
        if response.status_code != 200:
            _raise_for_status(response, self.name)
        payload = parse_json(response)
        if any(e.get("type") == "RATE_LIMITED" for e in graphql_errors(payload)):
            raise rate_limited(response.headers, "GitHub's rate limit is exhausted.")
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict):
            raise ForgeUnavailable("GitHub's GraphQL answer had no data.", reason="bad_response")
        return data, alias_errors(payload)


class GiteaNotifications(NotificationsClient):
    kind, name = "gitea", "Gitea"

    def __init__(self, forge):
        super().__init__(forge)
        self._login = None

    def inbox(self, last_modified=None, deadline=None):  # noqa: ARG002  (Gitea has no 304)
        """The unread count first (one small request); the unread pull requests if any."""
        response = guarded_request(self.session, "GET",
                                   f"{self.forge.api_url}/notifications/new", deadline=deadline)
        if response.status_code != 200:
            _raise_for_status(response, self.name)
        if validated(GiteaNotificationCount, parse_json(response), self.name).new <= 0:
            return Inbox(changed=False)
        entries, complete = [], False
        for page in range(1, MAX_PAGES + 1):
            response = guarded_request(
                self.session, "GET", f"{self.forge.api_url}/notifications", deadline=deadline,
                params={"status-types": "unread", "subject-type": "pull", "page": page,
                        "limit": PER_PAGE})
            if response.status_code != 200:
                _raise_for_status(response, self.name)
            items = parse_json(response)
            validated(list[NotificationThread], items, self.name)
            entries.extend(items)
            if len(items) < PER_PAGE:
                complete = True
                break
        return Inbox(changed=True, notices=tuple(self.notices(entries)), complete=complete,
                     read_until=self.newest(entries))

    def mark_read(self, until, deadline=None):
        response = guarded_request(self.session, "PUT", f"{self.forge.api_url}/notifications",
                                   deadline=deadline,
                                   params={"last_read_at": until, "to-status": "read"})
        if response.status_code not in (200, 205):
            _raise_for_status(response, self.name)

    def node_ids(self, refs, deadline=None):  # noqa: ARG002
        """Gitea subscribes by address: a pull request's "node id" is its owner/repo/number."""
        return {ref: f"{ref.project}#{ref.number}" for ref in refs}

    def subscribe(self, node_ids, subscribed=True, deadline=None):
        login = self._bot_login(deadline)
        done = {}
        for node in node_ids:
            project, _, number = node.rpartition("#")
            owner, _, name = project.partition("/")
            url = (f"{self.forge.api_url}/repos/{quote(owner, safe='')}/{quote(name, safe='')}"
                   f"/issues/{int(number)}/subscriptions/{quote(login, safe='')}")
            response = guarded_request(self.session, "PUT" if subscribed else "DELETE", url,
                                       deadline=deadline)
            if response.status_code in (200, 201, 204):
                done[node] = True
                continue
            try:
                _raise_for_status(response, self.name)
            except (NotFound, ForgeUnavailable) as error:
                done[node] = error
        return done

    def _bot_login(self, deadline):
        if self._login is None:
            response = guarded_request(self.session, "GET", f"{self.forge.api_url}/user",
                                       deadline=deadline)
            if response.status_code != 200:
                _raise_for_status(response, self.name)
            data = parse_json(response)
            login = data.get("login") if isinstance(data, dict) else None
            if not isinstance(login, str) or not 0 < len(login) <= 100:
                raise ForgeUnavailable("%(forge)s sent an answer in an unexpected shape.",
                                       reason="bad_response", params={"forge": self.name})
            self._login = login
        return self._login


def notifications_client(forge):
    """The relay's client for ``forge``, or None where it has no relay configured."""
    if not forge.notifications_token:
        return None
    return (GitHubNotifications if forge.kind == "github" else GiteaNotifications)(forge)


def utc_text(moment):
    """A moment as the ISO 8601 UTC text forges take (``2026-01-05T10:00:00Z``)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
