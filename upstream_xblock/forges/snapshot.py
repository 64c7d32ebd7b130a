"""What a forge answer becomes: a parsed reference, a normalized snapshot, a check's result.

- ``ContributionRef``: which contribution (kind, host, project path, number), as
  parsed from a learner's text;
- ``Snapshot``: its normalized state, whatever forge it lives on, with every
  forge-written text cleaned and bounded (a title is written by a stranger);
- ``FetchResult`` / ``RateLimitInfo``: what every client's read returns;
- the builder of a snapshot from GitHub's REST pull request shape, which Gitea
  and Forgejo copy.

Review decisions that only people with write access can make.

Every forge says it its own way; this module turns each one's reviews into the
same facts: the decision (``approved`` / ``changes_requested`` /
``review_required``, or None when it could not be read in full) and the
moments for the learner's timeline.

- GitHub: a review counts when its ``author_association`` (REST) or
  ``authorAssociation`` (GraphQL) is OWNER, MEMBER or COLLABORATOR; each
  reviewer's latest approving / change-requesting / dismissed review is theirs.
  REST and GraphQL feed the same function, so they reach the same decision.
- Gitea/Forgejo: a review counts when it is ``official`` (by someone allowed to
  approve) and not dismissed.
- GitLab: its approvals (only eligible approvers can approve).
- Gerrit: ``Code-Review`` at its maximum (+2) or minimum (-2), which Gerrit
  reports as ``approved`` / ``rejected`` on the label.
"""

import unicodedata
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone

from ..i18n import gettext_noop
from .errors import ForgeUnavailable


@dataclass(frozen=True)
class ContributionRef:
    """Which contribution: forge kind, host, project path and number.

    ``project`` is the full path of the target project (``owner/repo``,
    ``group/subgroup/project``, a Gerrit project with slashes), or ``""`` for a
    Gerrit change pasted by number only. ``url`` is the canonical web address:
    two pastes of the same contribution give the same ``url``.
    """

    kind: str
    host: str
    project: str
    number: int
    url: str

    @property
    def key(self):
        """Identity that does not depend on how the URL was written."""
        return (self.kind, self.host, self.project.lower(), self.number)


STATES = ("open", "draft", "merged", "closed")
REVIEW_DECISIONS = ("approved", "changes_requested", "review_required")

MAX_TITLE_LENGTH = 300
MAX_DESCRIPTION_LENGTH = 5000
MAX_LABELS = 100
TIME_FIELDS = ("created_at", "merged_at", "closed_at", "first_review_at", "changes_requested_at",
               "approved_at")


@dataclass(frozen=True)
class Snapshot:
    """What a forge said about a contribution, in one shape for all forges.

    Strings from the forge (title, labels, author) are untrusted: they are
    trimmed here and must be escaped wherever they are shown.
    """

    kind: str
    host: str
    project: str
    number: int
    state: str
    author: str
    title: str
    web_url: str
    created_at: datetime | None = None
    merged_at: datetime | None = None
    closed_at: datetime | None = None
    target_repository: str = ""
    target_branch: str = ""
    labels: tuple = field(default_factory=tuple)
    review_decision: str | None = None
    description: str = ""  # bounded, whitespace flattened: for the ownership-code rule
    landed_commit: str | None = None  # GitHub: commit that closed it, when asked for
    etag: str | None = None
    # The forge's stable ids (strings, unique per host; "" when the forge gave none):
    # the author's account (survives a rename) and the contribution itself (survives
    # a moved repository, and is the same for every URL alias of a Gerrit change).
    author_id: str = ""
    forge_id: str = ""
    # The contribution's life for the learner's timeline, where the forge says it in
    # the requests already made (None: not known).
    first_review_at: datetime | None = None
    changes_requested_at: datetime | None = None
    approved_at: datetime | None = None

    def __post_init__(self):
        if self.state not in STATES:
            raise ValueError(f"unknown state {self.state!r}")
        if self.review_decision not in (None, *REVIEW_DECISIONS):
            raise ValueError(f"unknown review decision {self.review_decision!r}")
        if self.state == "merged" and self.closed_at is None and self.merged_at is not None:
            # GitLab leaves closed_at empty on merge; elsewhere a merge closes.
            object.__setattr__(self, "closed_at", self.merged_at)

    @property
    def draft(self):
        return self.state == "draft"

    def to_dict(self):
        """JSON-ready dict (times as ISO 8601 strings)."""
        data = asdict(self)
        for key in TIME_FIELDS:
            data[key] = data[key].isoformat() if data[key] else None
        data["labels"] = list(self.labels)
        data["draft"] = self.draft
        return data

    @classmethod
    def from_dict(cls, data):
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in TIME_FIELDS:
            if values.get(key):
                values[key] = datetime.fromisoformat(values[key])
        values["labels"] = tuple(values.get("labels") or ())
        return cls(**values)

    def with_etag(self, etag):
        return replace(self, etag=etag)


