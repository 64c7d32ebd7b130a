"""A repository's recent contributions, read in one request: the sample its pace is measured on.

For each recent pull request: when it was opened, merged or closed, and when
someone other than its author and other than a bot first answered it (a review
or a comment). Bots are excluded as CHAOSS's "time to first response" asks:
GitHub's ``Bot`` account type and any login ending in ``[bot]``.

GitHub (with a token): one GraphQL query per repository, its 100 most recent
pull requests with their first reviews and comments; the repository's owner
and name are query *variables*. Other forges have no such read in one request:
their figures come from the course's own records only (``tracking/pace.py``).
Every answer is validated (strict pydantic models) before it is used; a bent
item is dropped, a bent answer is ``bad_response``.
"""

from dataclasses import dataclass
from datetime import datetime

from pydantic import Field, ValidationError

from .errors import AuthFailed, ForgeUnavailable, NotFound
from .http import guarded_request, parse_json, pinned_session, raise_for_status
from .schemas import Strict
from .snapshot import parse_time

SAMPLE_SIZE = 100  # a connection's ``first`` is at most 100 on GitHub: one page
RESPONSES = 10  # the first reviews and comments of each: the earliest answer is among them

SAMPLE_QUERY = f"""
query($owner: String!, $name: String!) {{
  rateLimit {{ remaining limit resetAt }}
  repository(owner: $owner, name: $name) {{
    pullRequests(first: {SAMPLE_SIZE}, orderBy: {{field: CREATED_AT, direction: DESC}}) {{
      nodes {{
        number state createdAt mergedAt closedAt
        author {{ __typename login }}
        reviews(first: {RESPONSES}) {{ nodes {{ submittedAt author {{ __typename login }} }} }}
        comments(first: {RESPONSES}) {{ nodes {{ createdAt author {{ __typename login }} }} }}
      }}
    }}
  }}
}}
"""


@dataclass(frozen=True)
class SampleItem:
    """One recent contribution of a repository, as its pace figures need it."""

    number: int
    created_at: datetime
    state: str  # open | merged | closed
    merged_at: datetime | None = None
    closed_at: datetime | None = None
    first_response_at: datetime | None = None

    def to_dict(self):
        def iso(moment):
            return moment.isoformat() if moment else None
        return {"number": self.number, "state": self.state, "created_at": iso(self.created_at),
                "merged_at": iso(self.merged_at), "closed_at": iso(self.closed_at),
                "first_response_at": iso(self.first_response_at)}

    @classmethod
    def from_dict(cls, data):
        return cls(number=int(data["number"]), state=data["state"],
                   created_at=parse_time(data["created_at"]),
                   merged_at=parse_time(data.get("merged_at")),
                   closed_at=parse_time(data.get("closed_at")),
                   first_response_at=parse_time(data.get("first_response_at")))


class _Actor(Strict):
    typename: str = Field("", alias="__typename")
    login: str


class _Review(Strict):
    submittedAt: str | None = None  # noqa: N815  (GitHub's field names)
    author: _Actor | None = None


class _Comment(Strict):
    createdAt: str  # noqa: N815
    author: _Actor | None = None


class _Reviews(Strict):
    nodes: list[_Review | None]


class _Comments(Strict):
    nodes: list[_Comment | None]


class _SamplePull(Strict):
    number: int
    state: str
    createdAt: str  # noqa: N815
    mergedAt: str | None = None  # noqa: N815
    closedAt: str | None = None  # noqa: N815
    author: _Actor | None = None
    reviews: _Reviews | None = None
    comments: _Comments | None = None


def is_bot(actor):
    """A bot account (GitHub's ``Bot`` type, or a ``[bot]`` login)."""
    return actor.typename == "Bot" or actor.login.lower().endswith("[bot]")


def _first_response(pull):
    """When someone other than the author, and no bot, first answered ``pull``."""
    author = pull.author.login.lower() if pull.author else None
    answers = [(r.submittedAt, r.author) for r in (pull.reviews.nodes if pull.reviews else [])
               if r is not None]
    answers += [(c.createdAt, c.author) for c in (pull.comments.nodes if pull.comments else [])
                if c is not None]
    times = [parse_time(at) for at, actor in answers
             if actor is not None and not is_bot(actor) and actor.login.lower() != author]
    times = [t for t in times if t is not None]
    return min(times) if times else None


def sample_item(node):
    """A SampleItem from one pull request node, or None if it is bent or a bot's own."""
    try:
        pull = _SamplePull.model_validate(node)
    except ValidationError:
        return None
    created = parse_time(pull.createdAt)
    if created is None or pull.number <= 0 or (pull.author is not None and is_bot(pull.author)):
        return None
    state = {"MERGED": "merged", "CLOSED": "closed", "OPEN": "open"}.get(pull.state)
    if state is None:
        return None
    return SampleItem(number=pull.number, created_at=created, state=state,
                      merged_at=parse_time(pull.mergedAt), closed_at=parse_time(pull.closedAt),
                      first_response_at=_first_response(pull))


class GitHubSampleReader:
    """Reads a GitHub repository's sample: one GraphQL request (a token is needed)."""

    def __init__(self, forge):
        if not forge.token:
            raise AuthFailed("GitHub's GraphQL API needs a token in the configuration.")
        self.forge = forge
        self.session = pinned_session(forge.graphql_url,
                                      token_header={"Authorization": f"bearer {forge.token}"},
                                      public_only=not forge.operator_configured,
                                      retry_methods={"GET", "POST"}, retry_statuses={503, 504})

    def read(self, project, deadline=None):
        """[SampleItem] of ``project``'s most recent pull requests (at most 100)."""
        owner, _, name = project.partition("/")
        response = guarded_request(self.session, "POST", self.forge.graphql_url,
                                   deadline=deadline,
                                   json={"query": SAMPLE_QUERY,
                                         "variables": {"owner": owner, "name": name}})
        raise_for_status(response, "GitHub", authenticated=True)
        payload = parse_json(response)
        data = payload.get("data") if isinstance(payload, dict) else None
        repository = data.get("repository") if isinstance(data, dict) else None
        if repository is None:
            raise NotFound("GitHub has no such repository (or it is private).")
        pulls = repository.get("pullRequests") if isinstance(repository, dict) else None
        nodes = pulls.get("nodes") if isinstance(pulls, dict) else None
        if not isinstance(nodes, list):
            raise ForgeUnavailable("GitHub's GraphQL answer had no data.", reason="bad_response")
        items = (sample_item(node) for node in nodes[:SAMPLE_SIZE])
        return [item for item in items if item is not None]


def sample_reader(forge):
    """The reader of ``forge``'s repository samples, or None where one request cannot do."""
    if forge.kind == "github" and forge.token:
        return GitHubSampleReader(forge)
    return None
