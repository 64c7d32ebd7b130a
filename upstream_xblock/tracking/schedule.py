"""When to check a contribution next, how often an open one is checked, and the rate budget
that decides it.

The host's rate budget decides the pace of open contributions; settled ones
are checked seldom or never.

The rate-limit budget per forge host and token, shared by every worker through Django's
cache.

The forge's own headers say how many requests are left and when the window
resets; each sweep records them and asks before spending. When the budget is
low, work is deferred to after the reset instead of failing. A reset is
believed up to the configured maximum wait (``polling.max_wait_s``): a host
parked by a reset in year 9999 is tried again when that cap passes, and the
first good answer ends the parking.
"""

import hashlib
import math
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone

from django.core.cache import cache as default_cache

from .. import compat
from ..forges import FetchResult, RateLimited

# Hourly budgets when the forge has not said its own (documented where they are):
# GitHub 5,000 points with a token (60 requests without); gitlab.com 500 requests a minute
# per address; the others publish none, one request a second is assumed.
GITHUB_TOKEN_HOURLY, GITHUB_ANONYMOUS_HOURLY = 5000, 60
GITLAB_COM_HOURLY = 30_000
ASSUMED_HOURLY = 3600
RECENT_ACTIVITY = timedelta(days=1)
DEFAULT_MAX_WAIT_S = 3600
LONGEST_S = 365 * 86400  # no setting waits longer than a year: date arithmetic never overflows
ACTIVITY_FIELDS = ("created_at", "first_review_at", "changes_requested_at", "approved_at")


def hourly_budget(forge, known_limit=None):
    """The forge's budget an hour: what it said (``known_limit``), else the defaults above."""
    if known_limit:
        return known_limit
    if forge.kind == "github":
        return GITHUB_TOKEN_HOURLY if forge.token else GITHUB_ANONYMOUS_HOURLY
    if forge.host == "gitlab.com":
        return GITLAB_COM_HOURLY
    return ASSUMED_HOURLY


def open_interval_s(forge, read_units, share_percent, known_limit=None):
    """Seconds between two checks of each open contribution on ``forge``, when reading all
    of them once costs ``read_units`` of its rate budget (``forges.plans.read_plan``)."""
    units_an_hour = hourly_budget(forge, known_limit) * share_percent / 100
    return 3600 * max(read_units, 1) / max(units_an_hour, 1e-9)


def likely_changed(snapshot, now):
    """Approved and waiting for a merge, or active on the forge in the last day."""
    if not isinstance(snapshot, dict):
        return False
    if snapshot.get("review_decision") == "approved":
        return True
    for key in ACTIVITY_FIELDS:
        value = snapshot.get(key)
        if isinstance(value, str):
            try:
                if now - datetime.fromisoformat(value) <= RECENT_ACTIVITY:
                    return True
            except (ValueError, TypeError):
                continue
    return False


