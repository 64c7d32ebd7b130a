"""Review decisions that only people with write access can make.

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

from dataclasses import dataclass, replace
from datetime import datetime

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
    first = min((r.submitted_at for r in reviews if r.submitted_at), default=None)
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
