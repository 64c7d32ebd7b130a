"""Reading many GitHub pull requests in one GraphQL request (up to 100 a page, adapted).

The query is built from aliases (``p0``, ``p1``...) whose owner, name and
number are GraphQL *variables*: nothing a learner typed is ever spliced into
the query text. Each pull request's node is validated on its own: a wrongly
shaped one is ``bad_response`` for that pull request only.

The review decision comes from each writer's latest opinionated review
(``latestOpinionatedReviews(writersOnly: true)``, filtered again on
``authorAssociation``): the same rule the REST path applies to its review list.
"""

import time

from ..i18n import gettext_noop
from .batch import (
    STOPPING_ERRORS,
    AdaptiveBatchSize,
    alias_errors,
    graphql_errors,
    partial_error,
    unique,
)
from .deadline import DEFAULT_SWEEP_CHECK_S, deadline_scope
from .errors import (
    AuthFailed,
    ForgeError,
    ForgeUnavailable,
    NotFound,
    bounded_reset,
    is_rate_limited,
    rate_limited,
)
from .http import guarded_request, parse_json, pinned_session
from .schemas import GraphQLPull, is_bot_account, validated
from .snapshot import (
    WRITE_ASSOCIATIONS,
    FetchResult,
    RateLimitInfo,
    Review,
    ensure_about,
    facts_from_reviews,
    forge_snapshot,
    parse_time,
)

PAGE_SIZE = 100
MIN_PAGE_SIZE = 5
LABELS = 50
REVIEWERS = 100  # one opinion per writer: a hundred writers reviewing one pull request is plenty

PULL_FIELDS = f"""
  number databaseId fullDatabaseId title body state isDraft url createdAt mergedAt closedAt
  author {{ login ... on User {{ databaseId }} }}
  baseRefName
  baseRepository {{ nameWithOwner }}
  labels(first: {LABELS}) {{ nodes {{ name }} }}
  latestOpinionatedReviews(first: {REVIEWERS}, writersOnly: true) {{
    nodes {{ state submittedAt authorAssociation author {{ __typename login }} }}
  }}
"""
# GitHub's documented limits ("Rate limits and query limits for the GraphQL API"): a
# call asks for at most 500,000 nodes; it costs the requests its connections need (one
# per parent object) divided by 100, rounded to the nearest whole number, at least 1.
NODE_LIMIT = 500_000
CONNECTIONS_PER_PULL = 2  # labels, latestOpinionatedReviews
NODES_PER_PULL = LABELS + REVIEWERS


def query_points(pulls):
    """The points a page of ``pulls`` pull requests costs (2 for a page of 100)."""
    return max(1, int(pulls * CONNECTIONS_PER_PULL / 100 + 0.5))


def query_nodes(pulls):
    """The nodes a page of ``pulls`` asks for (15,000 for a page of 100)."""
    return pulls * NODES_PER_PULL


def build_query(count):
    """The query text for ``count`` pull requests, and nothing else variable."""
    params = ", ".join(f"$o{i}: String!, $n{i}: String!, $p{i}: Int!" for i in range(count))
    body = "\n".join(
        f"  p{i}: repository(owner: $o{i}, name: $n{i}) {{ nameWithOwner "
        f"pullRequest(number: $p{i}) {{ ...F }} }}"
        for i in range(count))
    return (f"query({params}) {{\n  rateLimit {{ remaining limit resetAt }}\n{body}\n}}\n"
            f"fragment F on PullRequest {{{PULL_FIELDS}}}\n")


def build_variables(refs):
    variables = {}
    for i, ref in enumerate(refs):
        owner, name = ref.project.split("/", 1)
        variables.update({f"o{i}": owner, f"n{i}": name, f"p{i}": ref.number})
    return variables


def _review_facts(pull):
    nodes = pull.latestOpinionatedReviews.nodes if pull.latestOpinionatedReviews else []
    reviews = sorted((n for n in nodes if n is not None),
                     key=lambda n: parse_time(n.submittedAt) or parse_time("1970-01-01T00:00:00Z"))
    return facts_from_reviews(
        Review(reviewer=n.author.login if n.author else "", state=n.state,
               counts=n.authorAssociation in WRITE_ASSOCIATIONS,
               submitted_at=parse_time(n.submittedAt),
               bot=bool(n.author) and is_bot_account(n.author.login, n.author.typename))
        for n in reviews)