@dataclass(frozen=True)
class Schedule:
    open_min_s: int = 300           # first day: every 5 minutes
    open_max_s: int = 6 * 3600      # old open contributions: every 6 hours
    closed_every_s: int = 24 * 3600
    closed_for_days: int = 30       # a closed one is watched this long for a reopen
    error_min_s: int = 60
    error_max_s: int = 6 * 3600
    manual_min_interval_s: int = 30  # "Check now" at most this often per contribution
    page_poll_min_s: int = 5        # the page never asks more often than this
    page_poll_max_s: int = 300
    # A record a change signal watches (a relay, a change feed, webhooks) may be made due at
    # any moment: the page asks at least this often (GitHub's notifications interval).
    page_poll_watched_s: int = 60
    # Sweeps: each host's records of a chunk are checked within sweep_host_budget_s;
    # a sweep claims no new chunk after sweep_budget_s (both below the task's time limits
    # and the 10-minute claim lease).
    sweep_host_budget_s: int = 60
    sweep_budget_s: int = 240
    # Sweeps pace open contributions by the host's rate budget (RateBudget below): this share of it,
    # and never more often than budget_min_s (about a sweep's period).
    budget_share_percent: int = 50
    budget_min_s: int = 60
    # A forge's rate-limit reset or Retry-After is believed up to this: a host parked by a
    # reset in year 2200 is asked again once it passes (and recovers at its first good answer).
    max_wait_s: int = DEFAULT_MAX_WAIT_S

    @classmethod
    def from_settings(cls, bucket):
        """Schedule from the settings bucket's optional ``"polling"`` object (positive ints)."""
        values = (bucket or {}).get("polling") or {}
        known = {f.name for f in fields(cls)}
        clean = {k: int(min(v, LONGEST_S)) for k, v in values.items()
                 if k in known and isinstance(v, (int, float)) and not isinstance(v, bool)
                 and 0 < v < float("inf")}
        if "budget_share_percent" in clean:
            clean["budget_share_percent"] = min(clean["budget_share_percent"], 100)
        return cls(**clean)

    def after_check(self, *, state, verdict, registered_at, now, pace_s=None, likely=False,
                    checks=None):
        """Next due time after a successful check, or None when settled.

        ``pace_s``: the host's interval for open contributions under its rate
        budget (``open_interval_s``): that for one ``likely`` to have changed,
        twice that for the others, on the host's slots (``_paced``).
        Without it (a learner's own check), the age-based cadence.
        ``checks``: the record's checks (``policy.Check`` dicts), for a merged one.
        """
        if verdict == "accepted" or (state == "merged" and verdict == "rejected"):
            return None
        if state == "merged" and checks is not None:
            return self._after_merged(checks, now)
        age = now - registered_at
        if state == "closed":
            if age > timedelta(days=self.closed_for_days):
                return None
            return now + timedelta(seconds=self.closed_every_s)
        if pace_s is not None:
            return self._paced(now, pace_s, likely)
        days = max(age.total_seconds() / 86400, 0)
        interval = min(self.open_min_s * (2 ** int(days)), self.open_max_s)
        return now + timedelta(seconds=interval)

    def _paced(self, now, pace_s, likely):
        """The next check of an open contribution, on its host's slots.

        The pace is rounded up to a whole number of floors (budget_min_s, about a
        sweep's period; an operator who asks for open contributions more often, e.g.
        the demo's --check-every, gets open_min_s): that is the slot. A likely one is
        due one slot on, the others two (even if every one were likely, the share
        holds), at the slot boundary before: the records a host read at different
        moments come due at the same boundary, and are read together, as the pace's
        cost of reading all of them once assumes (a repository's listing, a page of
        100).
        """
        floor = min(self.budget_min_s, self.open_min_s)
        slot = min(math.ceil(max(pace_s, floor) / floor) * floor, self.open_max_s)
        due = now.timestamp() + min(slot * (1 if likely else 2), self.open_max_s)
        boundary = math.floor(due / slot) * slot
        if boundary <= now.timestamp():
            boundary = due
        return datetime.fromtimestamp(boundary, tz=timezone.utc)

    def _after_merged(self, checks, now):
        """A merged contribution that does not count yet: the forge has nothing more to say
        about it unless its description may still change (an ownership code) or a waiting
        period runs: then once a day. Waiting for the learner to verify the author's account
        only, it is settled: verifying re-evaluates it (``wake_settled``), not the forge."""
        waiting = {check.get("id") for check in checks if check.get("outcome") == "waiting"}
        if waiting <= {"author"}:
            return None
        return now + timedelta(seconds=self.closed_every_s)

    def max_wait_after(self, now):
        """The latest moment a forge's "not before" is believed: ``now + max_wait_s``."""
        return now + timedelta(seconds=self.max_wait_s)

    def after_error(self, *, error, error_count, now, reset_at=None):
        """Next due time after a failed check (``error_count`` includes this one), or after
        one not tried (``error`` None): just after a rate limit's future reset, else backing off.
        """
        if isinstance(error, RateLimited):
            reset_at = error.reset_at
        if reset_at and reset_at > now:
            return min(reset_at, self.max_wait_after(now)) + timedelta(seconds=1)
        interval = min(self.error_min_s * 2 ** max(error_count - 1, 0), self.error_max_s)
        return now + timedelta(seconds=interval)


