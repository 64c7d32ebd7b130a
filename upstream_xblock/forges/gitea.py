"""Gitea and Forgejo pull requests (codeberg.org...) over REST.

``GET {api_url}/repos/{owner}/{repo}/pulls/{n}``; Gitea has no "merged"
state of its own: a closed pull request with ``merged: true`` is merged.
Reviews count toward the decision only when ``official`` (by someone allowed to
approve) and not dismissed.
"""

import re
from urllib.parse import quote

from .batch import one_by_one
from .deadline import DEFAULT_SWEEP_CHECK_S
from .http import guarded_request, parse_json, pinned_session, raise_for_status
from .reviews import Review, facts_from_reviews
from .schemas import GiteaPull, GiteaReview, validated
from .snapshot import FetchResult, clean_text, ensure_about, parse_time, snapshot_from_rest_pull

# Gitea marks work in progress by title prefix (its default WIP prefixes).
_WIP_TITLE = re.compile(r"^\s*(\[wip\]|wip:)", re.IGNORECASE)
REVIEW_PAGE_SIZE = 50  # Gitea's default maximum page size
MAX_REVIEW_PAGES = 3


def snapshot_from_pull(data, ref, forge):
    """A Snapshot from Gitea's pull request JSON (validated first)."""
    pull = validated(GiteaPull, data, forge.host)
    # A renamed repository's old address answers a redirect, which is refused: the answer
    # must name the repository asked for.
    ensure_about(ref, forge.host, pull.number, pull.base.repo.full_name if pull.base.repo else None)
    title = clean_text(pull.title)
    if pull.merged:
        state = "merged"
    elif pull.state == "closed":
        state = "closed"
    elif pull.draft or _WIP_TITLE.match(title):
        state = "draft"
    else:
        state = "open"
    return snapshot_from_rest_pull(pull, "gitea", ref, forge, state, title)


def _etag(response):
    """The answer's ETag if it is a plausible one (it is sent back to the forge verbatim)."""
    value = response.headers.get("ETag", "")
    return value if 0 < len(value) <= 200 and value.isprintable() else None


def review_facts(pages, complete, forge_name):
    reviews = [validated(GiteaReview, entry, forge_name) for page in pages for entry in page]
    return facts_from_reviews(
        (Review(reviewer=r.user.login if r.user else "", state=r.state,
                counts=r.official and not r.dismissed, submitted_at=parse_time(r.submitted_at))
         for r in reviews), complete=complete)


class GiteaClient:
    """Reads pull requests from one configured Gitea or Forgejo host."""

    def __init__(self, forge):
        self.forge = forge
        header = {"Authorization": f"token {forge.token}"} if forge.token else None
        self.session = pinned_session(forge.api_url, token_header=header,
                                      public_only=not forge.operator_configured)
        self.sweep_check_s = DEFAULT_SWEEP_CHECK_S  # set by Forges from the settings bucket

    def fetch(self, ref, etag=None, landing=False, reviews=False):  # noqa: ARG002
        """One pull request, one request; conditional (``If-None-Match``) when ``etag`` is known.

        Gitea and Forgejo have no batch read. Where the server tags its answers
        (an ``ETag`` header) the next read names it, and a 304 is "unchanged"
        (``FetchResult.snapshot`` None) with no body to read or validate.
        """
        owner, repo = ref.project.split("/", 1)
        url = f"{self.forge.api_url}/repos/{quote(owner, safe='')}/{quote(repo, safe='')}" \
              f"/pulls/{ref.number}"
        conditional = {"If-None-Match": etag} if etag else None
        response = guarded_request(self.session, "GET", url, headers=conditional)
        if etag and response.status_code == 304:
            return FetchResult(snapshot=None, etag=etag)
        raise_for_status(response, self.forge.host)
        answered_etag = _etag(response)
        snapshot = snapshot_from_pull(parse_json(response), ref, self.forge)
        if reviews and snapshot.state in ("open", "draft"):
            snapshot = self._review_facts(url).applied_to(snapshot)
        return FetchResult(snapshot=snapshot.with_etag(answered_etag), etag=answered_etag)

    def fetch_many(self, refs, deadline=None, etags=None):
        """{ref: FetchResult or ForgeError}: one (conditional) request each; no batch read here.

        ``etags``: {ref: the ETag of the last answer}, for refs that have one.
        """
        etags = etags or {}
        return one_by_one(lambda ref: self.fetch(ref, etag=etags.get(ref)), refs, deadline,
                          self.sweep_check_s)

    def _review_facts(self, pull_url):
        """Reviews in pages of 50, at most 3 pages (else the decision is unknown)."""
        pages = []
        for page in range(1, MAX_REVIEW_PAGES + 1):
            response = guarded_request(self.session, "GET", pull_url + "/reviews",
                                       params={"limit": REVIEW_PAGE_SIZE, "page": page})
            raise_for_status(response, self.forge.host)
            entries = parse_json(response)
            if not isinstance(entries, list):
                validated(list[GiteaReview], entries, self.forge.host)  # raises bad_response
            pages.append(entries)
            if len(entries) < REVIEW_PAGE_SIZE:
                return review_facts(pages, True, self.forge.host)
        return review_facts(pages, False, self.forge.host)
