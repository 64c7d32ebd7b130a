"""Reading many GitLab merge requests in one GraphQL request.

One ``mN: project(fullPath: $pN) { mergeRequest(iid: $iN) { ...F } }``
selection per merge request; paths and iids are GraphQL *variables*, never
spliced into the query text. GitLab scores every query's complexity and
refuses one above its limit (200 without a token, 250 with one) or longer than
10,000 characters (GitLab's "GraphQL API" limits), so a query carries only as
many selections as those allow: ``SELECTION_COMPLEXITY`` is one selection's
score by GitLab's documented rule (each field adds 1), and a refusal that
states the real score ("Query has complexity of N, which exceeds max complexity
of M"), from a server that scores some field higher, resizes the batch from it.

A null ``project`` or ``mergeRequest`` is how GitLab says "missing or private"
(``NotFound``); an error tied to one selection's path is that merge request's
``partial`` error; a wrongly shaped node is ``bad_response`` for itself only.
"""

import re

from ..i18n import gettext_noop
from .batch import alias_errors, graphql_errors, not_found, partial_error
from .errors import AuthFailed, ForgeUnavailable, is_rate_limited, rate_limited
from .http import guarded_request, parse_json
from .schemas import GitLabGraphQLMergeRequest, validated
from .snapshot import (
    FetchResult,
    forge_snapshot,
)

COMPLEXITY_LIMIT = {True: 250, False: 200}  # authenticated or not
MAX_QUERY_CHARS = 10_000  # GitLab's "maximum query size"
LABELS = 20
_COMPLEXITY = re.compile(r"complexity of (\d+), which exceeds max complexity of (\d+)")

FIELDS = f"""
  id iid state title description draft webUrl createdAt mergedAt closedAt targetBranch
  reference(full: true)
  author {{ id username }}
  labels(first: {LABELS}) {{ nodes {{ title }} }}
"""


def field_count(text):
    """The fields a selection text names (arguments left out): GitLab's score of it."""
    return len(re.findall(r"[A-Za-z_]\w*", re.sub(r"\([^)]*\)", "", text)))


# GitLab's documented rule: each field adds 1. One selection is project + mergeRequest
# and the fragment's fields (the spread itself is no field): 20.
SELECTION_COMPLEXITY = 2 + field_count(FIELDS)


def graphql_url(api_url):
    """GitLab's GraphQL endpoint beside its REST root (``/api/v4`` -> ``/api/graphql``)."""
    return api_url[: -len("/v4")] + "/graphql"


