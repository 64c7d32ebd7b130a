"""Which records a sweep checks, and a sweep's pass over one host, in rounds.

``due`` is the one place that decides which records a sweep reads (due now);
everything else here decides how many of a host's due records this sweep may
read and in which groups:

- the whole due set of a host is read together, not per claimed chunk: its
  records are grouped by project and cut into rounds of at most
  ``ROUND_REQUESTS`` requests of the host's batch read (``forges/plans.py``), so
  a project's records share a request wherever the forge's batch read allows;
- a pass reads as much as the host's rate budget allows (the longest due-order
  prefix whose read costs no more than what is left); the rest is deferred to
  the budget's reset. There is no fixed cap: the sweep's time budget ends the
  rounds, and what the budgets left is said in the sweep's log line (``caps``).

Nothing here runs a forge request. The sweep claims each round when it starts it
(``claim_ids``) and loads what its records need (``load_round``).
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction

from ..forges import Deadline, ForgeError
from ..forges.plans import ReadPlan, most_within
from ..identity.api import accounts_of_learners
from ..models import BlockConfig, TrackedContribution
from ..policy import Rules
from .block_config import rules_from_dict
from .host_check import HostCheck

# A round is at most this many requests of the host's batch read: one host budget
# (a minute by default) holds them even on a forge that takes two seconds a request.
ROUND_REQUESTS = 25
DEFAULT_RULES = Rules()  # for a record whose block never stored its rules


def due(now):
    """The records a sweep checks at ``now``: due, in the order they became due."""
    return TrackedContribution.objects.filter(next_check_at__lte=now).order_by("next_check_at")


def due_by_host(now, limit=None):
    """{host: [(record id, project)]} of what is due, each host's in due order (one query).

    ``limit``: only the first that many, across hosts (an operator's ``--limit``).
    """
    rows = due(now).values_list("pk", "host", "project")
    if limit:
        rows = rows[:limit]
    by_host = {}
    for pk, host, project in rows:
        by_host.setdefault(host, []).append((pk, project))
    return by_host


@dataclass
class HostPass:
    """One host's part of a sweep: what the budgets let it read, and what it read."""

    host: str
    forge: object  # the ForgeHost, or None when the host is no longer configured
    records: list  # [(record id, project)], in due order
    error: ForgeError | None = None  # why the host cannot be read at all
    rounds: list = field(default_factory=list)  # [[record id]] still to claim and read
    deferred: list = field(default_factory=list)  # record ids beyond the rate budget
    reset_at: datetime | None = None
    read: int = 0
    limited_by: str = ""  # what stopped it short of its due records, for the log line
    # Carried from round to round: what every record not yet asked gets (a rate limit, a
    # forge that kept failing), and the unavailable answers in a row so far.
    halted: object = None
    failures_in_a_row: int = 0

    def admit(self, budget, now, for_learner=False):
        """Keep what the host's shared rate budget allows now; defer the rest to its reset."""
        if self.forge is None:
            return
        allowed, reset_at = budget.available(self.forge, now,
                                             reserve=0 if for_learner else None)
        if allowed is None:
            return
        fits = most_within(self.forge, [project for _, project in self.records], allowed)
        if fits < len(self.records):
            self.deferred = [pk for pk, _ in self.records[fits:]]
            self.records, self.reset_at = self.records[:fits], reset_at
            self.limited_by = "rate_budget"

    def plan_rounds(self, most=None):
        """Cut the admitted records into rounds: whole projects, ROUND_REQUESTS requests at
        most (and ``most`` records, if given), the projects with most records first."""
        if self.forge is None:
            self.rounds = [[pk for pk, _ in self.records]] if self.records else []
            return
        by_project = {}
        for pk, project in self.records:
            by_project.setdefault(project, []).append(pk)
        rounds, current, plan = [], [], ReadPlan(self.forge)
        for project in sorted(by_project, key=lambda p: -len(by_project[p])):
            for pk in by_project[project]:
                plan.add(project)
                if current and (plan.requests > ROUND_REQUESTS or
                                (most and len(current) >= most)):
                    rounds.append(current)
                    current, plan = [], ReadPlan(self.forge).add(project)
                current.append(pk)
        self.rounds = [*rounds, current] if current else rounds

    def next_round(self):
        return self.rounds.pop(0) if self.rounds else None

    def stop(self, reason):
        """No more rounds this sweep (``reason`` for the log line)."""
        if self.rounds:
            self.limited_by = self.limited_by or reason
        self.rounds = []

    @property
    def due_count(self):
        return len(self.records) + len(self.deferred)

    def summary(self):
        """``host:read/due`` and, when it read less, what stopped it."""
        text = f"{self.host}:{self.read}/{self.due_count}"
        return f"{text}:{self.limited_by}" if self.read < self.due_count and self.limited_by \
            else text


@dataclass
class ChunkContext:
    """What a round's records need besides themselves, loaded once per round."""

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


def claim_ids(ids, now, lease_until):
    """The records among ``ids`` still due, now claimed by us.

    The UPDATE is conditional on the record still being due, so where two
    sweeps read the same ids (no row locks), only one of them gets each record;
    where the database has ``SKIP LOCKED``, rows another sweep is claiming are
    skipped rather than waited for.
    """
    if not ids:
        return []
    token = uuid.uuid4().hex
    with transaction.atomic():
        still_due = TrackedContribution.objects.filter(pk__in=ids, next_check_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            ids = list(still_due.select_for_update(skip_locked=True).values_list("pk", flat=True))
            still_due = TrackedContribution.objects.filter(pk__in=ids, next_check_at__lte=now)
        still_due.update(next_check_at=lease_until, claim_token=token)
    return list(TrackedContribution.objects.filter(claim_token=token, next_check_at=lease_until))


@dataclass
class Round:
    """One round of a host's pass, running: its records, check and give-up time."""

    host_pass: HostPass
    rows: list
    chunk: ChunkContext
    check: HostCheck
    give_up: Deadline


def load_round(rows):
    """What a round's records need besides themselves: each block's rules, parsed once
    (not once per record and use), and the learners' verified forge accounts (one query)."""
    configs = {c.usage_key: (rules_from_dict(c.rules), c.required_count, c.points)
               for c in BlockConfig.objects.filter(usage_key__in={row.usage_key for row in rows})}
    return ChunkContext(configs=configs,
                        identities=accounts_of_learners({row.learner_id for row in rows}))
