"""Background sweeps: check every due contribution, in batches, within rate limits.

A sweep claims due records in chunks (one conditional UPDATE per chunk, after
``SELECT ... FOR UPDATE SKIP LOCKED`` where the database has it), so several
workers never check one record twice for one due time. GitHub hosts with a
token are read through GraphQL, 100 pull requests a request; without one,
each record is a conditional request on its stored ETag. Other forges are read
over REST with bounded concurrency. Results are written with bulk updates;
learners whose requirement is met are awarded (exactly once) through the
platform's background path.
"""

import logging
import math
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from .. import platform
from ..forges import ForgeError, ForgeUnavailable, RateLimited
from ..identity.api import accounts_of_learners
from ..models import BlockConfig, TrackedContribution
from ..ownership import ownership_code
from ..policy import Rules
from . import outbox
from .block_config import rules_from_dict
from .budget import RateBudget
from .recording import RESULT_FIELDS, fetch_outcome, record_outcome, ref_of
from .service import BlockContext, ContributionTracker

log = logging.getLogger(__name__)

CHUNK = 500
LEASE = timedelta(minutes=10)
REST_CONCURRENCY = 4
BREAKER_FAILURES = 8
GRAPHQL_PAGE = 100
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
    published: int = 0  # retried from the awards outbox

    def line(self):
        return ("upstream_xblock sweep: due=%d checked=%d changed=%d accepted=%d "
                "deferred_rate_limit=%d errors=%d awarded=%d" % (
                    self.due, self.checked, self.changed, self.accepted, self.deferred,
                    self.errors, self.awarded))


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
    """One worker's sweeps. ``publisher(award)`` hands awards to the platform."""

    def __init__(self, forges, schedule, publisher=None, budget=None, clock=timezone.now,
                 chunk=CHUNK):
        self.forges = forges
        self.schedule = schedule
        self.publisher = publisher
        self.budget = budget or RateBudget()
        self.clock = clock
        self.chunk = chunk
        self._identities = {}  # learner id -> verified forge accounts, for the current chunk

    def run_once(self, limit=10000):
        """Check what is due now (at most ``limit`` records); one log line of counts."""
        now = self.clock()
        stats = SweepStats(due=TrackedContribution.objects.filter(next_check_at__lte=now).count())
        done = 0
        while done < limit:
            rows = claim_due(now, min(self.chunk, limit - done), now + LEASE)
            if not rows:
                break
            done += len(rows)
            self._process(rows, now, stats)
        if self.publisher is not None:  # the awards outbox: what the platform has not taken yet
            stats.published = outbox.retry_unpublished(self.publisher, now)
            outbox.retry_resets(platform.reset_published, now)
            if stats.published:
                log.info("upstream_xblock outbox: published=%d", stats.published)
        log.info(stats.line())
        return stats

    # -- one chunk ------------------------------------------------------------------
    def _process(self, rows, now, stats):
        # Each block's rules, parsed once per chunk (not once per record and use).
        configs = {c.usage_key: (rules_from_dict(c.rules), c.required_count, c.points)
                   for c in BlockConfig.objects.filter(
                       usage_key__in={row.usage_key for row in rows})}
        # The verified forge accounts of the chunk's learners, in one query.
        self._identities = accounts_of_learners({row.learner_id for row in rows})
        by_host = defaultdict(list)
        for row in rows:
            by_host[row.host].append(row)
        for host, host_rows in by_host.items():
            self._check_host(host, host_rows, configs, now, stats)
        for row in rows:
            row.claim_token = ""
        TrackedContribution.objects.bulk_update(rows, [*RESULT_FIELDS, "claim_token"],
                                                batch_size=CHUNK)
        self._award(rows, configs, now, stats)

    @staticmethod
    def _rules(row, configs):
        return configs.get(row.usage_key, (DEFAULT_RULES, 1))[0]

    def _check_host(self, host, rows, configs, now, stats):
        try:
            forge = self.forges.registry.get(host)
        except ForgeError as error:  # a host removed from the configuration
            for row in rows:
                record_outcome(row, error, self._rules(row, configs), "", self.schedule, now)
            stats.errors += len(rows)
            return
        client = self.forges.client(host)
        batched = forge.kind == "github" and forge.token
        rows = self._within_budget(forge, rows, batched, now, stats)
        if batched:
            outcomes = self._fetch_graphql(client, rows, configs)
        else:
            outcomes = self._fetch_rest(forge, rows, configs)
        for row in rows:
            self._record(forge, row, outcomes[row.pk], configs, now, stats)

    def _within_budget(self, forge, rows, batched, now, stats):
        """The rows the budget allows now; the others are deferred to the reset."""
        allowed, reset_at = self.budget.available(forge, now)
        if allowed is None:
            return rows
        capacity = allowed * GRAPHQL_PAGE if batched else allowed
        if capacity >= len(rows):
            return rows
        for row in rows[capacity:]:
            row.next_check_at = reset_at + timedelta(seconds=1)
        stats.deferred += len(rows) - capacity
        return rows[:capacity]

    def _fetch_graphql(self, client, rows, configs):
        by_ref = client.graphql.fetch_many([ref_of(row) for row in rows])
        outcomes = {}
        for row in rows:
            outcome = by_ref[ref_of(row)]
            rules = self._rules(row, configs)
            # GraphQL carries reviews; the closing commit of a closed one needs REST.
            if not isinstance(outcome, ForgeError) and rules.count_landed_by_commit \
                    and outcome.snapshot.state == "closed":
                outcome = fetch_outcome(self.forges, row, rules)
            outcomes[row.pk] = outcome
        return outcomes

    def _fetch_rest(self, forge, rows, configs):
        """Outcomes by record, in small rounds; a host that keeps failing is left alone.

        After ``BREAKER_FAILURES`` unavailable answers in a row, the remaining
        records are not requested this sweep (each waits its error back-off):
        a forge that is down must not hold a worker for timeouts × records.
        """
        def fetch(row):
            return row.pk, fetch_outcome(self.forges, row, self._rules(row, configs))

        # PyGithub's connection is not shared across threads: GitHub goes one at a time.
        width = 1 if forge.kind == "github" else REST_CONCURRENCY
        outcomes, failures_in_a_row = {}, 0
        with ThreadPoolExecutor(max_workers=width) as pool:
            for start in range(0, len(rows), width):
                if failures_in_a_row >= BREAKER_FAILURES:
                    skipped = ForgeUnavailable("Not tried: the forge kept failing in this sweep.",
                                               reason="host_failing")
                    outcomes.update({row.pk: skipped for row in rows[start:]})
                    break
                for pk, outcome in pool.map(fetch, rows[start:start + width]):
                    outcomes[pk] = outcome
                    unavailable = isinstance(outcome, ForgeUnavailable)
                    failures_in_a_row = failures_in_a_row + 1 if unavailable else 0
        return outcomes

    def _record(self, forge, row, outcome, configs, now, stats):
        before = (row.state, row.verdict)
        code = ownership_code(row.usage_key, row.learner_id)
        record_outcome(row, outcome, self._rules(row, configs), code, self.schedule, now,
                       self._identities.get(row.learner_id, ()))
        if isinstance(outcome, RateLimited):
            self.budget.exhausted(forge, outcome.reset_at, now)
            stats.deferred += 1
            return
        if isinstance(outcome, ForgeError):
            stats.errors += 1
            return
        self.budget.record(forge, outcome.rate_limit, now)
        stats.checked += 1
        stats.changed += (row.state, row.verdict) != before
        stats.accepted += row.verdict == "accepted" and before[1] != "accepted"

    # -- awards -------------------------------------------------------------------------
    def _award(self, rows, configs, now, stats):
        learners = {(row.usage_key, row.learner_id): row for row in rows
                    if row.verdict == "accepted" and not row.awarded_at}
        for (usage, learner), row in learners.items():
            rules, required_count, points = configs.get(usage, (DEFAULT_RULES, 1, 1.0))
            context = BlockContext(
                usage_key=usage, learner_id=learner, course_key=row.course_key,
                anonymous_id=row.anonymous_id, required_count=required_count, points=points,
                rules=rules, ownership_code=ownership_code(usage, learner),
                verified_accounts=self._identities.get(learner, ()))
            tracker = ContributionTracker(context, self.forges, self.schedule, self.publisher,
                                          clock=self.clock)
            _, award = tracker.settle()
            stats.awarded += bool(award and award.awarded_at >= now)

    def seconds_until_next_due(self, cap=60):
        """For loops and self-rescheduling tasks: when there is something to do again."""
        upcoming = TrackedContribution.objects.filter(next_check_at__isnull=False).order_by(
            "next_check_at").values_list("next_check_at", flat=True).first()
        if upcoming is None:
            return cap
        return max(0, min(cap, math.ceil((upcoming - self.clock()).total_seconds())))