def snapshot_from_graphql(node, ref, forge, repository=None):
    """A Snapshot from one pull request node (validated first: ForgeUnavailable if bent).

    ``repository``: the name the alias's repository resolved to. GitHub's GraphQL follows
    a renamed repository itself, so the pull request must have the number asked for, in
    the repository the query resolved (not necessarily the name asked for).
    """
    pull = validated(GraphQLPull, node, "GitHub")
    base = pull.baseRepository.nameWithOwner if pull.baseRepository else None
    ensure_about(ref, "GitHub", pull.number, base if isinstance(repository, str) else None,
                 repository)
    if pull.state == "MERGED":
        normalized = "merged"
    elif pull.state == "CLOSED":
        normalized = "closed"
    else:
        normalized = "draft" if pull.isDraft else "open"
    forge_id = pull.fullDatabaseId if pull.fullDatabaseId and pull.fullDatabaseId.isdigit() \
        else (str(pull.databaseId) if pull.databaseId is not None else "")
    author = pull.author
    return _review_facts(pull).applied_to(forge_snapshot(
        "github", ref, forge, normalized, author=author.login if author else None,
        author_id=author.databaseId if author else None, forge_id=forge_id,
        title=pull.title, web_url=pull.url, created_at=pull.createdAt,
        merged_at=pull.mergedAt, closed_at=pull.closedAt,
        target_repository=pull.baseRepository.nameWithOwner if pull.baseRepository else None,
        target_branch=pull.baseRefName,
        labels=[n.name for n in (pull.labels.nodes if pull.labels else []) if n],
        description=pull.body))


def _graphql_rate_limited(payload):
    return any(e.get("type") == "RATE_LIMITED" for e in graphql_errors(payload))


def _too_big(payload):
    """GitHub refused the query for its size, or gave up on it (its 10-second limit)."""
    for error in graphql_errors(payload):
        message = str(error.get("message", "")).lower()
        if error.get("type") == "RESOURCE_LIMITS_EXCEEDED" or "timeout" in message:
            return True
    return False


class PageTooBig(Exception):
    """The page should be asked for again in smaller pieces; ``error`` if it cannot be."""

    def __init__(self, error):
        super().__init__(error.message)
        self.error = error


def _shrinkable(error):
    """A timeout or a 502 while time is left: GitHub gave up on a query of this size."""
    return error.reason == "timeout" or (error.reason == "bad_status"
                                         and error.params.get("status") == 502)


