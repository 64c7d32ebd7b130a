"""Background sweeps: check every due contribution, host by host, within time and rate budgets.

A sweep reads the due set (``passes.due``) once, then runs one pass per host,
every host at once (a thread each, however many hosts are slow): a host's due
records are read together in rounds of its batch read's sizes, as many as its
rate budget allows (``passes.HostPass``). Each round is claimed when it starts
(a conditional UPDATE, after ``SELECT ... FOR UPDATE SKIP LOCKED`` where the
database has it), so several workers never check one record twice for one due
time; it is read by a ``HostCheck`` under the host's own time budget and written
back as soon as it is done, so a forge that hangs never holds another forge's
records. Learners whose requirement is met are awarded (exactly once), in
batches, through the platform's background path.

Hooks for other per-round work: ``_load_chunk`` loads what a round's records
need besides themselves (the blocks' rules today); ``_after_host`` runs once a
round's records are written (awards today). Before the due set is read,
``signals`` (``changes.ChangeSignals``) makes due what notifications and change
feeds found, and puts what they watch off to the fallback's pace.
"""

import logging
import math
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from .. import compat
from ..forges import Deadline, ForgeError, RateLimited, forges_for
from ..forges.plans import read_plan
from ..identity.api import ownership_code
from ..models import TrackedContribution
from . import awards, events
from .changes import ChangeSignals
from .host_check import HostCheck, NotTried, unexpected
from .passes import HostPass, Round, claim_ids, due_by_host, load_round
from .recording import (
    RESULT_FIELDS,
    record_not_tried,
    record_outcome,
    retrying_deadlocks,
    settle_many,
    write_rows,
)
from .schedule import RateBudget, open_interval_s, schedule_for
from .service import BlockContext

log = logging.getLogger(__name__)

CHUNK = 500  # records written back (and awarded) in one batch
LEASE = timedelta(minutes=10)  # longer than any sweep budget: a claim never lapses mid-check


@dataclass
class SweepStats:
    due: int = 0
    checked: int = 0
    changed: int = 0
    accepted: int = 0
    deferred: int = 0
    errors: int = 0
    awarded: int = 0
    not_tried: int = 0
    published: int = 0  # retried from the awards outbox
    caps: list = field(default_factory=list)  # each host's "host:read/due[:what stopped it]"

    def line(self):
        text = ("upstream_xblock sweep: due=%d checked=%d changed=%d accepted=%d "
                "deferred_rate_limit=%d errors=%d awarded=%d not_tried=%d published=%d" % (
                    self.due, self.checked, self.changed, self.accepted, self.deferred,
                    self.errors, self.awarded, self.not_tried, self.published))
        return f"{text} caps={','.join(self.caps)}" if self.caps else text


