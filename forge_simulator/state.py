"""The simulator's world: contributions on four kinds of forge, and what happens to them."""

import itertools
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from .oauth import OAuthProvider

KINDS = ("github", "gitlab", "gerrit", "gitea")


def utcnow():
    return datetime.now(timezone.utc).replace(microsecond=0)


class Clock:
    """The simulator's time: the real clock, or one a benchmark moves (``World.set_clock``)."""

    def __init__(self):
        self.source = utcnow

    def __call__(self):
        return self.source().replace(microsecond=0)


@dataclass
class SimContribution:
    kind: str
    project: str
    number: int
    author: str = "learner"
    title: str = "Fix a typo"
    state: str = "open"  # open | closed | merged
    draft: bool = False
    created_at: datetime = field(default_factory=lambda: utcnow() - timedelta(days=1))
    updated_at: datetime = field(default_factory=utcnow)
    merged_at: datetime | None = None
    closed_at: datetime | None = None
    labels: list = field(default_factory=list)
    review: str | None = None  # approved | changes_requested | None
    target_branch: str = "main"
    body: str = ""
    landed_commit: str | None = None  # closed by a commit pushed to the target branch
    locked: bool = False  # GitLab: a merge in progress
    # Reviews beyond ``review`` (which is core-reviewer's, a maintainer's), in time order:
    # SimReview entries; ``writer`` says whether the reviewer has write access.
    reviews: list = field(default_factory=list)
    # Conversation comments (SimReview entries, decision "commented"): GraphQL's ``comments``.
    comments: list = field(default_factory=list)
    id: int = 0
    version: int = 0

    def touch(self, now=None):
        # Each change a second after the last at least: the answers show whole seconds, and
        # a change feed tells two changes apart by their times (the forges' own are finer).
        self.updated_at = max(now or utcnow(), self.updated_at + timedelta(seconds=1))
        self.version += 1


@dataclass
class SimReview:
    reviewer: str
    decision: str  # approved | changes_requested | commented
    writer: bool = True
    at: datetime = field(default_factory=utcnow)


def all_reviews(contribution):
    """Every review of ``contribution`` in time order (core-reviewer's ``review`` last)."""
    reviews = list(contribution.reviews)
    if contribution.review:
        reviews.append(SimReview("core-reviewer", contribution.review, True,
                                 contribution.updated_at))
    return reviews


@dataclass
class RateLimit:
    limit: int = 5000
    remaining: int = 5000
    reset_at: datetime = field(default_factory=lambda: utcnow() + timedelta(hours=1))
    clock: object = utcnow

    def spend(self, cost=1):
        """Take ``cost`` (requests, or GitHub's GraphQL points) from the budget; False when
        that much is not left (nothing is taken then)."""
        now = self.clock()
        if now >= self.reset_at:
            self.remaining, self.reset_at = self.limit, now + timedelta(hours=1)
        if self.remaining < cost or self.remaining <= 0:
            return False
        self.remaining -= cost
        return True


