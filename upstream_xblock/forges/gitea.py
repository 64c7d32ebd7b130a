"""Gitea and Forgejo pull requests (codeberg.org...) over REST.

``GET {api_url}/repos/{owner}/{repo}/pulls/{n}``; Gitea has no "merged"
state of its own: a closed pull request with ``merged: true`` is merged.
"""

import re
from dataclasses import replace
from urllib.parse import quote

from .base import FetchResult, same_site_url
from .errors import ForgeUnavailable
from .github import decision_from_reviews
from .http import guarded_request, parse_json, pinned_session, raise_for_status
from .snapshot import Snapshot, clean_description, clean_labels, clean_text, parse_time

# Gitea marks work in progress by title prefix (its default WIP prefixes).
_WIP_TITLE = re.compile(r"^\s*(\[wip\]|wip:)", re.IGNORECASE)


def snapshot_from_pull(data, ref, forge):
    title = clean_text(data.get("title"))
    if data.get("merged") or data.get("merged_at"):
        state = "merged"
    elif data.get("state") == "closed":
        state = "closed"
    elif data.get("draft") or _WIP_TITLE.match(title):
        state = "draft"
    else:
        state = "open"
    base = data.get("base") or {}
    return Snapshot(
        kind="gitea", host=forge.host, project=ref.project, number=ref.number, state=state,
        author=clean_text((data.get("user") or {}).get("login"), 100),
        title=title,
        web_url=same_site_url(data.get("html_url"), forge, ref.url),
        created_at=parse_time(data.get("created_at")),
        merged_at=parse_time(data.get("merged_at")),
        closed_at=parse_time(data.get("closed_at")),
        target_repository=clean_text((base.get("repo") or {}).get("full_name"), 200),
        target_branch=clean_text(base.get("ref"), 200),
        labels=clean_labels([label.get("name") for label in data.get("labels") or []
                             if isinstance(label, dict)]),
        description=clean_description(data.get("body")),
    )


class GiteaClient:
    """Reads pull requests from one configured Gitea or Forgejo host."""

    def __init__(self, forge):
        self.forge = forge
        header = {"Authorization": f"token {forge.token}"} if forge.token else None
        self.session = pinned_session(forge.api_url, token_header=header,
                                      public_only=not forge.operator_configured)

    # pylint: disable-next=unused-argument
    def fetch(self, ref, etag=None, landing=False, reviews=False):
        owner, repo = ref.project.split("/", 1)
        url = f"{self.forge.api_url}/repos/{quote(owner, safe='')}/{quote(repo, safe='')}" \
              f"/pulls/{ref.number}"
        response = guarded_request(self.session, "GET", url)
        raise_for_status(response, self.forge.host)
        data = parse_json(response)
        if not isinstance(data, dict):
            raise ForgeUnavailable("The forge sent an answer that could not be read.",
                                   reason="bad_response")
        snapshot = snapshot_from_pull(data, ref, self.forge)
        if reviews and snapshot.state in ("open", "draft"):
            snapshot = replace(snapshot, review_decision=self._review_decision(url))
        return FetchResult(snapshot=snapshot)

    def _review_decision(self, pull_url):
        response = guarded_request(self.session, "GET", pull_url + "/reviews",
                                   params={"limit": 50})
        raise_for_status(response, self.forge.host)
        reviews = parse_json(response)
        return decision_from_reviews(
            ((r.get("user") or {}).get("login"), r.get("state"))
            for r in reviews if isinstance(r, dict)) if isinstance(reviews, list) else None
