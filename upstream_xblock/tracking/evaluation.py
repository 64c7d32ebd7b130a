"""Applying a block's rules to the stored snapshots of a learner's contributions.

No forge is asked here: a rule changed in Studio takes effect at the next
status call or sweep, from what the registry already holds. An award already
made is never taken back by a re-evaluation (only staff can revoke one).
"""

from dataclasses import replace

from ..forges import Snapshot
from ..policy import ACCEPTED, FAILED, REJECTED, Identity, distinct_repository_check, evaluate
from .credits import learn_forge_id
from .vouched import apply_vouch, is_vouched


def _qualified_since(row, snapshot, rules, identity, now):
    """Since when every check but the waiting period has passed (None: not qualified)."""
    if not evaluate(snapshot, replace(rules, waiting_days=0), identity).accepted:
        return None
    since = row.qualified_at or now
    if rules.count_merged and snapshot.state == "merged" and snapshot.merged_at:
        since = min(since, snapshot.merged_at)
    return since


def evaluate_row(row, rules, ownership_code, now, verified_accounts=()):
    """Re-evaluate one row in place (counted or revoked rows keep their verdict).

    ``verified_accounts``: the learner's verified forge accounts (identity layer).
    """
    if not row.snapshot and not is_vouched(row):
        return
    learn_forge_id(row)
    if row.awarded_at or row.revoked:
        return
    if is_vouched(row):
        apply_vouch(row)
        return
    snapshot = Snapshot.from_dict(row.snapshot)
    identity = Identity(row.forge_username or None, ownership_code, tuple(verified_accounts))
    row.qualified_at = _qualified_since(row, snapshot, rules, identity, now)
    verdict = evaluate(snapshot, rules, identity, now=now, qualified_since=row.qualified_at)
    row.checks = [check.to_dict() for check in verdict.checks]
    row.verdict = verdict.verdict
    row.accepted_at = (row.accepted_at or now) if verdict.accepted else None


def repository_of(row):
    target = (row.snapshot or {}).get("target_repository") or row.project
    return f"{row.host}/{target}".casefold()


def apply_distinct_repositories(rows, rules):
    """Set-level rule: the second accepted contribution to one repository does not count.

    Rows are taken in registration order; counted (awarded) rows keep their
    place. Rows are changed in place.
    """
    if not rules.distinct_repositories:
        return
    counted = set()
    for row in rows:
        if row.verdict != ACCEPTED and not row.awarded_at:
            continue
        check = distinct_repository_check(repository_of(row), counted)
        counted.add(repository_of(row))
        if row.awarded_at:
            continue
        row.checks = [*row.checks, check.to_dict()]
        if check.outcome == FAILED:
            row.verdict, row.accepted_at = REJECTED, None
