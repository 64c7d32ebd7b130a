"""Acceptance policy: a forge snapshot + the block's rules + the learner's identity -> a verdict.

Pure functions: no HTTP, no runtime, no database. Every check has an id, an
outcome (``passed | failed | waiting``) and a reason: an English message id
with ``%(name)s`` parameters, marked for translation here and translated where
it is shown. Only the rules a block enables produce checks.

The verdict is ``rejected`` if any check failed, else ``pending`` if any is
waiting, else ``accepted``: it does not depend on the order of the checks, and
adding a rule can only keep or worsen it.
"""

import re
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from .i18n import gettext_noop, ngettext_noop

_PATTERN_RE = re.compile(r"^[A-Za-z0-9*][A-Za-z0-9_.*:-]*(/[A-Za-z0-9_.*-]+)*$")
ANY_SEGMENTS = "**"


def is_valid_pattern(pattern):
    return isinstance(pattern, str) and len(pattern) <= 300 and bool(_PATTERN_RE.match(pattern))


class MatchSteps:
    """How much work matching did: one step per (segment, live pattern position) and character."""

    def __init__(self):
        self.count = 0


def _parts(pattern):
    """The pattern's segments, with runs of ``**`` folded into one (they mean the same)."""
    parts = []
    for part in pattern.casefold().split("/"):
        if part and not (part == ANY_SEGMENTS and parts and parts[-1] == ANY_SEGMENTS):
            parts.append(part)
    return parts


def _segment_matches(text, glob, steps):
    """``glob`` (literal text and ``*``) against one whole segment, in linear time."""
    steps.count += len(text) + 1
    if "*" not in glob:
        return text == glob
    pieces = glob.split("*")
    head, tail, middle = pieces[0], pieces[-1], pieces[1:-1]
    if len(text) < len(head) + len(tail) or not text.startswith(head) \
            or not text.endswith(tail):
        return False
    position, end = len(head), len(text) - len(tail)
    for piece in middle:
        found = text.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def _with_empty_runs(positions, parts):
    """Add the positions reachable by letting a ``**`` match no segment."""
    return positions | {i + 1 for i in positions if i < len(parts) and parts[i] == ANY_SEGMENTS}


def matches(path, pattern, steps=None):
    steps = steps if steps is not None else MatchSteps()
    segments = [s for s in path.casefold().split("/") if s]
    parts = _parts(pattern)
    live = _with_empty_runs({0}, parts)
    for segment in segments:
        following = set()
        for i in live:
            steps.count += 1
            if i == len(parts):
                continue
            if parts[i] == ANY_SEGMENTS:
                following.add(i)  # the run goes on over this segment
            elif _segment_matches(segment, parts[i], steps):
                following.add(i + 1)
        live = _with_empty_runs(following, parts)
        if not live:
            return False
    return len(parts) in live


def matches_any(path, patterns):
    return any(matches(path, pattern) for pattern in patterns)


PASSED, FAILED, WAITING = "passed", "failed", "waiting"
ACCEPTED, PENDING, REJECTED = "accepted", "pending", "rejected"


@dataclass(frozen=True)
class Check:
    id: str
    outcome: str
    reason: str | tuple  # a message id, or a plural one (i18n.ngettext_noop)
    params: dict = field(default_factory=dict)

    def to_dict(self):
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    verdict: str
    checks: tuple

    @property
    def accepted(self):
        return self.verdict == ACCEPTED


@dataclass(frozen=True)
class Rules:
    """What a block counts as an accepted contribution (defaults: the README's)."""

    count_merged: bool = True
    count_approved: bool = False
    accept_labels: tuple = ()
    count_landed_by_commit: bool = False
    deny_labels: tuple = ("spam", "invalid")
    require_author: bool = True
    # A typed user name alone proves nothing: off, the author must be a verified account.
    trust_typed_usernames: bool = False
    require_ownership_code: bool = False
    opened_after: object = None  # a timezone-aware datetime, or None
    allowed_repositories: tuple = ()
    denied_repositories: tuple = ()
    distinct_repositories: bool = False
    waiting_days: int = 0

    def to_dict(self):
        data = asdict(self)
        data["opened_after"] = self.opened_after.isoformat() if self.opened_after else None
        return data


