"""Background sweeps: check every due contribution, host by host, within time and rate budgets.

A sweep claims due records in chunks (one conditional UPDATE per chunk, after
``SELECT ... FOR UPDATE SKIP LOCKED`` where the database has it), so several
workers never check one record twice for one due time. Each chunk's lease is
taken from the clock when the chunk is claimed. Within a chunk, each host's
records are checked by a ``HostCheck`` under that host's own time budget, hosts
concurrently (bounded), and written back as soon as that host is done, so a
forge that hangs never holds another forge's records. Learners whose
requirement is met are awarded (exactly once) through the platform's
background path.

Hooks for other per-chunk work: ``_load_chunk`` loads what a chunk's records
need besides themselves (the blocks' rules today); ``_after_host`` runs once a
host's records are written (awards today).
"""

import logging
import math
import uuid
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from .. import compat
from ..forges import Deadline, ForgeError, RateLimited, forges_for
from ..identity.api import accounts_of_learners
from ..identity.codes import ownership_code
from ..models import BlockConfig, TrackedContribution
from ..policy import Rules
from . import awards, events
from .block_config import rules_from_dict
from .budget import RateBudget
from .host_check import HostCheck, NotTried, unexpected
from .recording import RESULT_FIELDS, record_not_tried, record_outcome
from .schedule import open_interval_s, per_unit, schedule_for
from .service import BlockContext, ContributionTracker

log = logging.getLogger(__name__)

CHUNK = 500
LEASE = timedelta(minutes=10)  # longer than any sweep budget: a claim never lapses mid-check
HOSTS_IN_PARALLEL = 6
DEFAULT_RULES = Rules()  # for a record whose block never stored its rules


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

    def line(self):
        return ("upstream_xblock sweep: due=%d checked=%d changed=%d accepted=%d "
                "deferred_rate_limit=%d errors=%d awarded=%d not_tried=%d published=%d" % (
                    self.due, self.checked, self.changed, self.accepted, self.deferred,
                    self.errors, self.awarded, self.not_tried, self.published))


@dataclass
class ChunkContext:
    """What a chunk's records need besides themselves, loaded once per chunk."""

    configs: dict = field(default_factory=dict)  # usage key -> (Rules, required count, points)
    identities: dict = field(default_factory=dict)  # learner id -> verified forge accounts

    def _config(self, usage_key):
        return self.configs.get(usage_key, (DEFAULT_RULES, 1, 1.0))

    def rules_of(self, row):
        return self._config(row.usage_key)[0]

    def required_count(self, usage_key):
        return self._config(usage_key)[1]

    def points(self, usage_key):
        return self._config(usage_key)[2]

    def accounts_of(self, learner_id):
        return self.identities.get(learner_id, ())


def claim_due(now, size, lease_until):
    """Claim up to ``size`` due records for this sweep; each record goes to one sweep only."""
    with transaction.atomic():
        due = TrackedContribution.objects.filter(next_check_at__lte=now).order_by("next_check_at")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        return claim_ids(list(due.values_list("pk", flat=True)[:size]), now, lease_until)


def claim_ids(ids, now, lease_until):
    """The records among ``ids`` still due, now claimed by us.

    The UPDATE is conditional on the record still being due, so where two
    sweeps read the same ids (no row locks), only one of them gets each record.
    """
    if not ids:
        return []
    token = uuid.uuid4().hex
    TrackedContribution.objects.filter(pk__in=ids, next_check_at__lte=now).update(
        next_check_at=lease_until, claim_token=token)
    return list(TrackedContribution.objects.filter(claim_token=token, next_check_at=lease_until))