def per_query(authenticated, selection_complexity=SELECTION_COMPLEXITY, build=None):
    """Selections one query carries within GitLab's complexity and size limits.

    ``selection_complexity`` and ``build`` (count -> the query's text) are a merge
    request read's unless a caller (the change feed) pools selections of its own.
    """
    build = build or build_query
    most = max(1, COMPLEXITY_LIMIT[authenticated] // selection_complexity)
    while most > 1 and len(build(most)) > MAX_QUERY_CHARS:
        most -= 1
    return most


def project_query(count, inner, own_params=lambda _i: "", shared_params=""):
    """One query of ``count`` selections ``mN: project(fullPath: $pN) { inner(N) }``;
    ``own_params(N)`` declares a selection's further variables (", $iN: String!"),
    ``shared_params`` those every selection uses ("$t: Time!, ")."""
    params = ", ".join(f"$p{i}: ID!{own_params(i)}" for i in range(count))
    body = "\n".join(f"  m{i}: project(fullPath: $p{i}) {{ {inner(i)} }}" for i in range(count))
    return f"query({shared_params}{params}) {{\n{body}\n}}\n"


def build_query(count):
    query = project_query(count, lambda i: f"mergeRequest(iid: $i{i}) {{ ...F }}",
                          lambda i: f", $i{i}: String!")
    return f"{query}fragment F on MergeRequest {{{FIELDS}}}\n"


def build_variables(refs):
    variables = {}
    for i, ref in enumerate(refs):
        variables.update({f"p{i}": ref.project, f"i{i}": str(ref.number)})
    return variables


def _global_id_number(value):
    """``gid://gitlab/Type/123`` -> ``"123"`` ("" if it is not one)."""
    tail = value.rsplit("/", 1)[-1] if isinstance(value, str) else ""
    return tail if tail.isdigit() else ""


def snapshot_from_graphql(node, ref, forge):
    """A Snapshot from one merge request node (validated first: ForgeUnavailable if bent)."""
    merge_request = validated(GitLabGraphQLMergeRequest, node, "GitLab")
    if merge_request.iid != str(ref.number):
        raise ForgeUnavailable(gettext_noop("%(forge)s sent an answer in an unexpected shape."),
                               reason="bad_response", params={"forge": "GitLab"})
    state = merge_request.state
    if state in ("merged", "closed"):
        normalized = state
    else:
        normalized = "draft" if merge_request.draft else "open"  # "locked": a merge under way
    full = merge_request.reference
    target = full.rsplit("!", 1)[0] if isinstance(full, str) and "!" in full else ref.project
    author = merge_request.author
    labels = merge_request.labels.nodes if merge_request.labels else []
    return forge_snapshot(
        "gitlab", ref, forge, normalized, author=author.username if author else None,
        author_id=_global_id_number(author.id) if author else None,
        forge_id=_global_id_number(merge_request.id), title=merge_request.title,
        web_url=merge_request.webUrl, created_at=merge_request.createdAt,
        merged_at=merge_request.mergedAt, closed_at=merge_request.closedAt,
        target_repository=target, target_branch=merge_request.targetBranch,
        labels=[label.title for label in labels if label],
        description=merge_request.description)


class ComplexityRefused(ForgeUnavailable):
    """GitLab refused the query as too complex; ``fits`` is how many selections would pass."""

    def __init__(self, fits):
        super().__init__(gettext_noop("GitLab found the request too large. It will be tried "
                                      "again later."), reason="resource_limits")
        self.fits = fits


def complexity_refusal(payload, asked):
    for error in graphql_errors(payload):
        match = _COMPLEXITY.search(str(error.get("message", "")))
        if match:
            score, limit = int(match[1]), int(match[2])
            return ComplexityRefused(max(0, asked * limit // max(score, 1) - 1))
    return None


def fetch_page(client, page):
    """{ref: outcome} for one GraphQL request about ``page`` (a list of refs)."""
    headers = {"Authorization": f"Bearer {client.forge.token}"} if client.forge.token else {}
    response = guarded_request(client.session, "POST", graphql_url(client.forge.api_url),
                               json={"query": build_query(len(page)),
                                     "variables": build_variables(page)}, headers=headers)
    if is_rate_limited(response.status_code, response.headers):
        raise rate_limited(response.headers, "GitLab's rate limit is exhausted.")
    if response.status_code == 401 or (response.status_code == 403 and client.forge.token):
        raise AuthFailed("GitLab rejected the configured token.")
    if response.status_code != 200:
        raise ForgeUnavailable("%(forge)s answered with status %(status)s.", reason="bad_status",
                               params={"forge": "GitLab", "status": response.status_code})
    payload = parse_json(response)
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        refusal = complexity_refusal(payload, len(page))
        if refusal is not None:
            raise refusal
        raise ForgeUnavailable("GitLab's GraphQL answer had no data.", reason="bad_response")
    failed = alias_errors(payload)
    return {ref: _outcome(data.get(f"m{i}"), f"m{i}" in failed, ref, client.forge)
            for i, ref in enumerate(page)}


def _outcome(project, failed, ref, forge):
    node = project.get("mergeRequest") if isinstance(project, dict) else None
    if node is None:
        return partial_error("GitLab") if failed else not_found("GitLab")
    try:
        return FetchResult(snapshot=snapshot_from_graphql(node, ref, forge))
    except ForgeUnavailable as error:
        return error