class World:
    """Thread-safe store of contributions, renames, redirects and rate limits."""

    def __init__(self):
        self.lock = threading.RLock()
        self.clock = Clock()
        self.contributions = {}
        self.renames = {}  # (kind, old project) -> new project
        # GitHub answers a renamed repository's old API address with a 301 to
        # /repositories/:id/...; False: to the new name's address (some servers, older tests).
        self.github_renames_by_id = False
        self.offsite_redirects = {}  # (kind, project) -> absolute URL on another host
        self.rate_limits = {kind: RateLimit(clock=self.clock) for kind in KINDS}
        self.bad_tokens = {"bad-token"}
        self.requests = []  # (kind, method, path, status)
        self.failures = {}  # kind -> HTTP statuses to answer, one per request, before serving
        self._ids = itertools.count(1000)
        self.oauth = OAuthProvider()  # identity: the forges' OAuth applications and users
        self.posted_comments = {}  # contribution key -> [(author, body)]
        # Batch reads (batch_routes.py, gitlab_graphql_api.py): the servers' limits.
        self.private_projects = set()  # (kind, project): visible to nobody we are
        self.gerrit_query_limit = 500  # Gerrit's default queryLimit
        self.batch_caps = {}  # kind -> answer only this many items of a batch (partial)
        self.graphql_max_aliases = None  # GitHub: more is RESOURCE_LIMITS_EXCEEDED
        # GitLab scores a query by its documented rule (each field adds 1); a number here
        # makes it score each merge request selection that much instead (a stricter server).
        self.gitlab_selection_complexity = None
        self.gerrit_max_terms = 1024  # Gerrit's index.maxTerms default
        self.gitea_etags = False  # a Gitea/Forgejo that tags its answers (ETag, 304)
        self.github_points_spent = 0  # GraphQL points charged by GitHub's documented rule
        # Called with (contribution, event) after each change and comment: notifications,
        # change feeds and webhook deliveries follow the world through these.
        self.listeners = []

    def set_clock(self, source):
        """Make the simulator's time ``source()`` (an aware datetime): rate-limit windows,
        merges and edits follow it (a benchmark's virtual clock)."""
        self.clock.source = source

    def now(self):
        return self.clock()

    def _announce(self, contribution, event):
        for listener in list(self.listeners):
            listener(contribution, event)

    def make_private(self, kind, project, private=True):
        with self.lock:
            (self.private_projects.add if private else self.private_projects.discard)(
                (kind, project.lower()))

    def is_private(self, kind, project):
        return (kind, project.lower()) in self.private_projects

    def has_project(self, kind, project):
        with self.lock:
            return any(k[0] == kind and k[1] == project.lower() for k in self.contributions)

    def comment(self, kind, project, number, author, body):
        """Post a comment (Gerrit: a change message) as ``author``."""
        with self.lock:
            if self.get(kind, project, number) is None:
                raise KeyError(f"no {kind} contribution {project}#{number}")
            self.posted_comments.setdefault(self._key(kind, project, number), []).append(
                (author, body))
            contribution = self.get(kind, project, number)
        self._announce(contribution, "comment")

    def comments_on(self, contribution):
        with self.lock:
            key = self._key(contribution.kind, contribution.project, contribution.number)
            return list(self.posted_comments.get(key, ()))

    @staticmethod
    def _key(kind, project, number):
        return kind, project.lower(), int(number)

    def resolve_project(self, kind, project):
        """The current name of a project, following renames."""
        return self.renames.get((kind, project.lower()), project)

    def open(self, kind, project, number, **fields):
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        with self.lock:
            fields.setdefault("updated_at", self.clock())
            contribution = SimContribution(kind=kind, project=project, number=int(number),
                                           id=next(self._ids), **fields)
            if contribution.state == "merged" and contribution.merged_at is None:
                contribution.merged_at = contribution.closed_at = self.clock()
            if contribution.state == "closed" and contribution.closed_at is None:
                contribution.closed_at = self.clock()
            self.contributions[self._key(kind, project, number)] = contribution
            return contribution

    def get(self, kind, project, number):
        with self.lock:
            return self.contributions.get(self._key(kind, project, number))

    def all(self, kind):
        """Every contribution of ``kind``."""
        with self.lock:
            return [c for (k, _p, _n), c in self.contributions.items() if k == kind]

    def find_by_number(self, kind, number):
        """Gerrit lets a change be addressed by its number alone."""
        with self.lock:
            for (k, _project, n), contribution in self.contributions.items():
                if k == kind and n == int(number):
                    return contribution
        return None

    def _change(self, kind, project, number, mutate, event="change"):
        with self.lock:
            contribution = self.get(kind, project, number)
            if contribution is None:
                raise KeyError(f"no {kind} contribution {project}#{number}")
            mutate(contribution)
            contribution.touch(self.clock())
        self._announce(contribution, event)
        return contribution

    def merge(self, kind, project, number):
        now = self.clock()

        def mutate(c):
            c.state, c.draft = "merged", False
            c.merged_at = c.closed_at = now
        return self._change(kind, project, number, mutate)

    def close(self, kind, project, number):
        now = self.clock()

        def mutate(c):
            c.state, c.closed_at = "closed", now
        return self._change(kind, project, number, mutate)

    def land(self, kind, project, number, commit="0123456789abcdef0123456789abcdef01234567"):
        """Close it because its commits were pushed by hand (no merge button)."""
        now = self.clock()

        def mutate(c):
            c.state, c.closed_at, c.landed_commit = "closed", now, commit
        return self._change(kind, project, number, mutate)

    def reopen(self, kind, project, number):
        def mutate(c):
            c.state, c.closed_at, c.merged_at = "open", None, None
        return self._change(kind, project, number, mutate)

    def set_draft(self, kind, project, number, draft=True):
        return self._change(kind, project, number, lambda c: setattr(c, "draft", bool(draft)))

    def approve(self, kind, project, number, decision="approved"):
        return self._change(kind, project, number, lambda c: setattr(c, "review", decision),
                            event="review")

    def review(self, kind, project, number, reviewer, decision="approved", writer=True):
        """A review by ``reviewer`` (``writer``: someone with write access, or not)."""
        return self._change(kind, project, number, lambda c: c.reviews.append(
            SimReview(reviewer, decision, bool(writer))), event="review")

    def answer(self, kind, project, number, commenter, at=None):
        """A conversation comment by ``commenter`` (a ``[bot]`` login is a bot's) at ``at``."""
        return self._change(kind, project, number, lambda c: c.comments.append(
            SimReview(commenter, "commented", False, at or utcnow())))

    def set_locked(self, kind, project, number, locked=True):
        """GitLab's ``locked`` state: a merge in progress."""
        return self._change(kind, project, number, lambda c: setattr(c, "locked", bool(locked)))

    def label(self, kind, project, number, name):
        def mutate(c):
            if name not in c.labels:
                c.labels.append(name)
        return self._change(kind, project, number, mutate)

    def edit(self, kind, project, number, **fields):
        def mutate(c):
            for key, value in fields.items():
                setattr(c, key, value)
        return self._change(kind, project, number, mutate)

    def rename(self, kind, old_project, new_project):
        """Rename a repository: old API paths answer 301 to the new one."""
        with self.lock:
            renamed = [k for k in self.contributions
                       if k[0] == kind and k[1] == old_project.lower()]
            for key in renamed:
                contribution = self.contributions.pop(key)
                contribution.project = new_project
                contribution.touch(self.clock())
                self.contributions[self._key(kind, new_project, contribution.number)] = contribution
            self.renames[(kind, old_project.lower())] = new_project

    def redirect_offsite(self, kind, project, location):
        with self.lock:
            self.offsite_redirects[(kind, project.lower())] = location

    def rate_limit(self, kind, tag=None):
        """The budget of ``kind``'s requests, or of those under the ``/@tag`` (its own once
        ``set_rate_limit`` gave it one: a second host of the kind with its own limit)."""
        return self.rate_limits.get(f"{kind}@{tag}") or self.rate_limits[kind]

    def set_rate_limit(self, kind, remaining, limit=None, reset_in_s=3600, tag=None):
        with self.lock:
            key = f"{kind}@{tag}" if tag else kind
            budget = self.rate_limits.setdefault(key, RateLimit(clock=self.clock))
            budget.remaining = int(remaining)
            budget.limit = int(limit if limit is not None else budget.limit)
            budget.reset_at = self.clock() + timedelta(seconds=reset_in_s)

    def fail_next(self, kind, status=503, times=1):
        """Answer the next ``times`` requests to ``kind`` with ``status``."""
        with self.lock:
            self.failures.setdefault(kind, []).extend([int(status)] * int(times))

    def take_failure(self, kind):
        with self.lock:
            queue = self.failures.get(kind)
            return queue.pop(0) if queue else None

    def log(self, kind, method, path, status):
        with self.lock:
            self.requests.append((kind, method, path, status))

    def requests_for(self, kind=None):
        with self.lock:
            return [r for r in self.requests if kind is None or r[0] == kind]

    def clear_log(self):
        with self.lock:
            self.requests.clear()
