"""One check's outcome written into a registry record: shared by the block and the sweeps."""

import logging

from ..forges import ContributionRef, ForgeError, ForgeUnavailable
from .evaluation import evaluate_row

log = logging.getLogger(__name__)

# The columns a check writes (bulk updates name them).
RESULT_FIELDS = ("snapshot", "state", "title", "etag", "verdict", "checks", "qualified_at",
                 "accepted_at", "error_code", "error_message", "error_count", "last_checked_at",
                 "next_check_at", "forge_id")


def ref_of(row):
    return ContributionRef(kind=row.kind, host=row.host, project=row.project,
                           number=row.number, url=row.url)


def fetch_outcome(forges, row, rules):
    """A FetchResult, or the ForgeError that stood in its way (never raises for a forge)."""
    try:
        return forges.fetch(ref_of(row), etag=row.etag or None,
                            landing=rules.count_landed_by_commit, reviews=rules.count_approved)
    except ForgeError as error:
        return error
    except Exception:  # pylint: disable=broad-except
        # A bug or an unexpected library error must not lose the registration.
        log.exception("unexpected error checking %s", row.url)
        return ForgeUnavailable("Unexpected error while checking.", reason="internal")


def record_outcome(row, outcome, rules, ownership_code, schedule, now, verified_accounts=()):
    """Write a FetchResult or ForgeError into ``row`` (in memory; the caller saves)."""
    row.last_checked_at = now
    if isinstance(outcome, ForgeError):
        row.error_code = outcome.code
        row.error_message = outcome.message[:300]
        row.error_count += 1
        row.next_check_at = schedule.after_error(error=outcome, error_count=row.error_count,
                                                 now=now)
        log.info("check of %s failed: %s (%s)", row.url, outcome.code, outcome.reason)
        return
    if outcome.snapshot is not None:
        row.snapshot = outcome.snapshot.to_dict()
        row.state, row.title = outcome.snapshot.state, outcome.snapshot.title
        row.etag = (outcome.etag or "")[:200]
    evaluate_row(row, rules, ownership_code, now, verified_accounts)
    row.error_code, row.error_message, row.error_count = "", "", 0
    row.next_check_at = schedule.after_check(state=row.state, verdict=row.verdict,
                                             registered_at=row.registered_at, now=now)