class GitHubGraphQL:
    """Batch reader for one configured GitHub host (requires its token).

    Pages start at ``PAGE_SIZE`` pull requests and adapt (``batch_size.py``):
    a page that times out, answers 502 or ``RESOURCE_LIMITS_EXCEEDED`` is asked
    again in halves; fast, complete answers let the size grow back. GitHub
    documents a connection's ``first`` as at most 100 and a query's nodes as at
    most 500,000 (a page of 100 asks for 15,000: ``query_nodes``); it charges
    points by the connections asked (``query_points``: 2 for a page of 100), so
    pages above 100 would save requests but no points, and bring its 10-second
    limit and its other resource limits ("thousands of objects") closer: 100 is
    also the ceiling.
    """

    def __init__(self, forge, sweep_check_s=DEFAULT_SWEEP_CHECK_S):
        if not forge.token:
            raise AuthFailed("GitHub's GraphQL API needs a token in the configuration.")
        self.forge = forge
        self.sweep_check_s = sweep_check_s
        # A GraphQL query is a read: retrying its POST is as safe as retrying a GET. A 502
        # is not retried as it came: the page is asked again in halves.
        self.session = pinned_session(forge.graphql_url,
                                      token_header={"Authorization": f"bearer {forge.token}"},
                                      public_only=not forge.operator_configured,
                                      retry_methods={"GET", "POST"}, retry_statuses={503, 504})
        self.last_rate_limit = None
        self.batch = AdaptiveBatchSize(start=PAGE_SIZE, maximum=PAGE_SIZE, minimum=MIN_PAGE_SIZE)

    def fetch_many(self, refs, deadline=None):
        """{ref: FetchResult or ForgeError}, one request per page (up to 100 pull requests).

        ``deadline`` bounds the whole batch (default: the active one, else the sweep
        budget per page);
        once it has passed, the pages left are answered ``deadline`` unasked.
        After a rate limit or a refused token the rest wait, unasked, too.
        """
        queue = unique(refs)
        pages = max(1, -(-len(queue) // self.batch.size))
        results = {}
        with deadline_scope(deadline, self.sweep_check_s * pages) as budget:
            while queue:
                page = queue[:self.batch.size]
                try:
                    budget.check()
                    results.update(self._fetch_adapting(page, budget))
                except PageTooBig:
                    continue  # the same refs again, in a smaller page
                except ForgeError as error:
                    results.update({ref: error for ref in page})
                    if isinstance(error, STOPPING_ERRORS):
                        results.update({ref: error for ref in queue[len(page):]})
                        break
                queue = queue[len(page):]
        return results

    def _fetch_adapting(self, page, budget):
        started = time.monotonic()
        try:
            answered = self._fetch_page(page)
        except PageTooBig as too_big:
            if not budget.expired and self.batch.too_big(len(page)):
                raise
            raise too_big.error from None
        except ForgeUnavailable as error:
            if _shrinkable(error) and not budget.expired and self.batch.too_big(len(page)):
                raise PageTooBig(error) from None
            raise
        complete = not any(isinstance(r, ForgeUnavailable) and r.reason == "partial"
                           for r in answered.values())
        self.batch.answered(time.monotonic() - started, complete)
        return answered

    def _fetch_page(self, page):
        response = guarded_request(self.session, "POST", self.forge.graphql_url,
                                   json={"query": build_query(len(page)),
                                         "variables": build_variables(page)})
        if is_rate_limited(response.status_code, response.headers):
            raise rate_limited(response.headers, "GitHub's rate limit is exhausted.")
        if response.status_code in (401, 403):
            raise AuthFailed("GitHub rejected the configured token.")
        if response.status_code != 200:
            raise ForgeUnavailable("%(forge)s answered with status %(status)s.",
                                   reason="bad_status",
                                   params={"forge": "GitHub", "status": response.status_code})
        payload = parse_json(response)
        if _graphql_rate_limited(payload):
            raise rate_limited(response.headers, "GitHub's rate limit is exhausted.")
        data = payload.get("data") if isinstance(payload, dict) else None
        if _too_big(payload) and not any(isinstance(data, dict) and data.get(f"p{i}")
                                         for i in range(len(page))):
            raise PageTooBig(ForgeUnavailable(
                gettext_noop("GitHub found the request too large. It will be tried again later."),
                reason="resource_limits"))
        if not isinstance(data, dict):
            raise ForgeUnavailable("GitHub's GraphQL answer had no data.", reason="bad_response")
        self.last_rate_limit = self._rate_limit(data.get("rateLimit"))
        errors = alias_errors(payload)
        return {ref: self._result(data.get(f"p{i}"), ref, errors.get(f"p{i}"))
                for i, ref in enumerate(page)}

    def _result(self, repository, ref, error_type):
        node = repository.get("pullRequest") if isinstance(repository, dict) else None
        if node is None:
            if error_type not in (None, "NOT_FOUND", "FORBIDDEN"):
                return partial_error("GitHub")  # GitHub failed on this one: not a verdict
            return NotFound("GitHub has no such pull request (or it is private).")
        try:
            return FetchResult(snapshot=snapshot_from_graphql(
                node, ref, self.forge, repository.get("nameWithOwner")),
                rate_limit=self.last_rate_limit)
        except ForgeUnavailable as error:
            return error

    @staticmethod
    def _rate_limit(node):
        if not isinstance(node, dict):
            return None
        try:
            return RateLimitInfo(remaining=int(node["remaining"]), limit=int(node["limit"]),
                                 reset_at=bounded_reset(parse_time(node.get("resetAt"))))
        except (KeyError, TypeError, ValueError, OverflowError):  # Infinity is valid JSON
            return None
