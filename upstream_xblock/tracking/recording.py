"""One check's outcome written into a registry record: shared by the block and the sweeps."""

import logging

from ..forges import ContributionRef, ForgeError, ForgeUnavailable, NotFound
from .evaluation import evaluate_row
from .pace import likely_changed

log = logging.getLogger(__name__)

# The columns a check writes (bulk updates name them).
RESULT_FIELDS = ("snapshot", "state", "title", "etag", "verdict", "checks", "qualified_at",
                 "accepted_at", "error_code", "error_message", "error_count", "last_checked_at",
                 "next_check_at", "forge_id")
# A contribution the forge has never shown us is given up after this many "not found"
# answers in a row (a typo, a private repository): it stays listed with the error, unchecked.
NOT_FOUND_ATTEMPTS = 3


def ref_of(row):
    return ContributionRef(kind=row.kind, host=row.host, project=row.project,
                           number=row.number, url=row.url)


def fetch_outcome(forges, row, rules, deadline=None):
    """A FetchResult, or the ForgeError that stood in its way (never raises for a forge).

    ``deadline``: the forges Deadline the check must end within (None: the
    forge layer's default for a learner's request).
    """
    try:
        return forges.fetch(ref_of(row), etag=row.etag or None,
                            landing=rules.count_landed_by_commit, reviews=rules.count_approved,
                            deadline=deadline)
    except ForgeError as error:
        return error
    except Exception:  # pylint: disable=broad-except
        # A bug or an unexpected library error must not lose the registration.
        log.exception("unexpected error checking %s", row.url)
        return ForgeUnavailable("Unexpected error while checking.", reason="internal")


def record_outcome(row, outcome, rules, ownership_code, schedule, now, verified_accounts=(),
                   pace_s=None):
    """Write a FetchResult or ForgeError into ``row`` (in memory; the caller saves).

    ``pace_s``: the host's interval for open contributions (a sweep's, by its budget).
    """
    row.last_checked_at = now
    if isinstance(outcome, ForgeError):
        row.error_code = outcome.code
        row.error_message = outcome.message[:300]
        row.error_count += 1
        row.next_check_at = schedule.after_error(error=outcome, error_count=row.error_count,
                                                 now=now)
        if isinstance(outcome, NotFound) and not row.snapshot \
                and row.error_count >= NOT_FOUND_ATTEMPTS:
            row.next_check_at = None  # never seen on the forge: stop asking
        log.info("check of %s failed: %s (%s)", row.url, outcome.code, outcome.reason)
        return
    if outcome.snapshot is not None:
        row.snapshot = outcome.snapshot.to_dict()
        row.state, row.title = outcome.snapshot.state, outcome.snapshot.title
        row.etag = (outcome.etag or "")[:200]
    evaluate_row(row, rules, ownership_code, now, verified_accounts)
    row.error_code, row.error_message, row.error_count = "", "", 0
    row.next_check_at = schedule.after_check(state=row.state, verdict=row.verdict,
                                             registered_at=row.registered_at, now=now,
                                             pace_s=pace_s,
                                             likely=likely_changed(row.snapshot, now))


def record_not_tried(row, not_tried, schedule, now):
    """A record the sweep did not ask about: only its due time changes (snapshot, error kept)."""
    row.next_check_at = schedule.after_error(error=None, error_count=1, now=now,
                                             reset_at=not_tried.retry_at)
