"""Change signals: which records a sweep reads first, and how seldom the others.

Before each sweep claims what is due (``Sweeper.run_once``), ``ChangeSignals``:

1. runs the notifications relay of each forge that has one (``relay.py``:
   GitHub, Gitea/Forgejo): a notification about a tracked pull request makes
   its records due now;
2. looks at the change feeds of the Gerrit and GitLab hosts holding open
   records (``forges/feeds.py``), at most every ``feed_every_s``: a change
   updated since the last look makes its records due now;
3. paces the polling of what those signals cover as the fallback: a record a
   healthy signal watches, due by its polling schedule only, is put off to
   ``fallback_s`` after its last check. Polling stays as it was everywhere
   else, and everywhere a signal is failing (its last good answer is older
   than three of its intervals).

Webhook deliveries (``webhooks.py``) make records due the same way, at once.
A signal never grants anything: it only makes a record due, and the sweep
reads it on the forge as any other. ``signaled_at`` marks a record a signal
made due until a check after that moment, so that the fallback's pacing never
puts off a change a signal announced.

The relays' and feeds' cursors (``Last-Modified``, the time of the last
look, the next poll) live in Django's cache, shared by the workers; losing
them costs one unconditional poll, or one look further back.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone

from django.core.cache import cache as default_cache
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone as django_timezone

from ..forges import ConfigurationError, Deadline, ForgeError
from ..forges.feeds import gerrit_updates, gitlab_updates
from ..models import RelaySubscription, TrackedContribution, WebhookDelivery
from .relay import Relay

log = logging.getLogger(__name__)

OVERLAP = timedelta(seconds=60)  # a look reaches back this much before the last one began
CLOCK_SKEW = timedelta(seconds=60)  # the forge's clock against ours
DELIVERIES_KEPT = timedelta(days=7)
OPEN_STATES = ("open", "draft")
CHUNK = 500


@dataclass(frozen=True)
class SignalSettings:
    """The settings bucket's optional ``"change_signals"`` object."""

    feeds: bool = True
    fallback_s: int = 6 * 3600
    feed_every_s: int = 60
    notifications_every_s: int = 60  # Gitea/Forgejo (GitHub says its own interval)

    @classmethod
    def from_settings(cls, bucket):
        values = (bucket or {}).get("change_signals")
        values = {} if values is None else values
        if not isinstance(values, dict):
            raise ConfigurationError("'change_signals' must be an object")
        clean = {}
        for spec in fields(cls):
            if spec.name not in values:
                continue
            value = values[spec.name]
            valid = isinstance(value, bool) if spec.type is bool else (
                isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 7 * 86400)
            if not valid:
                raise ConfigurationError(f"change_signals: {spec.name} is not valid")
            clean[spec.name] = value
        unknown = set(values) - {spec.name for spec in fields(cls)}
        if unknown:
            raise ConfigurationError(f"change_signals: unknown key(s) {', '.join(sorted(unknown))}")
        return cls(**clean)


def watched(forges, host):
    """Whether a signal may make ``host``'s records due at any moment (the page asks often)."""
    forge = next((f for f in forges.registry if f.host == host), None)
    return forge is not None and bool(forge.notifications_token or forge.webhook_secret
                                      or forge.kind in ("gerrit", "gitlab"))


def _changed_since_check(updated_at, checked_at):
    return checked_at is None or updated_at is None or updated_at > checked_at - CLOCK_SKEW


def mark_changed(host, changes, now, lease=timedelta(minutes=10)):
    """Make due the unsettled records of ``host`` that ``changes`` name; how many.

    ``changes``: (project, number, updated_at or None) — only records not checked
    since that update are made due. A record a sweep holds right now keeps its
    claim; its signal stands until a check after the claim's lease (it is read
    at its polling pace, never put off to the fallback's).
    """
    wanted = defaultdict(list)
    for project, number, updated_at in changes:
        if 0 < number < 2 ** 63:  # a forge's number a record could hold (it names nothing else)
            wanted[int(number)].append((project.lower(), updated_at))
    due, held = [], []
    numbers = list(wanted)
    for start in range(0, len(numbers), CHUNK):
        rows = TrackedContribution.objects.filter(
            host=host, number__in=numbers[start:start + CHUNK], next_check_at__isnull=False,
        ).values_list("pk", "project", "number", "last_checked_at", "claim_token")
        for pk, project, number, checked_at, claim in rows:
            if any(name == project.lower() and _changed_since_check(updated_at, checked_at)
                   for name, updated_at in wanted[number]):
                (held if claim else due).append(pk)
    return _make_due(due, now) + _make_due(held, now, signaled_at=now + lease, claimed=True)


