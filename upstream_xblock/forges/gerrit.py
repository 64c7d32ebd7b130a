"""Gerrit changes (review.opendev.org, gerrit.wikimedia.org...) over REST.

``GET {api_url}/changes/{project~number}`` with labels and account details;
Gerrit prefixes JSON with ``)]}'`` against XSSI, which is stripped. With a
token (``"user:http-password"``) requests go to the authenticated ``/a/`` root.
The change's ``_number`` is its identity on the host: every URL alias of a
change (``/c/N``, ``/#/c/N/``, ``/N``, ``/c/project/+/N``) reads the same one.
"""

import json
from urllib.parse import quote

from .batch import AdaptiveBatchSize, not_found, partial_error, run_batches, unique
from .deadline import DEFAULT_SWEEP_CHECK_S
from .errors import ForgeUnavailable
from .http import guarded_request, pinned_session, raise_for_status
from .schemas import GerritChange, validated
from .snapshot import (
    FetchResult,
    clean_text,
    ensure_about,
    forge_snapshot,
    latest,
    parse_time,
)

XSSI_PREFIX = ")]}'"
QUERY = [("o", "LABELS"), ("o", "DETAILED_ACCOUNTS"), ("o", "CURRENT_REVISION"),
         ("o", "CURRENT_COMMIT")]


def change_id(ref):
    """Gerrit's ``project~number`` identifier, or the bare number."""
    if ref.project:
        return f"{quote(ref.project, safe='')}~{ref.number}"
    return str(ref.number)


def _latest_vote(review, value):
    return latest(parse_time(vote.date) for vote in review.all if vote.value == value)


def _review(change):
    """(decision, approved_at, changes_requested_at) from Code-Review's +2 / -2."""
    review = change.labels.get("Code-Review")
    if review is None:
        return None, None, None
    if review.rejected:
        return "changes_requested", None, _latest_vote(review, -2)
    if review.approved:
        return "approved", _latest_vote(review, 2), None
    return "review_required", None, None


def snapshot_from_change(data, ref, forge):
    """A Snapshot from Gerrit's ChangeInfo (validated first)."""
    change = validated(GerritChange, data, "Gerrit")
    ensure_about(ref, "Gerrit", change.number, change.project)  # a change pasted by number: any
    if change.status == "MERGED":
        state = "merged"
    elif change.status == "ABANDONED":
        state = "closed"
    elif change.work_in_progress:
        state = "draft"
    else:
        state = "open"
    owner = change.owner
    project = clean_text(change.project, 200) or ref.project
    fallback_url = f"{forge.web_url}/c/{project}/+/{change.number}" if project else ref.url
    decision, approved_at, changes_at = _review(change)
    revision = change.revisions.get(change.current_revision or "")
    message = revision.commit.message if revision and revision.commit else None
    return forge_snapshot(
        "gerrit", ref, forge, state, project=project, number=change.number,
        author=owner.username or owner.name, author_id=owner.account_id,
        forge_id=change.number, title=change.subject, web_url=None, fallback_url=fallback_url,
        created_at=change.created, merged_at=change.submitted,
        closed_at=change.updated if state == "closed" else None,
        target_repository=project, target_branch=change.branch, labels=change.hashtags,
        description=message, review_decision=decision, approved_at=approved_at,
        changes_requested_at=changes_at)


def decode_gerrit_json(text):
    if text.startswith(XSSI_PREFIX):
        text = text[len(XSSI_PREFIX):]
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
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
        self.sweep_check_s = DEFAULT_SWEEP_CHECK_S  # set by Forges from the settings bucket
        self._batch = None

    def fetch(self, ref, etag=None, landing=False, reviews=False):  # noqa: ARG002
        url = f"{self.root}/changes/{change_id(ref)}"
        response = guarded_request(self.session, "GET", url, params=QUERY)
        raise_for_status(response, "Gerrit")
        data = decode_gerrit_json(response.text)
        return FetchResult(snapshot=snapshot_from_change(data, ref, self.forge))

    def fetch_many(self, refs, deadline=None):
        """{ref: FetchResult or ForgeError}, one query per ``QUERY_TERMS`` changes."""
        if self._batch is None:
            self._batch = GerritBatchReader(self, self.sweep_check_s)
        return self._batch.fetch_many(refs, deadline=deadline)


