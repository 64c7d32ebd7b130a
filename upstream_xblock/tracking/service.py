"""Registry operations for one learner in one block: register, refresh, status, withdraw, award."""

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..errors import UpstreamError
from ..forges import Deadline, ForgeError, NotFound, RateLimited
from ..i18n import gettext_noop as _
from ..models import TrackedContribution
from ..policy import Rules
from . import background, events
from .awards import award_if_earned
from .changes import watched
from .credits import alias_of, same_contribution
from .recording import (
    RESULT_FIELDS,
    fetch_outcome,
    record_outcome,
    retrying_deadlocks,
    settle_many,
)
from .schedule import RateBudget, Schedule

MAX_CONTRIBUTIONS_PER_BLOCK = 10
MAX_REFRESHES_PER_REQUEST = 5
CLAIM_LEASE = timedelta(seconds=60)
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class TrackingError(UpstreamError):
    """A request the registry (or the block on its behalf) refuses."""

    @classmethod
    def from_forge(cls, error, status=400):
        """A forge error as the handlers' error (its code, message and ``reason``)."""
        return cls(error.code, error.template, status=status, params=error.params,
                   reason=error.reason)


def _already_registered():
    return TrackingError("already_registered", _("You have already registered this contribution."))


@dataclass(frozen=True)
class BlockContext:
    """Who and where: one learner in one block, with the block's rules."""

    usage_key: str
    learner_id: str
    course_key: str = ""
    anonymous_id: str = ""
    required_count: int = 1
    accepted_hosts: tuple = ()
    rules: Rules = field(default_factory=Rules)
    ownership_code: str = ""
    points: float = 1.0  # the block's weight: what an award is worth
    verified_accounts: tuple = ()  # the learner's verified forge accounts (identity layer)