@dataclass(frozen=True)
class Identity:
    """Who the learner is: the user name they typed, their ownership code, and the forge
    accounts they proved to be theirs (objects with ``host`` and ``is_author_of(snapshot)``,
    see ``identity.accounts.VerifiedAccount``)."""

    forge_username: str | None = None
    ownership_code: str | None = None
    verified_accounts: tuple = ()


def check_accepted_by_forge(snapshot, rules):
    """Did the upstream project accept it, in one of the ways this block counts?"""
    labels = {label.casefold() for label in snapshot.labels}
    if rules.count_merged and snapshot.state == "merged":
        return Check("accepted", PASSED, gettext_noop("It was merged."))
    if rules.count_landed_by_commit and snapshot.state == "closed" and snapshot.landed_commit:
        return Check("accepted", PASSED, gettext_noop(
            "It was closed with its commit %(commit)s landed on the target branch."),
            {"commit": snapshot.landed_commit[:12]})
    if rules.count_approved and snapshot.review_decision == "approved" \
            and snapshot.state != "closed":
        return Check("accepted", PASSED, gettext_noop("A reviewer approved it."))
    accepted_labels = [name for name in rules.accept_labels if name.casefold() in labels]
    if accepted_labels and snapshot.state != "closed":
        return Check("accepted", PASSED, gettext_noop("A maintainer labelled it %(label)s."),
                     {"label": accepted_labels[0]})
    if snapshot.state == "closed":
        return Check("accepted", FAILED, gettext_noop("It was closed without being accepted."))
    if snapshot.state == "merged":  # merged, but this block does not count merges
        return Check("accepted", WAITING, gettext_noop(
            "It was merged, but this activity counts only other signs of acceptance."))
    if rules.count_approved and snapshot.review_decision == "changes_requested":
        return Check("accepted", WAITING, gettext_noop(
            "A reviewer asked for changes: update it and ask for another review."))
    return Check("accepted", WAITING, gettext_noop("Waiting for the maintainers to accept it."))


def check_not_draft(snapshot):
    if snapshot.state == "draft":
        return Check("draft", WAITING, gettext_noop(
            "It is a draft: mark it ready for review when it is done. Drafts never count."))
    return Check("draft", PASSED, gettext_noop("It is not a draft."))


def check_labels(snapshot, rules):
    denied = {name.casefold() for name in rules.deny_labels}
    found = [label for label in snapshot.labels if label.casefold() in denied]
    if found:
        return Check("labels", FAILED,
                     gettext_noop("It is labelled %(label)s, which disqualifies it."),
                     {"label": found[0]})
    return Check("labels", PASSED, gettext_noop("No disqualifying label."))


def check_author(snapshot, identity, rules):
    """Is the learner the author? A verified account proves it; a typed name only if trusted.

    The comparison with a verified account uses the forge's stable account id
    where the snapshot has one (a renamed account stays the same person).
    """
    if any(account.is_author_of(snapshot) for account in identity.verified_accounts):
        return Check("author", PASSED, gettext_noop(
            "You are its author: %(author)s is your verified account on %(host)s."),
            {"author": snapshot.author, "host": snapshot.host})
    typed = identity.forge_username
    typed_is_author = bool(typed and snapshot.author
                           and typed.casefold() == snapshot.author.casefold())
    trusted = rules.trust_typed_usernames
    if typed and not typed_is_author:
        return Check("author", FAILED, gettext_noop("Its author is %(author)s, not %(username)s."),
                     {"author": snapshot.author, "username": typed})
    if trusted and typed_is_author:
        return Check("author", PASSED, gettext_noop("You are its author."))
    if trusted:
        return Check("author", WAITING, gettext_noop(
            "Tell us your user name on %(host)s so that we can check that you are the author."),
            {"host": snapshot.host})
    return Check("author", WAITING, gettext_noop(
        "Its author is %(author)s on %(host)s. If this account is yours, verify it under "
        "\"Your forge accounts\" and it will count."),
        {"author": snapshot.author, "host": snapshot.host})