def _make_due(pks, now, signaled_at=None, claimed=False):
    for start in range(0, len(pks), CHUNK):
        rows = TrackedContribution.objects.filter(pk__in=pks[start:start + CHUNK])
        if not claimed:
            rows.filter(next_check_at__gt=now, claim_token="").update(next_check_at=now)
        rows.update(signaled_at=signaled_at or now)
    return len(pks)


def mark_all_open(host, now, subscribed_only=False):
    """A signal that lost track (more changes than one look reads): every open record due."""
    rows = TrackedContribution.objects.filter(host=host, next_check_at__isnull=False,
                                              state__in=("", *OPEN_STATES))
    if subscribed_only:
        rows = rows.filter(_subscribed(host))
    return mark_changed(host, [(p, n, None) for p, n in rows.values_list("project", "number")],
                        now)


def _subscribed(host, before_check=False):
    """Records whose pull request the relay's bot is subscribed to (``before_check``: since
    before their last check, so that no change of theirs can have slipped in between)."""
    subscribed = RelaySubscription.objects.filter(
        host=host, project=OuterRef("project"), number=OuterRef("number"),
        subscribed_at__isnull=False)
    if before_check:
        subscribed = subscribed.filter(subscribed_at__lte=OuterRef("last_checked_at"))
    return Exists(subscribed)


def _seen_key(update):
    return f"{update.project.lower()}#{update.number}"


def _seen_time(update):
    return update.updated_at.timestamp() if update.updated_at else None


@dataclass
class SignalStats:
    made_due: int = 0
    deferred: int = 0
    errors: int = 0

    def line(self):
        return "upstream_xblock signals: made_due=%d deferred=%d errors=%d" % (
            self.made_due, self.deferred, self.errors)