class ContributionTracker:
    """The tracking layer as the block (or a worker) sees it for one learner.

    A learner's request never waits on a forge beyond a short deadline: where
    Celery runs, the checks it needs are handed to a task (``hand_off``);
    elsewhere they run inline, all within one short deadline (the settings
    bucket's ``deadlines.request_s``).
    """

    def __init__(self, context, forges, schedule=None, publisher=None, clock=timezone.now,
                 hand_off=background.hand_off, budget=None):
        self.context = context
        self.forges = forges
        self.schedule = schedule or Schedule()
        self.publisher = publisher
        self.clock = clock
        self.hand_off = hand_off
        self.budget = budget or RateBudget(max_wait_s=self.schedule.max_wait_s)

    # -- queries -----------------------------------------------------------
    def rows(self):
        return list(TrackedContribution.objects.filter(
            usage_key=self.context.usage_key, learner_id=self.context.learner_id,
        ).order_by("registered_at", "pk"))

    # -- commands ----------------------------------------------------------
    def register(self, url, forge_username="", before_forge=None):
        """Store the contribution and have it checked; a forge failure is kept, not raised.

        ``before_forge()`` runs once the address passed every check made here, just before
        the forge is asked (the learner's throttle counts only requests that cost a forge
        request: a typo refused here costs nothing).

        Checked inline, a contribution the forge says does not exist is refused
        (``not_found``) and nothing is stored; handed to a task, the record
        shows the error and is given up after a few answers like it.

        Returns (the new record, all the learner's records, the award or None).
        """
        try:
            ref = self.forges.parse(url)
        except ForgeError as error:
            raise TrackingError.from_forge(error) from None
        hosts = self.context.accepted_hosts
        if hosts and ref.host not in hosts:
            raise TrackingError("host_not_accepted",
                                _("This activity accepts contributions on %(hosts)s only."),
                                params={"hosts": ", ".join(hosts)}, hosts=list(hosts))
        forge_username = (forge_username or "").strip()
        if forge_username and not USERNAME_RE.match(forge_username):
            raise TrackingError("invalid_username", _("This is not a valid user name on a forge."))
        rows = self.rows()
        if alias_of(ref, rows) is not None or any(r.url == ref.url for r in rows):
            raise _already_registered()
        if len(rows) >= MAX_CONTRIBUTIONS_PER_BLOCK:
            raise TrackingError("too_many", _("You have registered as many contributions as this "
                                "activity allows. Withdraw one to add another."))
        if before_forge is not None:
            before_forge()
        now = self.clock()
        def create(_attempt):
            with transaction.atomic():
                return TrackedContribution.objects.create(
                    usage_key=self.context.usage_key, course_key=self.context.course_key,
                    learner_id=self.context.learner_id, anonymous_id=self.context.anonymous_id,
                    url=ref.url, kind=ref.kind, host=ref.host, project=ref.project,
                    number=ref.number, forge_username=forge_username,
                    registered_at=now, next_check_at=now)
        try:
            # The insert also updates the staff pages' aggregates (staff.changes): concurrent
            # first registrations can deadlock there on MySQL; the victim inserts again.
            row = retrying_deadlocks(create, "registration")
        except IntegrityError:
            raise _already_registered() from None
        outcome = self._check([row]).get(row.pk)
        if isinstance(outcome, NotFound):
            row.delete()
            raise TrackingError("not_found", _("The forge says this contribution does not exist "
                                "or is private."), status=404, reason=outcome.reason)
        if any(same_contribution(row, other) for other in rows):
            row.delete()  # another address of one the learner registered: one record each
            raise _already_registered()
        events.about(row, events.REGISTERED)
        rows, award = self.settle()
        return row, rows, award

    def withdraw(self, url):
        try:
            canonical = self.forges.parse(url).url
        except ForgeError as error:
            raise TrackingError.from_forge(error) from None
        row = next((r for r in self.rows() if r.url == canonical), None)
        if row is None:
            raise TrackingError("not_registered", _("This contribution is not registered here."),
                                status=404)
        if row.vouched_by:  # vouched for, or a mentor's proposal
            raise TrackingError("vouched", _("A mentor accepted this contribution; ask course "
                                "staff to withdraw it."), status=409)
        if row.awarded_at:
            raise TrackingError("already_counted", _("This contribution already counted for your "
                                "grade; it cannot be withdrawn."), status=409)
        row.delete()
        events.about(row, events.WITHDRAWN)

    def status(self):
        """Refresh what is due (a bounded number), apply the rules, award if earned.

        Returns (rows, award).
        """
        now = self.clock()
        rows = self.rows()
        self._check([r for r in rows if r.next_check_at and r.next_check_at <= now])
        return self.settle(rows)

    def check_now(self):
        """Refresh every unsettled contribution not checked in the last few seconds."""
        now = self.clock()
        rows = self.rows()
        unsettled = [r for r in rows if r.next_check_at is not None]
        minimum = timedelta(seconds=self.schedule.manual_min_interval_s)
        ready = [r for r in unsettled
                 if not r.last_checked_at or now - r.last_checked_at >= minimum]
        if unsettled and not ready:
            wait = min(minimum - (now - r.last_checked_at) for r in unsettled)
            raise TrackingError("too_soon", _("Checked a moment ago. Try again in a little while."),
                                status=429, retry_in_s=max(int(wait.total_seconds()) + 1, 1))
        self._check(ready)
        return self.settle(rows)

    def settle(self, rows=None):
        """Apply the current rules to every stored snapshot (no forge call), then award.

        A rule changed in Studio takes effect here; a contribution that stops
        being accepted and had stopped being checked is scheduled again.
        Returns (rows, award). A deadlock's victim settles again from the stored
        rows: the failed attempt changed ``rows`` in memory, not in the database.
        """
        return retrying_deadlocks(
            lambda attempt: self._settle(rows if attempt == 1 and rows is not None
                                         else self.rows()), "settle")

    def _settle(self, rows):
        settle_many([(self.context, rows)], self.schedule, self.clock())
        return rows, self.award(rows)

    def award(self, rows=None):
        return award_if_earned(self.context, rows if rows is not None else self.rows(),
                               self.publisher, self.clock())

    # -- one refresh ---------------------------------------------------------
    def _claim(self, row, now):
        """Compare-and-set on next_check_at: only one request checks a row per due time."""
        lease = now + CLAIM_LEASE
        claimed = TrackedContribution.objects.filter(
            pk=row.pk, next_check_at=row.next_check_at).update(next_check_at=lease)
        if not claimed:
            row.refresh_from_db()
            return False
        row.next_check_at = lease
        return True

    def _check(self, rows):
        """Have ``rows`` checked: by a task where Celery runs, else here, within the deadline.

        Returns {record id: outcome} of the checks made here (none when handed off).
        """
        rows = [r for r in rows if r.next_check_at is not None and not r.claim_token]
        if not rows or self.hand_off(rows, self.clock()) is not None:
            return {}
        deadline = self._request_deadline()
        outcomes = {}
        for row in rows[:MAX_REFRESHES_PER_REQUEST]:
            if deadline.expired:
                break  # the rest stay due: the next request or sweep checks them
            outcome = self._refresh(row, deadline)
            if outcome is not None:
                outcomes[row.pk] = outcome
        return outcomes

    def refresh(self, row):
        """Ask the forge about ``row`` once (inline), apply the rules, schedule the next check."""
        return self._refresh(row, self._request_deadline()) is not None

    def _request_deadline(self):
        return Deadline(self.forges.deadlines.request_s)

    def _refresh(self, row, deadline):
        now = self.clock()
        if row.next_check_at is None or row.claim_token or not self._claim(row, now):
            return None  # settled, held by a sweep or task, or taken by a concurrent request
        outcome = self._fetch_within_budget(row, deadline, now)
        before = events.state_of(row)
        record_outcome(row, outcome, self.context.rules, self.context.ownership_code,
                       self.schedule, now, self.context.verified_accounts)
        row.save(update_fields=RESULT_FIELDS)
        events.checked(before, row)
        return outcome

    def _fetch_within_budget(self, row, deadline, now):
        """The forge's answer, unless the site's shared rate budget is known to be spent."""
        forge = next((f for f in self.forges.registry if f.host == row.host), None)
        if forge is not None:
            # A learner's own request may use the reserve sweeps leave alone.
            allowed, reset_at = self.budget.available(forge, now, reserve=0)
            if allowed == 0 and reset_at is not None:
                return RateLimited("The forge's rate limit is exhausted.", reset_at=reset_at,
                                   reason="budget_spent")
        outcome = fetch_outcome(self.forges, row, self.context.rules, deadline=deadline)
        if forge is not None:
            self.budget.note(forge, outcome, now)
        return outcome

    def next_poll_in_s(self, rows):
        """When the page should ask again: 0 when nothing is left to check.

        A record a sweep holds (its due time is the sweep's lease) is being
        checked now: the page asks again soon.
        """
        now = self.clock()
        pending = [now if r.claim_token else r.next_check_at for r in rows if r.next_check_at]
        if not pending:
            return 0
        seconds = (min(pending) - now).total_seconds()
        if any(r.next_check_at and watched(self.forges, r.host) for r in rows):
            seconds = min(seconds, self.schedule.page_poll_watched_s)  # a signal may come first
        return int(min(max(seconds, self.schedule.page_poll_min_s), self.schedule.page_poll_max_s))


def has_records(usage_key, learner_id, url=None):
    """True if ``learner_id`` registered something (the contribution ``url``, if given)
    in the block ``usage_key``: mentors and staff act only on such learners."""
    rows = TrackedContribution.objects.filter(usage_key=usage_key, learner_id=learner_id)
    return (rows.filter(url=url) if url else rows).exists()


def wake_settled(learner_id, now):
    """The learner's verified accounts changed: their merged contributions that waited only for
    that (settled, see ``Schedule.after_check``) are due again, so that sweeps re-evaluate
    them in every block (one query)."""
    return TrackedContribution.objects.filter(
        learner_id=learner_id, state="merged", next_check_at__isnull=True,
        verdict__in=("pending", ""), revoked=False, awarded_at__isnull=True,
    ).update(next_check_at=now)


def anonymous_id_of(usage_key, learner_id):
    """The learner's anonymous id in the course, as their records keep it ('' if none)."""
    return TrackedContribution.objects.filter(
        usage_key=usage_key, learner_id=learner_id).exclude(anonymous_id="").values_list(
        "anonymous_id", flat=True).first() or ""

