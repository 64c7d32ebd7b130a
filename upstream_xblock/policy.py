"""Acceptance policy: a forge snapshot + the block's rules + the learner's identity -> a verdict.

Pure functions, no HTTP and no runtime. Every check has an id, an outcome
(``passed | failed | waiting``) and a reason: an English message id with
``%(name)s`` parameters, marked for translation here and translated by the
block with the runtime's i18n service.
"""

from dataclasses import asdict, dataclass, field


def gettext_noop(message):
    """Mark a message for extraction; it is translated where it is shown."""
    return message


PASSED, FAILED, WAITING = "passed", "failed", "waiting"
ACCEPTED, PENDING, REJECTED = "accepted", "pending", "rejected"


@dataclass(frozen=True)
class Check:
    id: str
    outcome: str
    reason: str
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
    """What a block counts as an accepted contribution."""

    count_merged: bool = True
    require_author: bool = True


@dataclass(frozen=True)
class Identity:
    """Who the learner is on the forge (None: not given yet)."""

    forge_username: str | None = None


def check_state(snapshot, rules):
    if snapshot.state == "draft":
        return Check("state", WAITING, gettext_noop(
            "It is a draft: mark it ready for review when it is done."))
    if snapshot.state == "merged" and rules.count_merged:
        return Check("state", PASSED, gettext_noop("It was merged."))
    if snapshot.state == "closed":
        return Check("state", FAILED, gettext_noop("It was closed without being merged."))
    return Check("state", WAITING, gettext_noop("Waiting for the maintainers to accept it."))


def check_author(snapshot, identity):
    if not identity.forge_username:
        return Check("author", WAITING, gettext_noop(
            "Tell us your user name on %(host)s so that we can check that you are the author."),
            {"host": snapshot.host})
    if identity.forge_username.casefold() == snapshot.author.casefold():
        return Check("author", PASSED, gettext_noop("You are its author."))
    return Check("author", FAILED, gettext_noop(
        "Its author is %(author)s, not %(username)s."),
        {"author": snapshot.author, "username": identity.forge_username})


def combine(checks):
    """The verdict of a list of checks: any failure rejects, any wait keeps it pending."""
    outcomes = {check.outcome for check in checks}
    if FAILED in outcomes:
        return REJECTED
    if WAITING in outcomes:
        return PENDING
    return ACCEPTED


def evaluate(snapshot, rules, identity):
    """Verdict for one snapshot under ``rules`` for the learner ``identity``."""
    checks = [check_state(snapshot, rules)]
    if rules.require_author:
        checks.append(check_author(snapshot, identity))
    return Verdict(combine(checks), tuple(checks))