# Bidirectional embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI,
# FSI, PDI) can make forge text display as something else ("Trojan Source") and leak
# their direction into the page around it. The marks (LRM, RLM, ALM) cannot reorder
# anything beyond themselves and are kept, as are the zero-width (non-)joiners that
# emoji sequences and Arabic, Persian or Indic scripts need.
SPOOFING_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Categories dropped: controls (Cc, except whitespace, which becomes a space),
# surrogates and private-use characters. Format characters (Cf) are kept but for
# the bidi controls above; unassigned code points are kept (newer emoji).
_DROPPED_CATEGORIES = ("Cc", "Cs", "Co")
ELLIPSIS = "\u2026"


def _clean_char(ch):
    if ch in SPOOFING_BIDI_CONTROLS:
        return ""
    if ch.isspace():
        return " "
    if unicodedata.category(ch) in _DROPPED_CATEGORIES:
        return ""
    return ch


def clean_text(value, limit=MAX_TITLE_LENGTH, ellipsis=True):
    """A forge-supplied string as plain text of at most ``limit`` characters.

    Longer text is cut with an ellipsis (unless ``ellipsis`` is false), so that a
    reader knows there was more; the page shows the kept text whole in a tooltip.
    """
    if not isinstance(value, str):
        return ""
    text = "".join(_clean_char(ch) for ch in value[: limit * 2]).strip()
    if len(text) <= limit and len(value) <= limit * 2:
        return text
    if not ellipsis:
        return text[:limit]
    # Do not leave a dangling joiner or combining mark before the ellipsis.
    kept = text[: limit - 1].rstrip()
    while kept and (kept[-1] in "\u200c\u200d" or unicodedata.combining(kept[-1])):
        kept = kept[:-1]
    return kept + ELLIPSIS


def is_text(value):
    """A string any database, page or terminal can hold: no NUL character and no lone
    surrogate (JSON's ``"\\ud800"`` decodes to one, and UTF-8 cannot encode it)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_description(value):
    return clean_text(value, MAX_DESCRIPTION_LENGTH, ellipsis=False)


def clean_labels(values):
    names = (clean_text(v, 100) for v in (values or ())[:MAX_LABELS])
    return tuple(name for name in names if name)


def parse_time(value):
    """ISO 8601 (GitHub, GitLab, Gitea) or Gerrit's 'YYYY-MM-DD hh:mm:ss.nnnnnnnnn' (UTC)."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    if " " in text and "T" not in text:  # Gerrit: UTC, nanoseconds
        date_part, _, time_part = text.partition(" ")
        time_part = time_part.split(".")[0]
        text = f"{date_part}T{time_part}+00:00"
    text = text.replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


@dataclass(frozen=True)
class RateLimitInfo:
    """The forge's own account of the budget left for our credentials."""

    remaining: int
    limit: int
    reset_at: datetime | None


@dataclass(frozen=True)
class FetchResult:
    """One check's outcome. ``snapshot`` is None when the forge said 304."""

    snapshot: Snapshot | None
    etag: str | None = None
    rate_limit: RateLimitInfo | None = None

    @property
    def unchanged(self):
        return self.snapshot is None


def same_site_url(candidate, forge, fallback):
    """The forge's own page URL if it is on the configured web site, else ``fallback``.

    A forge's answer is untrusted: a link we show must not lead elsewhere, and must be
    text every page and the command line can write (printable ASCII or letters, no lone
    surrogate, no control character).
    """
    if isinstance(candidate, str) and candidate.startswith(forge.web_url + "/") \
            and len(candidate) <= 2048 and not any(c in candidate for c in "\"'<> \\") \
            and all(c.isprintable() and unicodedata.category(c) not in _DROPPED_CATEGORIES
                    for c in candidate):
        return candidate
    return fallback


def ensure_about(ref, forge_name, number, repository=None, expected=None):
    """The answer is about what was asked, or ForgeUnavailable(``bad_response``).

    ``number`` is the contribution's number the answer states; ``repository`` the
    repository it states (None where the answer names none), compared with ``expected``
    (by default the reference's project; a followed rename's target where there was one).
    A forge, or anything between, answering about another pull request or another
    repository must never be taken for the one asked about.
    """
    expected = ref.project if expected is None else expected
    if isinstance(repository, str) and isinstance(expected, str):
        same_repository = not expected or repository.casefold() == expected.casefold()
    else:
        same_repository = repository is None or repository == expected
    if number != ref.number or not same_repository:
        raise ForgeUnavailable(
            gettext_noop("%(forge)s answered about another contribution than the one asked "
                         "for."), reason="bad_response", params={"forge": forge_name})