def check_ownership_code(snapshot, identity):
    code = identity.ownership_code or ""
    if code and code.casefold() in (snapshot.description or "").casefold():
        return Check("ownership", PASSED, gettext_noop("Your code is in its description."))
    return Check("ownership", WAITING, gettext_noop(
        "Add your code %(code)s to its description so that we know it is yours."), {"code": code})


def check_opened_after(snapshot, rules):
    if snapshot.created_at is None:
        return Check("opened_after", WAITING, gettext_noop("Its opening date is not known yet."))
    if snapshot.created_at >= rules.opened_after:
        return Check("opened_after", PASSED, gettext_noop("It was opened after %(date)s."),
                     {"date": rules.opened_after.date().isoformat()})
    return Check("opened_after", FAILED, gettext_noop(
        "It was opened on %(opened)s, before the course started (%(date)s)."),
        {"opened": snapshot.created_at.date().isoformat(),
         "date": rules.opened_after.date().isoformat()})


def check_repository(snapshot, rules):
    target = f"{snapshot.host}/{snapshot.target_repository or snapshot.project}"
    if matches_any(target, rules.denied_repositories):
        return Check("repository", FAILED, gettext_noop(
            "Contributions to %(repository)s do not count in this activity."),
            {"repository": target})
    if rules.allowed_repositories and not matches_any(target, rules.allowed_repositories):
        return Check("repository", FAILED, gettext_noop(
            "This activity counts contributions to %(allowed)s only."),
            {"allowed": ", ".join(rules.allowed_repositories)})
    return Check("repository", PASSED, gettext_noop("Its repository is accepted here."))


def check_waiting_period(rules, qualified_since, now):
    counts_on = qualified_since + timedelta(days=rules.waiting_days)
    if now >= counts_on:
        return Check("waiting_period", PASSED, ngettext_noop(
            "It stayed accepted for %(days)s day.", "It stayed accepted for %(days)s days.",
            "days"), {"days": rules.waiting_days})
    return Check("waiting_period", WAITING, ngettext_noop(
        "It counts once it has stayed accepted for %(days)s day, on %(date)s.",
        "It counts once it has stayed accepted for %(days)s days, on %(date)s.", "days"),
        {"days": rules.waiting_days, "date": counts_on.date().isoformat()})


def combine(checks):
    """Any failure rejects, any wait keeps it pending, else accepted."""
    outcomes = {check.outcome for check in checks}
    if FAILED in outcomes:
        return REJECTED
    if WAITING in outcomes:
        return PENDING
    return ACCEPTED


def evaluate(snapshot, rules, identity, now=None, qualified_since=None):
    """Verdict for one snapshot under ``rules`` for the learner ``identity``.

    ``qualified_since``: when every other check first passed (the registry
    remembers it), for the waiting period; ``now`` is needed with it.
    """
    checks = [check_accepted_by_forge(snapshot, rules), check_not_draft(snapshot)]
    if rules.deny_labels:
        checks.append(check_labels(snapshot, rules))
    if rules.require_author:
        checks.append(check_author(snapshot, identity, rules))
    if rules.require_ownership_code:
        checks.append(check_ownership_code(snapshot, identity))
    if rules.opened_after is not None:
        checks.append(check_opened_after(snapshot, rules))
    if rules.allowed_repositories or rules.denied_repositories:
        checks.append(check_repository(snapshot, rules))
    if rules.waiting_days and combine(checks) == ACCEPTED:
        checks.append(check_waiting_period(rules, qualified_since or now, now))
    return Verdict(combine(checks), tuple(checks))


def distinct_repository_check(repository, already_counted):
    """Set-level rule: a second contribution to a repository that already counts."""
    if repository in already_counted:
        return Check("distinct_repository", FAILED, gettext_noop(
            "Another of your contributions to %(repository)s already counts; this activity "
            "wants contributions to different repositories."), {"repository": repository})
    return Check("distinct_repository", PASSED, gettext_noop(
        "It is your only counted contribution to this repository."))