class Sweeper:
    """One worker's sweeps. ``publisher(award)`` hands awards to the platform.

    ``on_progress()`` is called after each host's write-back (a Celery task
    renews its lease there). The time budgets come from ``schedule``.
    """

    def __init__(self, forges, schedule, publisher=None, budget=None, clock=timezone.now,
                 chunk=CHUNK, on_progress=None):
        self.forges = forges
        self.schedule = schedule
        self.publisher = publisher
        self.budget = budget or RateBudget()
        self.clock = clock
        self.chunk = chunk
        self.on_progress = on_progress
        self._stalled_hosts = set()

    def run_once(self, limit=10000):
        """Check what is due (at most ``limit`` records, within the sweep's budget)."""
        stats = SweepStats(due=TrackedContribution.objects.filter(
            next_check_at__lte=self.clock()).count())
        sweep_budget = Deadline(self.schedule.sweep_budget_s)
        self._stalled_hosts = set()
        done = 0
        while done < limit and not sweep_budget.expired:
            now = self.clock()  # each chunk's lease starts when it is claimed
            rows = claim_due(now, min(self.chunk, limit - done), now + LEASE)
            if not rows:
                break
            done += len(rows)
            self._process(rows, stats, sweep_budget)
        self._retry_outbox(stats)
        log.info(stats.line())
        return stats

    def _retry_outbox(self, stats):
        """Hand the platform what it has not taken yet: unpublished awards, pending resets."""
        if self.publisher is None:
            return
        now = self.clock()
        try:
            stats.published = awards.retry_unpublished(self.publisher, now)
            awards.retry_resets(compat.reset_published, now)
        except Exception:
            log.exception("sweep: the awards outbox could not be retried")

    def check_claimed(self, rows):
        """Check records already claimed (by a learner's request handing them to a task).

        A learner asked for these: they may use the rate budget's reserve.
        """
        stats = SweepStats(due=len(rows))
        self._process(rows, stats, Deadline(self.schedule.sweep_host_budget_s), for_learner=True)
        return stats

    # -- one chunk ------------------------------------------------------------------
    def _load_chunk(self, rows):
        # Each block's rules, parsed once per chunk (not once per record and use).
        configs = {c.usage_key: (rules_from_dict(c.rules), c.required_count, c.points)
                   for c in BlockConfig.objects.filter(
                       usage_key__in={row.usage_key for row in rows})}
        # The verified forge accounts of the chunk's learners, in one query.
        identities = accounts_of_learners({row.learner_id for row in rows})
        return ChunkContext(configs=configs, identities=identities)

    def _process(self, rows, stats, sweep_budget, for_learner=False):
        chunk = self._load_chunk(rows)
        by_host = defaultdict(list)
        for row in rows:
            by_host[row.host].append(row)
        host_budget_s = sweep_budget.bound(self.schedule.sweep_host_budget_s)
        checks = {}
        for host, host_rows in by_host.items():
            try:
                check = self._prepare_host(host, host_rows, chunk, stats, host_budget_s,
                                           for_learner)
            except Exception:  # noqa: BLE001
                error = unexpected(f"preparing {host}")
                self._write_back(host, host_rows, {row.pk: error for row in host_rows},
                                 chunk, stats)
                continue
            if check is not None:
                checks[host] = check
        if checks:
            self._run_hosts(checks, chunk, stats, host_budget_s)

    def _prepare_host(self, host, rows, chunk, stats, host_budget_s,
                      for_learner=False):
        """A HostCheck for ``rows``, or None when they were settled without asking."""
        try:
            forge = self.forges.registry.get(host)
        except ForgeError as error:  # a host removed from the configuration
            self._write_back(host, rows, {row.pk: error for row in rows}, chunk, stats)
            return None
        if host in self._stalled_hosts:  # it held a check past its budget earlier this sweep
            self._write_back(host, rows, {row.pk: NotTried("host_stalled") for row in rows},
                             chunk, stats)
            return None
        allowed, deferred = self._within_budget(forge, rows, for_learner)
        if deferred:
            self._write_back(host, list(deferred), {row.pk: NotTried("rate_limited", reset)
                                              for row, reset in deferred.items()}, chunk, stats)
        if not allowed:
            return None
        return HostCheck(self.forges, forge, allowed, chunk.rules_of,
                         deadline=Deadline(host_budget_s))

    def _within_budget(self, forge, rows, for_learner=False):
        """(rows the shared rate budget allows now, {deferred row: the budget's reset time})."""
        allowed, reset_at = self.budget.available(forge, self.clock(),
                                                  reserve=0 if for_learner else None)
        if allowed is None:
            return rows, {}
        # What the allowed units read (pace.per_unit): the pacing and this admission agree.
        capacity = allowed * per_unit(forge)
        return rows[:capacity], {row: reset_at for row in rows[capacity:]}

    def _run_hosts(self, checks, chunk, stats, host_budget_s):
        """Run every host's check concurrently; write each back as soon as it is done.

        A host still running a little after its budget (a request its deadline
        did not end) is given up: its records are written back untried and the
        host is not asked again in this sweep.
        """
        pool = ThreadPoolExecutor(max_workers=min(HOSTS_IN_PARALLEL, len(checks)),
                                  thread_name_prefix="sweep-host")
        futures = {pool.submit(check.run): host for host, check in checks.items()}
        give_up = Deadline(host_budget_s + min(max(host_budget_s * 0.1, 0.2), 5))
        try:
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, timeout=give_up.remaining(),
                                         return_when=FIRST_COMPLETED)
                for future in finished:
                    host = futures[future]
                    self._write_back(host, checks[host].rows, future.result(), chunk, stats)
                if not finished:
                    break
            for future in pending:
                host = futures[future]
                log.warning("sweep: %s did not finish within its budget; its records wait",
                            host)
                self._stalled_hosts.add(host)
                self._write_back(host, checks[host].rows,
                                 {row.pk: NotTried("host_stalled") for row in checks[host].rows},
                                 chunk, stats)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

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
        TrackedContribution.objects.bulk_update(rows, [*RESULT_FIELDS, "claim_token"],
                                                batch_size=CHUNK)
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
        """The host's interval for open contributions under its rate budget (``pace.py``)."""
        if forge is None:
            return None
        open_count = TrackedContribution.objects.filter(
            host=forge.host, state__in=("", "open", "draft"),
            next_check_at__isnull=False).count()
        return open_interval_s(forge, open_count, self.schedule.budget_share_percent,
                               self.budget.known_limit(forge))

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
        learners = {(row.usage_key, row.learner_id): row for row in rows
                    if row.verdict == "accepted" and not row.awarded_at}
        for (usage, learner), row in learners.items():
            try:
                stats.awarded += self._award(usage, learner, row, chunk)
            except Exception:
                log.exception("sweep: could not award %s to learner %s", usage, learner)

    def _award(self, usage, learner, row, chunk):
        now = self.clock()
        context = BlockContext(
            usage_key=usage, learner_id=learner, course_key=row.course_key,
            anonymous_id=row.anonymous_id, required_count=chunk.required_count(usage),
            points=chunk.points(usage), rules=chunk.rules_of(row),
            ownership_code=ownership_code(usage, learner),
            verified_accounts=chunk.accounts_of(learner))
        tracker = ContributionTracker(context, self.forges, self.schedule, self.publisher,
                                      clock=self.clock)
        _, award = tracker.settle()
        return bool(award and award.awarded_at >= now)

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
    return Sweeper(forges_for(bucket), schedule_for(bucket),
                   publisher=compat.publish_award_in_background, on_progress=on_progress)