class Sweeper:
    """One worker's sweeps. ``publisher(award)`` hands an award to the platform;
    ``publish_many(awards)`` (optional) hands several at once.

    ``on_progress()`` is called after each round's write-back (a Celery task
    renews its lease there). The time budgets come from ``schedule``; ``chunk``
    bounds the records a round claims (default: what its batch read holds).
    """

    def __init__(self, forges, schedule, publisher=None, budget=None, clock=timezone.now,
                 chunk=None, on_progress=None, publish_many=None, signals=None):
        self.forges = forges
        self.signals = signals  # ChangeSignals: notifications and change feeds (changes.py)
        self.schedule = schedule
        self.publisher = publisher
        self.publish_many = publish_many
        self.budget = budget or RateBudget()
        self.clock = clock
        self.chunk = chunk
        self.on_progress = on_progress
        self._paces = {}  # host -> its pace, counted once a sweep

    def run_once(self, limit=None):
        """Check what is due within the sweep's time budget and each host's rate budget.

        ``limit``: read at most that many records (an operator's cap; none by default).
        """
        if self.signals is not None:  # what notifications and change feeds made due comes first
            self.signals.before_sweep()
        now = self.clock()
        by_host = due_by_host(now, limit)
        stats = SweepStats(due=sum(len(records) for records in by_host.values()))
        self._paces = {}
        passes = [self._host_pass(host, records) for host, records in by_host.items()]
        for host_pass in passes:
            host_pass.admit(self.budget, now)
            self._defer(host_pass, now, stats)
            host_pass.plan_rounds(self.chunk)
        self._run(passes, stats, Deadline(self.schedule.sweep_budget_s))
        stats.caps = [host_pass.summary() for host_pass in passes]
        self._retry_outbox(stats)
        log.info(stats.line())
        return stats

    def _host_pass(self, host, records):
        try:
            return HostPass(host, self.forges.registry.get(host), records)
        except ForgeError as error:  # a host removed from the configuration
            return HostPass(host, None, records, error=error)

    def _defer(self, host_pass, now, stats):
        """Records beyond the rate budget: due again just after its reset (not claimed)."""
        if not host_pass.deferred:
            return
        until = self.schedule.after_error(error=None, error_count=1, now=now,
                                          reset_at=host_pass.reset_at)
        for start in range(0, len(host_pass.deferred), CHUNK):
            stats.deferred += TrackedContribution.objects.filter(
                pk__in=host_pass.deferred[start:start + CHUNK], next_check_at__lte=now,
            ).update(next_check_at=until)

    def _retry_outbox(self, stats):
        """Hand the platform what it has not taken yet: unpublished awards, pending resets."""
        if self.publisher is None:
            return
        now = self.clock()
        try:
            stats.published = awards.retry_unpublished(
                self.publisher, now, publish_many=self.publish_many,
                deadline=Deadline(max(self.schedule.sweep_host_budget_s, 1)))
            awards.retry_resets(compat.reset_published, now)
        except Exception:
            log.exception("sweep: the awards outbox could not be retried")

    def check_claimed(self, rows):
        """Check records already claimed (by a learner's request handing them to a task).

        A learner asked for these: they may use the rate budget's reserve.
        """
        stats = SweepStats(due=len(rows))
        self._paces = {}
        by_host = {}
        for row in rows:
            by_host.setdefault(row.host, []).append(row)
        passes, claimed, now = [], {}, self.clock()
        for host, host_rows in by_host.items():
            host_pass = self._host_pass(host, [(row.pk, row.project) for row in host_rows])
            host_pass.admit(self.budget, now, for_learner=True)
            deferred = set(host_pass.deferred)
            if deferred:  # claimed already: written back as waiting for the budget's reset
                waiting = [row for row in host_rows if row.pk in deferred]
                self._write_back(host, waiting, {row.pk: NotTried(
                    "rate_limited", host_pass.reset_at) for row in waiting},
                    self._load_chunk(waiting), stats)
            host_pass.rounds = [[row.pk for row in host_rows if row.pk not in deferred]]
            passes.append(host_pass)
            claimed[host] = [row for row in host_rows if row.pk not in deferred]
        self._run(passes, stats, Deadline(self.schedule.sweep_host_budget_s), claimed=claimed)
        return stats

    # -- the passes, every host at once -------------------------------------------
    def _run(self, passes, stats, sweep_budget, claimed=None):
        """Run every host's rounds, each host in a thread of its own; write each round back
        as soon as it is done. A round still running a little after its host budget (a
        request its deadline did not end) is given up: its records are written back
        untried and the host is not asked again in this sweep.
        """
        pool = ThreadPoolExecutor(max_workers=max(1, len(passes)), thread_name_prefix="sweep")
        running = {}
        try:
            for host_pass in passes:
                self._start(host_pass, pool, running, stats, sweep_budget, claimed)
            while running:
                timeout = max(0, min(r.give_up.remaining() for r in running.values()))
                finished, _ = wait(running, timeout=timeout, return_when=FIRST_COMPLETED)
                for future in finished:
                    current = running.pop(future)
                    host_pass = current.host_pass
                    host_pass.halted, host_pass.failures_in_a_row = current.check.halted
                    # The host's next round reads while this one is written back.
                    self._start(host_pass, pool, running, stats, sweep_budget, claimed)
                    self._write_back(host_pass.host, current.rows, future.result(),
                                     current.chunk, stats)
                for future, current in list(running.items()):
                    if current.give_up.expired and not future.done():
                        running.pop(future)
                        self._give_up(current, stats)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _start(self, host_pass, pool, running, stats, sweep_budget, claimed):
        """Claim and start the host's next round, if the sweep's time budget allows one."""
        while True:
            if sweep_budget.expired:
                host_pass.stop("sweep_budget")
                return
            ids = host_pass.next_round()
            if ids is None:
                return
            now = self.clock()
            rows = claimed.pop(host_pass.host, []) if claimed is not None else \
                claim_ids(ids, now, now + LEASE)
            if not rows:
                continue  # another sweep took them
            host_pass.read += len(rows)
            chunk = self._load_chunk(rows)
            settled = host_pass.error or host_pass.halted  # nothing to ask the forge
            if settled is not None:
                self._write_back(host_pass.host, rows, {r.pk: settled for r in rows}, chunk, stats)
                continue
            host_budget_s = sweep_budget.bound(self.schedule.sweep_host_budget_s)
            check = HostCheck(self.forges, host_pass.forge, rows, chunk.rules_of,
                              deadline=Deadline(host_budget_s),
                              failures_in_a_row=host_pass.failures_in_a_row)
            give_up = Deadline(host_budget_s + min(max(host_budget_s * 0.1, 0.2), 5))
            running[pool.submit(check.run)] = Round(host_pass, rows, chunk, check, give_up)
            return

    def _give_up(self, current, stats):
        host = current.host_pass.host
        log.warning("sweep: %s did not finish within its budget; its records wait", host)
        current.host_pass.read -= len(current.rows)  # claimed, but not read
        current.host_pass.limited_by = "stalled"
        current.host_pass.stop("stalled")
        self._write_back(host, current.rows,
                         {row.pk: NotTried("host_stalled") for row in current.rows},
                         current.chunk, stats)

    # -- one round's context ------------------------------------------------------
    def _load_chunk(self, rows):
        return load_round(rows)

    # -- writing back ---------------------------------------------------------------
    def _write_back(self, host, rows, outcomes, chunk, stats):
        """Record each outcome, release the claims, then award (``_after_host``).

        A record that has just settled as accepted is written due again one
        lease later, and settled only once the awards are done: a worker that
        dies in between leaves it to be checked (and awarded) again, never
        settled without its award.
        """
        now = self.clock()
        forge = next((f for f in self.forges.registry if f.host == host), None)
        # The pace (a count over the host's open records) only schedules an answered check:
        # a host that was deferred, stalled or failed is not counted for nothing.
        answered = any(not isinstance(o, (NotTried, ForgeError)) for o in outcomes.values())
        pace_s = self._pace(forge) if answered else None
        befores = {row.pk: events.state_of(row) for row in rows}
        for row in rows:
            outcome = outcomes.get(row.pk) or unexpected(f"reading the outcome of {row.url}")
            try:
                self._record(forge, row, outcome, chunk, now, stats, pace_s)
            except Exception:  # noqa: BLE001
                self._record(forge, row, unexpected(f"recording {row.url}"), chunk, now, stats,
                             pace_s)
            row.claim_token = ""
        settling = [row for row in rows if row.next_check_at is None and not row.awarded_at]
        for row in settling:
            row.next_check_at = now + LEASE
        write_rows(rows, [*RESULT_FIELDS, "claim_token"])
        events.checked_all(befores, rows)
        self._after_host(rows, chunk, stats)
        if settling:
            TrackedContribution.objects.filter(
                pk__in=[row.pk for row in settling], next_check_at=now + LEASE,
                claim_token="").update(next_check_at=None)
            for row in settling:
                row.next_check_at = None
        if self.on_progress is not None:
            self.on_progress()

    def _pace(self, forge):
        """The host's interval for open contributions under its rate budget: what reading
        all of them once costs (``forges/plans.py``), counted once a sweep."""
        if forge is None:
            return None
        if forge.host not in self._paces:
            open_records = TrackedContribution.objects.filter(
                host=forge.host, state__in=("", "open", "draft"), next_check_at__isnull=False)
            if forge.kind in ("gitlab", "gitea"):  # their reads group by project
                counts = dict(open_records.values_list("project").annotate(n=Count("pk")))
            else:
                counts = {"": open_records.count()}
            self._paces[forge.host] = open_interval_s(
                forge, read_plan(forge, counts).units, self.schedule.budget_share_percent,
                self.budget.known_limit(forge))
        return self._paces[forge.host]

    def _record(self, forge, row, outcome, chunk, now, stats, pace_s=None):
        if isinstance(outcome, NotTried):
            record_not_tried(row, outcome, self.schedule, now)
            if outcome.reason == "rate_limited":
                stats.deferred += 1
            else:
                stats.not_tried += 1
            return
        before = (row.state, row.verdict)
        code = ownership_code(row.usage_key, row.learner_id)
        record_outcome(row, outcome, chunk.rules_of(row), code, self.schedule, now,
                       chunk.accounts_of(row.learner_id), pace_s=pace_s)
        if forge is not None:
            self.budget.note(forge, outcome, now)
        if isinstance(outcome, RateLimited):
            stats.deferred += 1
            return
        if isinstance(outcome, ForgeError):
            stats.errors += 1
            return
        stats.checked += 1
        stats.changed += (row.state, row.verdict) != before
        stats.accepted += row.verdict == "accepted" and before[1] != "accepted"

    # -- awards -------------------------------------------------------------------------
    def _after_host(self, rows, chunk, stats):
        """Settle and award, in one batch, the learners of ``rows`` who may have earned their
        block; publish the new awards together."""
        learners = {(row.usage_key, row.learner_id): row for row in rows
                    if row.verdict == "accepted" and not row.awarded_at}
        if not learners:
            return
        now = self.clock()
        contexts = {(usage, learner): BlockContext(
            usage_key=usage, learner_id=learner, course_key=row.course_key,
            anonymous_id=row.anonymous_id, required_count=chunk.required_count(usage),
            points=chunk.points(usage), rules=chunk.rules_of(row),
            ownership_code=ownership_code(usage, learner),
            verified_accounts=chunk.accounts_of(learner)) for (usage, learner), row in
            learners.items()}
        try:
            made = retrying_deadlocks(lambda _attempt: self._award(contexts, now), "awards")
            stats.awarded += len(made)
            if made and self.publisher is not None:
                awards.publish_all(made, self.publisher, now, self.publish_many)
        except Exception:
            log.exception("sweep: could not award %d learners", len(contexts))

    def _award(self, contexts, now):
        """The awards made now for ``contexts`` (their records read again, settled first)."""
        records = {}
        for row in TrackedContribution.objects.filter(
                usage_key__in={usage for usage, _ in contexts},
                learner_id__in={learner for _, learner in contexts}).order_by(
                "registered_at", "pk"):
            if (row.usage_key, row.learner_id) in contexts:
                records.setdefault((row.usage_key, row.learner_id), []).append(row)
        groups = [(context, records.get(key, [])) for key, context in contexts.items()]
        settle_many(groups, self.schedule, now)
        return awards.award_many(groups, now)[1]

    def seconds_until_next_due(self, cap=60):
        """For loops and self-rescheduling tasks: when there is something to do again."""
        upcoming = TrackedContribution.objects.filter(next_check_at__isnull=False).order_by(
            "next_check_at").values_list("next_check_at", flat=True).first()
        if upcoming is None:
            return cap
        return max(0, min(cap, math.ceil((upcoming - self.clock()).total_seconds())))


def site_sweeper(on_progress=None):
    """The sweeper of the site's settings (shared by the Celery tasks and the
    ``upstream_xblock_poll`` command, which runs where celery is not installed)."""
    bucket = compat.global_settings_bucket()
    forges = forges_for(bucket)
    return Sweeper(forges, schedule_for(bucket),
                   publisher=compat.publish_award_in_background,
                   publish_many=compat.publish_awards_in_background, on_progress=on_progress,
                   signals=ChangeSignals.from_settings(bucket, forges))
