"""Writing what a check found: into a record, through the block's rules, past deadlocks.

- one check's outcome written into a registry record (shared by the block and the sweeps),
  and many records' values written at once (``write_rows``);
- applying a block's rules to the stored snapshots of a learner's contributions;
- retrying work that MySQL/MariaDB chose as a deadlock's victim.
"""

import logging
from dataclasses import replace

from django.db import OperationalError, connection, transaction

from ..forges import ContributionRef, ForgeError, ForgeUnavailable, NotFound, Snapshot
from ..i18n import gettext_noop as _
from ..models import TrackedContribution
from ..policy import (
    ACCEPTED,
    FAILED,
    PASSED,
    PENDING,
    REJECTED,
    WAITING,
    Check,
    Identity,
    distinct_repository_check,
    evaluate,
)
from . import events
from .credits import apply_credits, learn_forge_id
from .schedule import likely_changed

# -- a record a mentor vouched for: accepted, with the mentor's reason ------------
CHECK_ID = "mentor"
ACCEPTED_BY_MENTOR = _("Accepted by a mentor: %(reason)s")
WITHDRAWN = _("Course staff withdrew a mentor's acceptance: %(reason)s")
# A site's openedx-filters pipeline step held a contribution the rules accept (events.py).
HELD_BY_SITE = _("Held by a rule of this site: %(reason)s")
PROPOSED_BY_MENTOR = _("A mentor proposed to accept it (%(reason)s); it counts once course "
                       "staff confirm it.")


def is_vouched(row):
    """Vouched for, and not withdrawn."""
    return bool(row.vouched_at) and not row.vouch_withdrawn_at


def is_proposed(row):
    """A mentor's vouch waiting for course staff (``mentor_vouches_need_staff``): the mentor
    is recorded, the vouch's time only once staff confirm it."""
    return bool(row.vouched_by) and not row.vouched_at and not row.vouch_withdrawn_at


def proposal_check(row):
    return Check(CHECK_ID, WAITING, PROPOSED_BY_MENTOR, {"reason": row.vouch_reason}).to_dict()


def mentor_check(row):
    return Check(CHECK_ID, PASSED, ACCEPTED_BY_MENTOR, {"reason": row.vouch_reason}).to_dict()


def apply_vouch(row):
    """Set ``row``'s verdict from the mentor's word (in place)."""
    row.checks = [mentor_check(row)]
    row.verdict = ACCEPTED
    row.qualified_at = row.qualified_at or row.vouched_at
    row.accepted_at = row.accepted_at or row.vouched_at


log = logging.getLogger(__name__)

MYSQL_DEADLOCK = 1213
ATTEMPTS = 3


# MariaDB reports an INSERT caught in a lost race for the auto-increment lock (concurrent
# first inserts, an aggregate's INSERT ... SELECT among them) as this, not as a deadlock:
# the same remedy, done again.
MARIADB_AUTO_INCREMENT_RACE = 1467


def is_deadlock(error):
    return bool(error.args) and error.args[0] in (MYSQL_DEADLOCK, MARIADB_AUTO_INCREMENT_RACE)


def retrying_deadlocks(attempt_work, name="work"):
    """``attempt_work(attempt)``, attempt 1, then again (up to ATTEMPTS) after a deadlock."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return attempt_work(attempt)
        except OperationalError as error:
            if not is_deadlock(error) or connection.in_atomic_block or attempt == ATTEMPTS:
                raise
            log.info("deadlock in %s, attempt %d: done again", name, attempt)
    return None  # not reached


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
        if is_proposed(row) and not row.revoked:  # nothing a forge said: the proposal waits
            row.checks, row.verdict = [proposal_check(row)], ""
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
    accepted = verdict.accepted
    if accepted and row.verdict != ACCEPTED:  # newly accepted: the site's filter may hold it
        held = events.acceptance_hold(row, row.checks)
        if held is not None:
            row.checks.append(Check("site", WAITING, HELD_BY_SITE, {"reason": held}).to_dict())
            accepted = False
    row.verdict = verdict.verdict if accepted or not verdict.accepted else PENDING
    row.accepted_at = (row.accepted_at or now) if accepted else None
    if is_proposed(row) and not verdict.accepted:  # shown to staff and learner alike
        row.checks = [*row.checks, proposal_check(row)]


def evaluation_of(row):
    """What applying the rules writes (compared before and after, to write only changes)."""
    return row.verdict, row.checks, row.qualified_at, row.accepted_at, row.forge_id


EVALUATION_FIELDS = ("verdict", "checks", "qualified_at", "accepted_at", "forge_id")


def settle_many(groups, schedule, now):
    """Apply each learner's block rules to their stored snapshots (no forge call), in bulk.

    ``groups``: [(context, the learner's rows in the block)]. A rule changed in
    Studio takes effect here; a contribution that stops being accepted and had
    stopped being checked is scheduled again. Only what changed is written (one
    bulk update, and one for the rows scheduled again: a concurrent claim of the
    others keeps its lease).
    """
    before = {row.pk: evaluation_of(row) for _, rows in groups for row in rows}
    for context, rows in groups:
        for row in rows:
            evaluate_row(row, context.rules, context.ownership_code, now,
                         context.verified_accounts)
        apply_distinct_repositories(rows, context.rules)
    apply_credits(groups, now)
    changed = [row for _, rows in groups for row in rows if evaluation_of(row) != before[row.pk]]
    again = [row for row in changed if row.next_check_at is None and schedule.after_check(
        state=row.state, verdict=row.verdict, registered_at=row.registered_at, now=now)]
    if changed:
        write_rows(changed, EVALUATION_FIELDS)
        for row in changed:
            events.checked((row.state or "", before[row.pk][0]), row)
    if again:
        TrackedContribution.objects.filter(pk__in=[row.pk for row in again]).update(
            next_check_at=now)
        for row in again:
            row.next_check_at = now


WRITE_BATCH = 100


def write_rows(rows, fields):
    """Write ``fields`` of ``rows``, each its own values: one UPDATE per WRITE_BATCH rows.

    What Django's ``bulk_update`` writes (``SET f = CASE id WHEN … THEN … END``), with
    the values adapted by each field as ``save()`` adapts them, built without its
    per-value expressions: a sweep's round of thousands of records is written in a
    second, not in a minute.
    """
    meta = TrackedContribution._meta  # noqa: SLF001  (Django's documented Model _meta API)
    model_fields = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    pk = quote(meta.pk.column)
    with transaction.atomic(savepoint=False):
        for start in range(0, len(rows), WRITE_BATCH):
            batch = rows[start:start + WRITE_BATCH]
            cases = " ".join(["WHEN %s THEN %s"] * len(batch))
            sets, params = [], []
            for field in model_fields:
                sets.append(f"{quote(field.column)} = CASE {pk} {cases} END")
                for row in batch:
                    params += [row.pk, field.get_db_prep_save(getattr(row, field.attname),
                                                              connection)]
            params += [row.pk for row in batch]
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} "
                               f"WHERE {pk} IN ({', '.join(['%s'] * len(batch))})", params)


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
    except Exception:
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
                                             likely=likely_changed(row.snapshot, now),
                                             checks=row.checks)


def record_not_tried(row, not_tried, schedule, now):
    """A record the sweep did not ask about: only its due time changes (snapshot, error kept)."""
    row.next_check_at = schedule.after_error(error=None, error_count=1, now=now,
                                             reset_at=not_tried.retry_at)
