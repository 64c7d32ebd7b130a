"""Many GitLab merge requests in few requests: REST ``iids[]`` per project, or GraphQL.

For the merge requests due on one host, each project's are read by whichever
costs fewer requests:

- REST ``GET /projects/:path/merge_requests?iids[]=…&per_page=100``: one
  request per project per 100 merge requests (GitLab's largest page);
- GraphQL (``gitlab_graphql.py``): one request per few merge requests from any
  projects, as many as GitLab's complexity limit lets one query carry.

A project with at least as many merge requests due as one GraphQL query holds
goes through REST (one request for up to 100 of them); the others are pooled
into GraphQL queries. A REST answer that lacks an asked iid says "missing or
private" (``NotFound``), unless it says there is another page (then the
missing ones are ``partial``); a 404 for the project is ``NotFound`` for each
of its merge requests.
"""

from functools import partial
from urllib.parse import quote

from .base import FetchResult
from .batch import chunks, not_found, partial_error, run_batches, unique
from .batch_size import AdaptiveBatchSize
from .deadline import DEFAULT_SWEEP_CHECK_S
from .errors import ForgeUnavailable
from .gitlab import snapshot_from_merge_request
from .gitlab_graphql import ComplexityRefused, fetch_page, per_query
from .http import guarded_request, parse_json, raise_for_status

REST_PAGE = 100


def plan(refs, graphql_size):
    """(REST batches, GraphQL refs): REST for projects with ``graphql_size`` or more refs."""
    by_project = {}
    for ref in refs:
        by_project.setdefault(ref.project, []).append(ref)
    rest, pooled = [], []
    for items in by_project.values():
        if len(items) >= graphql_size:
            rest.extend(chunks(items, REST_PAGE))
        else:
            pooled.extend(items)
    return rest, pooled


class GitLabBatchReader:
    """``fetch_many`` for one GitLabClient."""

    def __init__(self, client, sweep_check_s=DEFAULT_SWEEP_CHECK_S):
        self.client = client
        self.sweep_check_s = sweep_check_s
        most = per_query(bool(client.forge.token))
        self.graphql_size = AdaptiveBatchSize(start=most, maximum=most)

    def fetch_many(self, refs, deadline=None):
        refs = unique(refs)
        rest, pooled = plan(refs, self.graphql_size.size)
        batches = [(self._rest, batch) for batch in rest]
        batches += [(self._graphql, batch) for batch in chunks(pooled, self.graphql_size.size)]
        return run_batches(batches, self.sweep_check_s * max(1, len(batches)), deadline)

    def _graphql(self, page):
        try:
            answered = fetch_page(self.client, page)
        except ComplexityRefused as refusal:
            if not 1 <= refusal.fits < len(page):
                raise
            self.graphql_size.cap(refusal.fits)  # GitLab told us what fits: ask for that
            pieces = chunks(page, refusal.fits)
            return run_batches([(partial(fetch_page, self.client), p) for p in pieces],
                               self.sweep_check_s * len(pieces))
        return answered

    def _rest(self, refs):
        forge = self.client.forge
        url = f"{forge.api_url}/projects/{quote(refs[0].project, safe='')}/merge_requests"
        params = [("iids[]", ref.number) for ref in refs] + [("per_page", REST_PAGE)]
        headers = {"PRIVATE-TOKEN": forge.token} if forge.token else {}
        response = guarded_request(self.client.session, "GET", url, params=params,
                                   headers=headers)
        raise_for_status(response, "GitLab", authenticated=bool(forge.token))
        entries = parse_json(response)
        if not isinstance(entries, list):
            raise ForgeUnavailable("%(forge)s sent an answer in an unexpected shape.",
                                   reason="bad_response", params={"forge": "GitLab"})
        more = bool(response.headers.get("X-Next-Page", "").strip())
        return self._outcomes(refs, entries, more)

    def _outcomes(self, refs, entries, more):
        wanted = {ref.number: ref for ref in refs}
        results = {}
        for entry in entries:
            iid = entry.get("iid") if isinstance(entry, dict) else None
            ref = wanted.get(iid) if isinstance(iid, int) and not isinstance(iid, bool) else None
            if ref is None or ref in results:
                continue  # not one we asked for (or twice): never a verdict on another
            try:
                results[ref] = FetchResult(
                    snapshot=snapshot_from_merge_request(entry, ref, self.client.forge))
            except ForgeUnavailable as error:
                results[ref] = error
        for ref in refs:
            if ref not in results:
                results[ref] = partial_error("GitLab") if more else not_found("GitLab")
        return results
