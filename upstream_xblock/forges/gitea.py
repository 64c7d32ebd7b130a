"""Gitea and Forgejo pull requests (codeberg.org...) over REST.

``GET {api_url}/repos/{owner}/{repo}/pulls/{n}``; Gitea has no "merged"
state of its own: a closed pull request with ``merged: true`` is merged.
Reviews count toward the decision only when ``official`` (by someone allowed to
approve) and not dismissed.

Gitea has no batch read by number, but one listing of a repository's pull
requests, most recently updated first (``/pulls?state=all&sort=recentupdate``,
50 a page), answers every one of them updated lately: ``fetch_many`` reads
each repository's listing down to the oldest last check of the pull requests
asked (a pull request not updated since its last check is unchanged), and
reads by number only what the listing did not reach.
"""

import re
from datetime import timedelta
from urllib.parse import quote

from .batch import STOPPING_ERRORS, one_by_one, unique
from .deadline import DEFAULT_SWEEP_CHECK_S, deadline_scope
from .errors import ForgeError, ForgeUnavailable
from .http import guarded_request, parse_json, pinned_session, raise_for_status
from .schemas import GiteaPull, GiteaReview, validated
from .snapshot import (
    FetchResult,
    Review,
    clean_text,
    ensure_about,
    facts_from_reviews,
    parse_time,
    snapshot_from_rest_pull,
)

# Gitea marks work in progress by title prefix (its default WIP prefixes).
_WIP_TITLE = re.compile(r"^\s*(\[wip\]|wip:)", re.IGNORECASE)
REVIEW_PAGE_SIZE = 50  # Gitea's default maximum page size
MAX_REVIEW_PAGES = 3
LIST_PAGE = 50  # Gitea's MAX_RESPONSE_ITEMS default: the largest page it answers
LIST_PAGES = 3  # a repository's listing is read this deep at most; the rest by number
CLOCK_SKEW = timedelta(minutes=2)  # the forge's clock and ours may differ a little


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

    def _repository_url(self, ref):
        owner, repo = ref.project.split("/", 1)
        return f"{self.forge.api_url}/repos/{quote(owner, safe='')}/{quote(repo, safe='')}"

    def fetch(self, ref, etag=None, landing=False, reviews=False):  # noqa: ARG002
        """One pull request, one request; conditional (``If-None-Match``) when ``etag`` is known.

        Where the server tags its answers (an ``ETag`` header) the next read
        names it, and a 304 is "unchanged" (``FetchResult.snapshot`` None) with
        no body to read or validate.
        """
        url = f"{self._repository_url(ref)}/pulls/{ref.number}"
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

    def with_review_decision(self, ref, snapshot):
        """``snapshot`` with its review decision from the reviews (the listing has none)."""
        return self._review_facts(f"{self._repository_url(ref)}/pulls/{ref.number}").applied_to(
            snapshot)

    def fetch_many(self, refs, deadline=None, etags=None, since=None):
        """{ref: FetchResult or ForgeError}: one listing per repository, then by number.

        ``since``: {ref: when it was last read (a snapshot was stored)}: a pull
        request the listing shows no update of since then is unchanged
        (``FetchResult.snapshot`` None). ``etags``: {ref: the ETag of its last
        answer}, for the reads by number. A repository's listing that fails
        (missing, private, refused) is that error for its pull requests; after a
        rate limit or a refused token the rest wait, unasked.
        """
        etags, since = etags or {}, since or {}
        by_repository = {}
        for ref in unique(refs):
            by_repository.setdefault(ref.project.casefold(), []).append(ref)
        results, by_number = {}, []
        with deadline_scope(deadline, self.sweep_check_s * max(1, len(by_repository))) as budget:
            for position, wanted in enumerate(by_repository.values()):
                try:
                    budget.check()
                    found, rest = self._listed(wanted, since)
                except STOPPING_ERRORS as error:
                    later = list(by_repository.values())[position:]
                    waiting = [ref for repository in later for ref in repository]
                    return {**results, **{ref: error for ref in waiting + by_number}}
                except ForgeError as error:
                    found, rest = {ref: error for ref in wanted}, []
                results.update(found)
                by_number += rest
            results.update(one_by_one(lambda ref: self.fetch(ref, etag=etags.get(ref)),
                                      by_number, budget, self.sweep_check_s))
        return results

    def _listed(self, refs, since):
        """({ref: outcome} the repository's listing answers, [refs to read by number])."""
        wanted = {ref.number: ref for ref in refs}
        found = {}
        for page in range(1, LIST_PAGES + 1):
            response = guarded_request(
                self.session, "GET", f"{self._repository_url(refs[0])}/pulls",
                params={"state": "all", "sort": "recentupdate", "limit": LIST_PAGE,
                        "page": page})
            raise_for_status(response, self.forge.host)
            entries = parse_json(response)
            if not isinstance(entries, list):
                raise ForgeUnavailable("%(forge)s sent an answer in an unexpected shape.",
                                       reason="bad_response", params={"forge": self.forge.host})
            oldest = self._take(entries, wanted, found)
            for number, ref in list(wanted.items()):  # not updated since its last read
                if oldest is not None and since.get(ref) and oldest < since[ref] - CLOCK_SKEW:
                    found[ref] = FetchResult(snapshot=None)
                    del wanted[number]
            if not wanted or len(entries) < LIST_PAGE:
                break
        return found, list(wanted.values())

    def _take(self, entries, wanted, found):
        """Move the asked pull requests of a listing page into ``found``; the page's oldest
        update (None if it cannot be told)."""
        if not all(isinstance(entry, dict) for entry in entries):
            return None
        updates = [parse_time(entry.get("updated_at")) for entry in entries]
        in_order = all(updates) and all(a >= b for a, b in zip(updates, updates[1:],
                                                                strict=False))
        oldest = updates[-1] if updates and in_order else None
        for entry in entries:
            number = entry.get("number")
            ref = wanted.pop(number, None) if type(number) is int else None
            if ref is None:
                continue
            try:
                found[ref] = FetchResult(snapshot=snapshot_from_pull(entry, ref, self.forge))
            except ForgeUnavailable as error:
                found[ref] = error
        return oldest

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
