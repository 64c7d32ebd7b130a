"""One host's part of a sweep: its records checked under its own time budget.

A sweep runs one ``HostCheck`` per host concurrently, so a forge that hangs,
trickles or keeps failing only ever holds its own records. Inside one host:

- GitHub with a token, GitLab, Gerrit and Gitea/Forgejo are read through
  their clients' batch reads (``fetch_many``: GraphQL pages, ``iids[]`` lists
  or GraphQL, ``change:A OR change:B`` queries, each repository's listing of
  recently updated pull requests down to the records' last reads); GitHub
  without a token, one (conditional) request each, one at a time (PyGithub's
  connection is not shared across threads);
- after the first ``rate_limited`` answer no other request is started: the
  host's remaining records wait for the forge's reset;
- after ``BREAKER_FAILURES`` unavailable answers in a row the rest are not
  asked this sweep (each waits its error back-off);
- once the host's budget is spent no request is started; the records not
  reached are left as they were and come back after a short wait.

Nothing here touches the database: the sweep writes the outcomes back.
Anything unexpected (a library bug, a wrongly shaped batch answer) becomes an
error for the records concerned, never an exception out of the sweep.
"""

import logging
import threading
from dataclasses import dataclass, replace
from datetime import datetime

from ..forges import Deadline, FetchResult, ForgeError, ForgeUnavailable, RateLimited
from .recording import fetch_outcome, ref_of

log = logging.getLogger(__name__)

BREAKER_FAILURES = 8


@dataclass(frozen=True)
class NotTried:
    """A record the sweep did not ask the forge about (budget spent, rate limit, stalled host).

    Its snapshot and error stay as they were; it is due again at ``retry_at``
    (None: after the error back-off's first step).
    """

    reason: str
    retry_at: datetime | None = None


def unexpected(what):
    log.exception("unexpected error in a sweep while %s", what)
    return ForgeUnavailable("Unexpected error while checking.", reason="internal")


