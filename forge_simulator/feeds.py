"""The simulator's change feeds: what moved since a moment, as Gerrit and GitLab say it.

- Gerrit: ``GET /gerrit[/a]/changes/?q=after:"YYYY-MM-DD hh:mm:ss"&n=&S=``: the
  changes updated at or after that moment (UTC), newest first, ``n`` a page
  (at most ``world.gerrit_query_limit``), from ``S``; the last of a page that
  has more carries ``_more_changes``, as Gerrit does. Private projects are left
  out.
- GitLab GraphQL: ``Project.mergeRequests(updatedAfter:, first:, sort:)``
  (``GITLAB_SDL``, an extension of the simulator's GitLab schema), newest first,
  with ``pageInfo { hasNextPage }``.
"""

import json
import re
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

from . import shapes
from .shapes import iso

_AFTER = re.compile(r'^after:"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)"$')

GITLAB_SDL = """
scalar Time
enum MergeRequestSort { UPDATED_DESC UPDATED_ASC CREATED_DESC CREATED_ASC }
type UpdatedMergeRequest { iid: String! updatedAt: Time! }
type PageInfo { hasNextPage: Boolean! }
type UpdatedMergeRequestConnection { nodes: [UpdatedMergeRequest] pageInfo: PageInfo! }
extend type Project {
  mergeRequests(updatedAfter: Time, first: Int, sort: MergeRequestSort):
    UpdatedMergeRequestConnection
}
"""


def is_feed_query(handler):
    """Whether a Gerrit ``/changes/`` query is a feed's (``after:``), not a batch read."""
    query = (parse_qs(urlsplit(handler.path).query).get("q") or [""])[0].strip()
    return query.startswith("after:")


def _updated_since(world, kind, since):
    with world.lock:
        found = [c for c in world.contributions.values()
                 if c.kind == kind and c.updated_at >= since
                 and not world.is_private(kind, c.project)]
    return sorted(found, key=lambda c: (c.updated_at, c.number), reverse=True)


def gerrit_feed(handler):
    """GET /changes/?q=after:"…": Gerrit's ChangeInfo list, XSSI-prefixed, paged."""
    query = parse_qs(urlsplit(handler.path).query)
    matched = _AFTER.match((query.get("q") or [""])[0].strip())
    if not matched:
        return handler.reply(400, None, kind="gerrit", raw=b"Unsupported query")
    since = datetime.strptime(matched[1], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)

    def number(name, default):
        value = (query.get(name) or [""])[0]
        return int(value) if value.isdigit() else default

    limit = min(number("n", handler.world.gerrit_query_limit), handler.world.gerrit_query_limit)
    start = number("S", 0)
    found = _updated_since(handler.world, "gerrit", since)
    changes = [shapes.gerrit_change(c) for c in found[start:start + limit]]
    if len(found) > start + limit and changes:
        changes[-1]["_more_changes"] = True
    return handler.reply(200, None, kind="gerrit", raw=b")]}'\n" + json.dumps(changes).encode())


def install_gitlab(schema, world):
    """Resolve ``Project.mergeRequests`` of the simulator's GitLab schema from ``world``."""

    def merge_requests(project, _info, updatedAfter=None, first=100, sort="UPDATED_DESC"):  # noqa: N803
        since = datetime.fromisoformat(updatedAfter.replace("Z", "+00:00")) if updatedAfter \
            else datetime(1970, 1, 1, tzinfo=timezone.utc)
        found = [c for c in _updated_since(world, "gitlab", since)
                 if c.project.lower() == project["fullPath"].lower()]
        if sort == "UPDATED_ASC":
            found.reverse()
        return {"nodes": [{"iid": str(c.number), "updatedAt": iso(c.updated_at)}
                          for c in found[:first]],
                "pageInfo": {"hasNextPage": len(found) > first}}

    schema.get_type("Project").fields["mergeRequests"].resolve = merge_requests