class ChangeSignals:
    """The "what is due" hook of the sweeps (``before_sweep``)."""

    # What a relay calls to make records due (it does not import this module).
    mark_changed = staticmethod(mark_changed)
    mark_all_open = staticmethod(mark_all_open)

    def __init__(self, forges, settings=None, clock=django_timezone.now, cache=None):
        self.forges = forges
        self.settings = settings or SignalSettings()
        self.clock = clock
        self.cache = cache or default_cache

    @classmethod
    def from_settings(cls, bucket, forges):
        return cls(forges, SignalSettings.from_settings(bucket))

    def state_key(self, host, source):
        return f"upstream_xblock:signals:{source}:{host}"

    def load(self, host, source):
        state = self.cache.get(self.state_key(host, source))
        return dict(state) if isinstance(state, dict) else {}

    def save(self, host, source, state):
        self.cache.set(self.state_key(host, source), state, timeout=7 * 86400)

    def healthy(self, state, interval_s, now):
        ok_at = state.get("ok_at")
        return ok_at is not None and now.timestamp() - ok_at <= 3 * max(interval_s, 60)

    def before_sweep(self):
        """Run every signal due now; put off what they cover. Never raises."""
        now, stats = self.clock(), SignalStats()
        # Hosts with records to watch, and relays with subscriptions to end.
        hosts = set(TrackedContribution.objects.filter(next_check_at__isnull=False)
                    .values_list("host", flat=True).distinct())
        hosts.update(RelaySubscription.objects.values_list("host", flat=True).distinct())
        covered = {}
        for forge in self.forges.registry:
            if forge.host not in hosts:
                continue
            try:
                covered[forge.host] = self._run(forge, now, stats)
            except Exception:  # noqa: BLE001  (a signal's failure is polling's business)
                log.exception("change signals: %s failed", forge.host)
                stats.errors += 1
        try:
            stats.deferred = self._defer(covered, now)
            self._prune(now)
        except Exception:  # noqa: BLE001
            log.exception("change signals: the fallback's pacing failed")
            stats.errors += 1
        if stats.made_due or stats.errors:
            log.info(stats.line())
        return stats

    def _run(self, forge, now, stats):
        """Run ``forge``'s signal if it has one; what it covers now: None, ("relay", None),
        or ("feed", {scope: covered since}) (scope: a GitLab project, "" for a Gerrit host)."""
        deadline = Deadline(self.forges.deadlines.sweep_check_s)
        if forge.notifications_token and forge.kind in ("github", "gitea"):
            relay = Relay(self, forge, deadline)
            stats.made_due += relay.run(now)
            return ("relay", None) if relay.healthy(now) else None
        if self.settings.feeds and forge.kind in ("gerrit", "gitlab"):
            stats.made_due += self._look(forge, now, deadline)
            state = self.load(forge.host, "feed")
            if self.healthy(state, self.settings.feed_every_s, now):
                return "feed", {scope: datetime.fromtimestamp(start, tz=timezone.utc)
                                for scope, start in (state.get("chains") or {}).items()}
        return None

    # -- change feeds -----------------------------------------------------------
    def _look(self, forge, now, deadline):
        """Ask ``forge``'s change feed if a look is due; how many records it made due.

        Each scope the feed answers for (a GitLab project; a Gerrit host, "") keeps the
        start of its unbroken run of good looks (``chains``): a record checked since then
        has had every change of its own seen by a look.
        """
        state = self.load(forge.host, "feed")
        if state.get("next_at", 0) > now.timestamp():
            return 0
        since = (datetime.fromtimestamp(state["since"], tz=timezone.utc) if "since" in state
                 else now - timedelta(seconds=self.settings.fallback_s)) - OVERLAP
        state["next_at"] = now.timestamp() + self.settings.feed_every_s
        try:
            pages = self._ask(forge, since, deadline)
        except ForgeError as error:  # the next look asks from the same moment again
            log.info("change feed of %s: %s (%s)", forge.host, error.code, error.reason)
            self.save(forge.host, "feed", state)
            return 0
        good = {scope: page for scope, page in pages.items() if not isinstance(page, ForgeError)}
        updates = [u for page in good.values() for u in page.updates]
        # A look reaches back before the last one began: what that one already saw (the
        # same change at the same time) is not made due twice.
        seen, state["seen"] = state.get("seen") or {}, {_seen_key(u): _seen_time(u)
                                                        for u in updates}
        made = mark_changed(forge.host, [(u.project, u.number, u.updated_at) for u in updates
                                         if seen.get(_seen_key(u)) != _seen_time(u)], now)
        if any(not page.complete for page in good.values()):
            made += mark_all_open(forge.host, now)  # more moved than a look reads
        chains = state.get("chains") or {}
        state["chains"] = {scope: chains.get(scope, since.timestamp()) for scope in good}
        state.update(since=now.timestamp(), ok_at=now.timestamp())
        self.save(forge.host, "feed", state)
        return made

    def _ask(self, forge, since, deadline):
        """{scope: FeedPage or the ForgeError of that scope} of one look."""
        client = self.forges.client(forge.host)
        with deadline.active():
            if forge.kind == "gerrit":
                return {"": gerrit_updates(client, since, deadline=deadline)}
            return gitlab_updates(client, self._open_projects(forge.host), since,
                                  deadline=deadline)

    @staticmethod
    def _open_projects(host):
        return sorted(set(TrackedContribution.objects.filter(
            host=host, next_check_at__isnull=False, state__in=("", *OPEN_STATES),
        ).values_list("project", flat=True)))

    # -- the fallback's pacing --------------------------------------------------------
    def _defer(self, covered, now):
        """Put off to ``fallback_s`` after their last check the records a healthy signal
        watches that are due by their polling schedule only; how many."""
        fallback = timedelta(seconds=self.settings.fallback_s)
        deferred = 0
        for host, coverage in covered.items():
            if coverage is None:
                continue
            signal, chains = coverage
            rows = TrackedContribution.objects.filter(
                host=host, next_check_at__lte=now, claim_token="", error_code="",
                state__in=OPEN_STATES, last_checked_at__gt=now - fallback,
            ).filter(Q(signaled_at__isnull=True) | Q(signaled_at__lte=F("last_checked_at")))
            if signal == "relay":
                groups = [rows.filter(_subscribed(host, before_check=True))]
            else:
                by_start = defaultdict(list)
                for scope, start in chains.items():
                    by_start[start].append(scope)
                groups = [rows.filter(last_checked_at__gte=start, **(
                    {} if "" in scopes else {"project__in": scopes}))
                    for start, scopes in by_start.items()]
            for group in groups:
                deferred += group.update(next_check_at=F("last_checked_at") + fallback)
        return deferred

    def _prune(self, now):
        """Forget webhook deliveries older than a week, once an hour."""
        if self.cache.add("upstream_xblock:signals:pruned", 1, timeout=3600):
            WebhookDelivery.objects.filter(received_at__lt=now - DELIVERIES_KEPT).delete()