class HostCheck:
    """Fetch outcomes for one host's records (``run()``: {record pk: outcome})."""

    def __init__(self, forges, forge, rows, rules_of, deadline=None, failures_in_a_row=0):
        self.forges, self.forge, self.rows = forges, forge, rows
        self.rules_of = rules_of
        self.deadline = deadline  # the host's Deadline (None: each check's own default)
        self._lock = threading.Lock()
        self._stop = None  # the NotTried every record not yet started gets
        self._failures_in_a_row = failures_in_a_row  # (carried over from the host's last round)

    @property
    def halted(self):
        """What the host's records not yet asked get (a rate limit, a failing forge), or None;
        and the unavailable answers in a row: for the host's next round."""
        with self._lock:
            carried = self._stop
            if isinstance(carried, NotTried) and carried.reason != "rate_limited":
                carried = None  # out of this round's time: the next round has its own
            return carried, self._failures_in_a_row

    @property
    def batched(self):
        return self.forge.kind != "github" or bool(self.forge.token)

    def run(self):
        try:
            if self.batched:
                return self._run_batched()
            return self._run_rest()
        except Exception:  # noqa: BLE001
            error = unexpected(f"checking {self.forge.host}")
            return {row.pk: error for row in self.rows}

    # -- stopping ------------------------------------------------------------------
    def _out_of_time(self):
        return self.deadline is not None and self.deadline.expired

    def _next_stop(self):
        """The NotTried for a record about to be started, or None to go ahead."""
        with self._lock:
            if self._stop is None and self._out_of_time():
                self._stop = NotTried("host_budget")
            return self._stop

    def _note(self, outcome):
        with self._lock:
            if isinstance(outcome, RateLimited) and self._stop is None:
                self._stop = NotTried("rate_limited", retry_at=outcome.reset_at)
            unavailable = isinstance(outcome, ForgeUnavailable)
            self._failures_in_a_row = self._failures_in_a_row + 1 if unavailable else 0
            if self._failures_in_a_row >= BREAKER_FAILURES and self._stop is None:
                self._stop = ForgeUnavailable(
                    "Not tried: the forge kept failing in this sweep.", reason="host_failing")

    def _check_deadline(self):
        """One check's deadline: the sweep's per-check budget, within what the host has left."""
        seconds = self.forges.deadlines.sweep_check_s
        return Deadline(seconds if self.deadline is None else self.deadline.bound(seconds))

    # -- REST ----------------------------------------------------------------------
    def _fetch_one(self, row):
        stop = self._next_stop()
        if stop is not None:
            return row.pk, stop
        outcome = fetch_outcome(self.forges, row, self.rules_of(row),
                                deadline=self._check_deadline())
        self._note(outcome)
        return row.pk, outcome

    def _run_rest(self):
        return dict(self._fetch_one(row) for row in self.rows)

    # -- batch reads ---------------------------------------------------------------
    def _run_batched(self):
        stop = self._next_stop()
        if stop is not None:
            return {row.pk: stop for row in self.rows}
        client = self.forges.client(self.forge.host)
        refs = [ref_of(row) for row in self.rows]
        hints = {}
        if self.forge.kind == "gitea":
            # Its listing stops at what was last read well (a snapshot, and no error since:
            # a failed check's time says nothing of what the forge showed), and what it
            # misses is read by number, conditionally.
            hints["since"] = {ref_of(row): row.last_checked_at for row in self.rows
                              if row.snapshot and row.last_checked_at and not row.error_count}
            hints["etags"] = {ref_of(row): row.etag for row in self.rows if row.etag}
        try:
            by_ref = client.fetch_many(refs, deadline=self.deadline, **hints)
        except ForgeError as error:  # the whole batch refused (rate limit, auth, outage)
            return {row.pk: error for row in self.rows}
        if not isinstance(by_ref, dict):
            raise TypeError(f"fetch_many answered a {type(by_ref).__name__}")
        for outcome in by_ref.values():
            if isinstance(outcome, RateLimited):
                self._note(outcome)  # no follow-up request after a rate limit
                break
        return {row.pk: self._batched_outcome(row, by_ref.get(ref_of(row))) for row in self.rows}

    def _batched_outcome(self, row, outcome):
        if outcome is None:
            return ForgeUnavailable("The forge's answer left this contribution out.",
                                    reason="bad_response")
        if not isinstance(outcome, (FetchResult, ForgeError)):
            return ForgeUnavailable("The forge sent an answer that could not be read.",
                                    reason="bad_response")
        if isinstance(outcome, FetchResult) and outcome.snapshot is not None \
                and self._needs_more(outcome.snapshot, self.rules_of(row)):
            stop = self._next_stop()
            if stop is not None:
                return stop
            if self.forge.kind in ("gitlab", "gitea"):
                return self._with_approvals(row, outcome)
            return fetch_outcome(self.forges, row, self.rules_of(row),
                                 deadline=self._check_deadline())
        return outcome

    def _with_approvals(self, row, outcome):
        client = self.forges.client(self.forge.host)
        try:
            with self._check_deadline().active():
                snapshot = client.with_review_decision(ref_of(row), outcome.snapshot)
        except ForgeError as error:
            self._note(error)
            return error
        return replace(outcome, snapshot=snapshot)

    def _needs_more(self, snapshot, rules):
        """What a batch read leaves out and the rules need: one more request, where it does.

        GitHub's GraphQL carries reviews but not the commit that closed a closed pull
        request; GitLab's batch reads carry no approvals, nor Gitea's listing its
        reviews (Gerrit's labels carry them).
        """
        if self.forge.kind == "github":
            return rules.count_landed_by_commit and snapshot.state == "closed"
        if self.forge.kind in ("gitlab", "gitea"):
            return rules.count_approved and snapshot.state in ("open", "draft")
        return False