def schedule_for(bucket):
    """The schedule a settings bucket asks for (raises ConfigurationError if malformed)."""
    return Schedule.from_settings(bucket)


RESERVE = 50  # left for learners' "Check now" and registrations between sweeps


class RateBudget:
    def __init__(self, cache=None, reserve=RESERVE, max_wait_s=None):
        self.cache = cache or default_cache
        self.reserve = reserve
        if max_wait_s is None:  # sweeps and tasks: the site's settings bucket says
            max_wait_s = schedule_for(compat.global_settings_bucket()).max_wait_s
        self.max_wait = timedelta(seconds=max_wait_s)

    @staticmethod
    def key(forge):
        # The token itself never goes into a cache key: a hash tells tokens apart.
        token_id = hashlib.sha256((forge.token or "anonymous").encode()).hexdigest()[:16]
        return f"upstream_xblock:budget:{forge.host}:{token_id}"

    def _capped(self, reset_at, now):
        return min(reset_at, now + self.max_wait) if reset_at is not None else None

    def available(self, forge, now, reserve=None):
        """(requests we may spend now or None if unknown, reset time or None).

        ``reserve``: what to leave for learners (default: this budget's
        reserve; 0 for checks a learner asked for).
        """
        state = self.cache.get(self.key(forge))
        if not state:
            return None, None
        reset = state["reset"]
        reset_at = datetime.fromtimestamp(reset, tz=timezone.utc) if reset else None
        if reset_at is not None and reset_at <= now:
            return None, None
        keep = self.reserve if reserve is None else reserve
        return max(state["remaining"] - keep, 0), self._capped(reset_at, now)

    def _store(self, forge, state, reset_at, now):
        """Keep ``state`` until ``reset_at`` (capped) has passed, or an hour without one."""
        reset_at = self._capped(reset_at, now)
        state["reset"] = int(reset_at.timestamp()) if reset_at else 0
        timeout = int((reset_at - now).total_seconds()) + 60 if reset_at else 3600
        self.cache.set(self.key(forge), state, timeout=max(timeout, 60))

    def record(self, forge, rate_limit, now):
        """Remember the forge's latest word (a RateLimitInfo) until its window resets."""
        if rate_limit is None:
            return
        self._store(forge, {"remaining": rate_limit.remaining, "limit": rate_limit.limit},
                    rate_limit.reset_at, now)

    def known_limit(self, forge):
        """The hourly limit the forge last stated for this token (None: not known)."""
        state = self.cache.get(self.key(forge))
        limit = state.get("limit") if isinstance(state, dict) else None
        return limit if isinstance(limit, int) and limit > 0 else None

    def note(self, forge, outcome, now):
        """What one check's outcome says of the budget: a rate limit's "no more" until its
        reset, an answer's headers, or (an answer without them) that the host answers again.
        Other errors say nothing."""
        if isinstance(outcome, RateLimited):
            self.exhausted(forge, outcome.reset_at, now)
        elif isinstance(outcome, FetchResult):
            if outcome.rate_limit is not None:
                self.record(forge, outcome.rate_limit, now)
            else:
                self.recovered(forge)

    def exhausted(self, forge, reset_at, now):
        """A 403/429 said "no more": nothing is left until ``reset_at`` (at most the cap)."""
        if reset_at is None or reset_at <= now:
            return
        self._store(forge, {"remaining": 0}, reset_at, now)

    def recovered(self, forge):
        """A good answer after a "no more": the host is no longer parked."""
        state = self.cache.get(self.key(forge))
        if isinstance(state, dict) and state.get("remaining") == 0:
            self.cache.delete(self.key(forge))