def _id(value):
    return "" if value is None else str(value)


def forge_snapshot(kind, ref, forge, state, *, author, title, web_url, created_at,
                   target_repository, target_branch, labels=(), description=None,
                   author_id=None, forge_id=None, merged_at=None, closed_at=None,
                   project=None, number=None, fallback_url=None, **facts):
    """A Snapshot from a forge's raw values, every one cleaned and bounded here.

    Everything a forge says is a stranger's text: one place cleans it, for every
    forge. ``merged_at`` counts only in the merged state; ``web_url`` must be on the
    forge's own site (else ``fallback_url``, by default the reference's address).
    """
    return Snapshot(
        kind=kind, host=forge.host, project=ref.project if project is None else project,
        number=ref.number if number is None else number, state=state,
        author=clean_text(author, 100), author_id=_id(author_id), forge_id=_id(forge_id),
        title=clean_text(title),
        web_url=same_site_url(web_url, forge, fallback_url or ref.url),
        created_at=parse_time(created_at),
        merged_at=parse_time(merged_at) if state == "merged" else None,
        closed_at=parse_time(closed_at),
        target_repository=clean_text(target_repository, 200),
        target_branch=clean_text(target_branch, 200),
        labels=clean_labels(labels), description=clean_description(description), **facts)


def snapshot_from_rest_pull(pull, kind, ref, forge, state, title, etag=None):
    """The Snapshot of a validated ``GitHubPull`` or ``GiteaPull`` in ``state``."""
    user = pull.user
    return forge_snapshot(
        kind, ref, forge, state, author=user.login if user else None,
        author_id=user.id if user else None, forge_id=pull.id, title=title,
        web_url=pull.html_url, created_at=pull.created_at, merged_at=pull.merged_at,
        closed_at=pull.closed_at,
        target_repository=pull.base.repo.full_name if pull.base.repo else None,
        target_branch=pull.base.ref, labels=[label.name for label in pull.labels],
        description=pull.body, etag=etag)


WRITE_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
_APPROVED = frozenset({"APPROVED"})
_CHANGES = frozenset({"CHANGES_REQUESTED", "REQUEST_CHANGES"})
_OPINIONS = _APPROVED | _CHANGES | {"DISMISSED"}
_NOT_A_REVIEW = frozenset({"PENDING", "REQUEST_REVIEW"})


@dataclass(frozen=True)
class Review:
    """One review, in time order with the others."""

    reviewer: str
    state: str
    counts: bool  # by someone whose review can decide (write access)
    submitted_at: datetime | None = None
    bot: bool = False  # a bot's: it decides if it may, but it is no one's first response


@dataclass(frozen=True)
class ReviewFacts:
    decision: str | None
    first_review_at: datetime | None = None
    changes_requested_at: datetime | None = None
    approved_at: datetime | None = None

    def applied_to(self, snapshot):
        """``snapshot`` with this decision and these review moments."""
        return replace(snapshot, review_decision=self.decision,
                       first_review_at=self.first_review_at,
                       changes_requested_at=self.changes_requested_at,
                       approved_at=self.approved_at)


def latest(moments):
    """The latest of ``moments`` that is known (None when none is)."""
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def facts_from_reviews(reviews, complete=True):
    """ReviewFacts from reviews in time order; decision None when ``complete`` is False."""
    reviews = [r for r in reviews if (r.state or "").upper() not in _NOT_A_REVIEW]
    first = min((r.submitted_at for r in reviews if r.submitted_at and not r.bot), default=None)
    opinion_of = {}  # reviewer -> (state, moment) of their latest opinion
    for review in reviews:
        state = (review.state or "").upper()
        if review.counts and review.reviewer and state in _OPINIONS:
            opinion_of[review.reviewer] = (state, review.submitted_at)
    changes = [moment for state, moment in opinion_of.values() if state in _CHANGES]
    approvals = [moment for state, moment in opinion_of.values() if state in _APPROVED]
    if not complete:
        decision = None
    elif changes:
        decision = "changes_requested"
    elif approvals:
        decision = "approved"
    else:
        decision = "review_required"
    return ReviewFacts(decision=decision, first_review_at=first,
                       changes_requested_at=latest(changes) if changes else None,
                       approved_at=latest(approvals) if decision == "approved" else None)
