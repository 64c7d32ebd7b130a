"""Gerrit changes (review.opendev.org, gerrit.wikimedia.org...) over REST.

``GET {api_url}/changes/{project~number}`` with labels and account details;
Gerrit prefixes JSON with ``)]}'`` against XSSI, which is stripped. With a
token (``"user:http-password"``) requests go to the authenticated ``/a/`` root.
"""

import json
from urllib.parse import quote

from .base import FetchResult, same_site_url
from .errors import ForgeUnavailable
from .http import guarded_request, pinned_session, raise_for_status
from .snapshot import Snapshot, clean_description, clean_labels, clean_text, parse_time

XSSI_PREFIX = ")]}'"
QUERY = [("o", "LABELS"), ("o", "DETAILED_ACCOUNTS"), ("o", "CURRENT_REVISION"),
         ("o", "CURRENT_COMMIT")]


def change_id(ref):
    """Gerrit's ``project~number`` identifier, or the bare number."""
    if ref.project:
        return f"{quote(ref.project, safe='')}~{ref.number}"
    return str(ref.number)


def _review_decision(labels):
    review = (labels or {}).get("Code-Review")
    if not isinstance(review, dict):
        return None
    if review.get("rejected"):
        return "changes_requested"
    if review.get("approved"):
        return "approved"
    return "review_required"


def snapshot_from_change(data, ref, forge):
    status = data.get("status")
    if status == "MERGED":
        state = "merged"
    elif status == "ABANDONED":
        state = "closed"
    elif data.get("work_in_progress"):
        state = "draft"
    else:
        state = "open"
    owner = data.get("owner") or {}
    project = clean_text(data.get("project"), 200) or ref.project
    number = data.get("_number") if isinstance(data.get("_number"), int) else ref.number
    fallback_url = f"{forge.web_url}/c/{project}/+/{number}" if project else ref.url
    return Snapshot(
        kind="gerrit", host=forge.host, project=project, number=number, state=state,
        author=clean_text(owner.get("username") or owner.get("name"), 100),
        title=clean_text(data.get("subject")),
        web_url=same_site_url(None, forge, fallback_url),
        created_at=parse_time(data.get("created")),
        merged_at=parse_time(data.get("submitted")) if state == "merged" else None,
        closed_at=parse_time(data.get("updated")) if state == "closed" else None,
        target_repository=project,
        target_branch=clean_text(data.get("branch"), 200),
        labels=clean_labels(data.get("hashtags") if isinstance(data.get("hashtags"), list) else []),
        review_decision=_review_decision(data.get("labels")),
        description=clean_description(_commit_message(data)),
    )


def _commit_message(data):
    """The current patch set's commit message (Gerrit's description of a change)."""
    revisions = data.get("revisions")
    current = revisions.get(data.get("current_revision")) if isinstance(revisions, dict) else None
    commit = current.get("commit") if isinstance(current, dict) else None
    return commit.get("message") if isinstance(commit, dict) else None


def decode_gerrit_json(text):
    if text.startswith(XSSI_PREFIX):
        text = text[len(XSSI_PREFIX):]
    try:
        return json.loads(text)
    except ValueError:
        raise ForgeUnavailable("Gerrit sent an answer that could not be read.",
                               reason="bad_response") from None


class GerritClient:
    """Reads changes from one configured Gerrit host."""

    def __init__(self, forge):
        self.forge = forge
        self.session = pinned_session(forge.api_url, public_only=not forge.operator_configured)
        self.root = forge.api_url
        if forge.token:
            user, _, password = forge.token.partition(":")
            self.session.auth = (user, password)
            self.root = forge.api_url + "/a"

    # pylint: disable-next=unused-argument
    def fetch(self, ref, etag=None, landing=False, reviews=False):
        url = f"{self.root}/changes/{change_id(ref)}"
        response = guarded_request(self.session, "GET", url, params=QUERY)
        raise_for_status(response, "Gerrit")
        data = decode_gerrit_json(response.text)
        if not isinstance(data, dict):
            raise ForgeUnavailable("Gerrit sent an answer that could not be read.",
                                   reason="bad_response")
        return FetchResult(snapshot=snapshot_from_change(data, ref, self.forge))