# Gerrit's defaults: a query answers at most 500 changes (the queryLimit a user has
# unless an administrator grants more) and holds at most 1,024 terms (index.maxTerms).
RESULT_LIMIT, MAX_TERMS = 500, 1024
# The request's address stays under 8,000 bytes, what proxies in front of Gerrit
# commonly accept (Apache's LimitRequestLine is 8,190).
ADDRESS_BUDGET = 8000
_ADDRESS_BASE = 300  # the root, the options and the encoded " OR " joins' slack
_TERM = len("change%3A") + len("+OR+")


def terms_per_query(number_digits=6):
    """How many ``change:N`` terms one query holds within Gerrit's limits and the address."""
    fits = (ADDRESS_BUDGET - _ADDRESS_BASE) // (_TERM + number_digits)
    return max(1, min(RESULT_LIMIT, MAX_TERMS, fits))


QUERY_TERMS = terms_per_query()  # opendev's change numbers have six digits


def packed(refs, most):
    """``refs`` in queries of at most ``most`` terms, each within the address budget."""
    batches, batch, length = [], [], _ADDRESS_BASE
    for ref in refs:
        term = _TERM + len(str(ref.number))
        if batch and (len(batch) >= most or length + term > ADDRESS_BUDGET):
            batches.append(batch)
            batch, length = [], _ADDRESS_BASE
        batch.append(ref)
        length += term
    return [*batches, batch] if batch else batches


class GerritBatchReader:
    """``fetch_many`` for one GerritClient."""

    def __init__(self, client, sweep_check_s=DEFAULT_SWEEP_CHECK_S):
        self.client = client
        self.sweep_check_s = sweep_check_s
        most = min(RESULT_LIMIT, MAX_TERMS)
        self.size = AdaptiveBatchSize(start=most, maximum=most)

    def fetch_many(self, refs, deadline=None):
        refs = unique(refs)
        batches = [(self._sized_query, batch) for batch in packed(refs, self.size.size)]
        return run_batches(batches, self.sweep_check_s * max(1, len(batches)), deadline)

    def _sized_query(self, refs):
        """One query, or halves of it while the server refuses it for its size (400, 414)."""
        try:
            return self._query(refs)
        except ForgeUnavailable as error:
            if error.params.get("status") not in (400, 414) or len(refs) < 2:
                raise
            self.size.cap(max(1, len(refs) // 2))
            half = len(refs) // 2
            return {**self._sized_query(refs[:half]), **self._sized_query(refs[half:])}

    def _query(self, refs):
        numbers = sorted({ref.number for ref in refs})
        query = " OR ".join(f"change:{number}" for number in numbers)
        response = guarded_request(self.client.session, "GET", f"{self.client.root}/changes/",
                                   params=[("q", query), ("n", len(numbers)), *QUERY])
        raise_for_status(response, "Gerrit")
        entries = decode_gerrit_json(response.text)
        if not isinstance(entries, list):
            raise ForgeUnavailable("%(forge)s sent an answer in an unexpected shape.",
                                   reason="bad_response", params={"forge": "Gerrit"})
        more = bool(entries) and isinstance(entries[-1], dict) and \
            entries[-1].get("_more_changes") is True
        if more:
            self.size.cap(max(1, len(entries)))  # the server's query limit, as it showed it
        return self._outcomes(refs, entries, more)

    def _outcomes(self, refs, entries, more):
        by_number = {}
        for entry in entries:
            number = entry.get("_number") if isinstance(entry, dict) else None
            if isinstance(number, int) and not isinstance(number, bool):
                by_number.setdefault(number, entry)
        results = {}
        for ref in refs:
            entry = by_number.get(ref.number)
            if entry is None:
                results[ref] = partial_error("Gerrit") if more else not_found("Gerrit")
                continue
            if ref.project and entry.get("project") != ref.project:
                results[ref] = not_found("Gerrit")  # asked by number: no such change there
                continue
            try:
                results[ref] = FetchResult(snapshot=snapshot_from_change(entry, ref,
                                                                         self.client.forge))
            except ForgeUnavailable as error:
                results[ref] = error
        return results
