"""Many Gerrit changes in one query: ``GET /changes/?q=change:A OR change:B …``.

One query per ``QUERY_TERMS`` changes, with the ``o=`` options the single
read uses (labels with every vote, detailed accounts, the current revision and
its commit message), so a change read in a batch makes the same snapshot.
Gerrit caps how many results one query returns (the ``queryLimit``
capability, 500 by default; an administrator may set less, and
``index.maxTerms``, 1024 by default, bounds the terms): ``n=`` asks for as
many as we named, and an answer cut short says so with ``_more_changes`` on
its last change. Then the changes it did not return are ``partial`` (asked
again next sweep) and the batch size drops to what the server answered.

A change absent from a complete answer is missing or not visible to us
(``NotFound``); one found under another project than the URL named is too,
as the single read (``project~number``) would say.
"""

from .base import FetchResult
from .batch import chunks, not_found, partial_error, run_batches, unique
from .batch_size import AdaptiveBatchSize
from .deadline import DEFAULT_SWEEP_CHECK_S
from .errors import ForgeUnavailable
from .gerrit import QUERY, decode_gerrit_json, snapshot_from_change
from .http import guarded_request, raise_for_status

# 100 terms keep the address near 2 KB (proxies commonly refuse 8 KB and more).
QUERY_TERMS = 100


class GerritBatchReader:
    """``fetch_many`` for one GerritClient."""

    def __init__(self, client, sweep_check_s=DEFAULT_SWEEP_CHECK_S):
        self.client = client
        self.sweep_check_s = sweep_check_s
        self.size = AdaptiveBatchSize(start=QUERY_TERMS, maximum=QUERY_TERMS)

    def fetch_many(self, refs, deadline=None):
        refs = unique(refs)
        batches = [(self._query, batch) for batch in chunks(refs, self.size.size)]
        return run_batches(batches, self.sweep_check_s * max(1, len(batches)), deadline)

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
            try:
                snapshot = snapshot_from_change(entry, ref, self.client.forge)
            except ForgeUnavailable as error:
                results[ref] = error
                continue
            if ref.project and snapshot.project != ref.project:
                results[ref] = not_found("Gerrit")
            else:
                results[ref] = FetchResult(snapshot=snapshot)
        return results
