"""Reading many GitHub pull requests in one GraphQL request (up to 100 a page).

The query is built from aliases (``p0``, ``p1``...) whose owner, name and
number are GraphQL *variables*: nothing a learner typed is ever spliced into
the query text.
"""

from .base import FetchResult, RateLimitInfo
from .errors import AuthFailed, ForgeError, ForgeUnavailable, NotFound, RateLimited
from .http import guarded_request, parse_json, pinned_session, rate_limited
from .snapshot import Snapshot, clean_description, clean_labels, clean_text, parse_time
from .base import same_site_url

PAGE_SIZE = 100

PULL_FIELDS = """
  number title body state isDraft url createdAt mergedAt closedAt reviewDecision
  author { login }
  baseRefName
  baseRepository { nameWithOwner }
  labels(first: 50) { nodes { name } }
"""

_REVIEW_DECISIONS = {"APPROVED": "approved", "CHANGES_REQUESTED": "changes_requested",
                     "REVIEW_REQUIRED": "review_required"}


def build_query(count):
    """The query text for ``count`` pull requests, and nothing else variable."""
    params = ", ".join(f"$o{i}: String!, $n{i}: String!, $p{i}: Int!" for i in range(count))
    body = "\n".join(
        f"  p{i}: repository(owner: $o{i}, name: $n{i}) {{ pullRequest(number: $p{i}) {{ ...F }} }}"
        for i in range(count))
    return (f"query({params}) {{\n  rateLimit {{ remaining limit resetAt }}\n{body}\n}}\n"
            f"fragment F on PullRequest {{{PULL_FIELDS}}}\n")


def build_variables(refs):
    variables = {}
    for i, ref in enumerate(refs):
        owner, name = ref.project.split("/", 1)
        variables.update({f"o{i}": owner, f"n{i}": name, f"p{i}": ref.number})
    return variables


def snapshot_from_graphql(node, ref, forge):
    state = node.get("state")
    if state == "MERGED":
        normalized = "merged"
    elif state == "CLOSED":
        normalized = "closed"
    else:
        normalized = "draft" if node.get("isDraft") else "open"
    return Snapshot(
        kind="github", host=forge.host, project=ref.project, number=ref.number,
        state=normalized,
        author=clean_text((node.get("author") or {}).get("login"), 100),
        title=clean_text(node.get("title")),
        web_url=same_site_url(node.get("url"), forge, ref.url),
        created_at=parse_time(node.get("createdAt")),
        merged_at=parse_time(node.get("mergedAt")),
        closed_at=parse_time(node.get("closedAt")),
        target_repository=clean_text((node.get("baseRepository") or {}).get("nameWithOwner"), 200),
        target_branch=clean_text(node.get("baseRefName"), 200),
        labels=clean_labels([n.get("name") for n in (node.get("labels") or {}).get("nodes") or []
                             if isinstance(n, dict)]),
        review_decision=_REVIEW_DECISIONS.get(node.get("reviewDecision")),
        description=clean_description(node.get("body")),
    )


class GitHubGraphQL:
    """Batch reader for one configured GitHub host (requires its token)."""

    def __init__(self, forge):
        if not forge.token:
            raise AuthFailed("GitHub's GraphQL API needs a token in the configuration.")
        self.forge = forge
        self.session = pinned_session(forge.graphql_url,
                                      token_header={"Authorization": f"bearer {forge.token}"},
                                      public_only=not forge.operator_configured)
        self.last_rate_limit = None

    def fetch_many(self, refs):
        """{ref: FetchResult or ForgeError}, one request per 100 pull requests."""
        refs = list(dict.fromkeys(refs))
        results = {}
        for start in range(0, len(refs), PAGE_SIZE):
            page = refs[start:start + PAGE_SIZE]
            try:
                results.update(self._fetch_page(page))
            except ForgeError as error:
                results.update({ref: error for ref in page})
                if isinstance(error, (RateLimited, AuthFailed)):
                    results.update({ref: error for ref in refs[start + PAGE_SIZE:]})
                    break
        return results

    def _fetch_page(self, page):
        response = guarded_request(self.session, "POST", self.forge.graphql_url,
                                   json={"query": build_query(len(page)),
                                         "variables": build_variables(page)})
        if response.status_code == 401:
            raise AuthFailed("GitHub rejected the configured token.")
        if response.status_code in (403, 429) and \
                response.headers.get("X-RateLimit-Remaining") == "0":
            raise rate_limited(response.headers, "GitHub's rate limit is exhausted.")
        if response.status_code != 200:
            raise ForgeUnavailable("%(forge)s answered with status %(status)s.",
                                   reason="bad_status",
                                   params={"forge": "GitHub", "status": response.status_code})
        payload = parse_json(response)
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict):
            raise ForgeUnavailable("GitHub's GraphQL answer had no data.", reason="bad_response")
        self.last_rate_limit = self._rate_limit(data.get("rateLimit"))
        results = {}
        for i, ref in enumerate(page):
            node = (data.get(f"p{i}") or {}).get("pullRequest")
            if isinstance(node, dict):
                results[ref] = FetchResult(snapshot=snapshot_from_graphql(node, ref, self.forge),
                                           rate_limit=self.last_rate_limit)
            else:
                results[ref] = NotFound("GitHub has no such pull request (or it is private).")
        return results

    @staticmethod
    def _rate_limit(node):
        if not isinstance(node, dict):
            return None
        try:
            return RateLimitInfo(remaining=int(node["remaining"]), limit=int(node["limit"]),
                                 reset_at=parse_time(node.get("resetAt")))
        except (KeyError, TypeError, ValueError):
            return None
