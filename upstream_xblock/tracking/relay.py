"""The notifications relay of one forge (GitHub, Gitea/Forgejo): subscribe, listen, mark due.

With a notifications token for a host (its own key, ``notifications_token``;
the checking token only if the operator says ``notifications_with_token``),
at each sweep the relay:

1. subscribes the bot to every pull request tracked on the host and not yet
   subscribed (``RelaySubscription``; 100 a sweep; one that failed is tried
   again a day later);
2. unsubscribes it from those no unsettled record tracks any more (a record
   settles when accepted, or once a closed one stops being watched);
3. when its poll is due (GitHub: the interval its ``X-Poll-Interval`` asks;
   Gitea: ``notifications_every_s``), asks for the unread notifications
   (GitHub conditionally on ``Last-Modified``: a 304 costs nothing), makes due
   the records of the pull requests they name, and marks those threads read.

A notification about a pull request nobody tracks changes nothing (its thread
is marked read all the same). More unread threads than one poll reads makes
every subscribed record due once: nothing is lost, it only costs a full read.

``signals`` is the ``ChangeSignals`` that runs the relay: its cursors (the
cache) and how records are made due.
"""

import logging
from datetime import timedelta

from django.db.models import Exists, OuterRef

from ..forges import ContributionRef, ForgeError, NotFound
from ..forges.notifications import notifications_client
from ..models import RelaySubscription, TrackedContribution

log = logging.getLogger(__name__)

PER_SWEEP = 100
RETRY_FAILED = timedelta(days=1)
MAX_BACKOFF_S = 600


class Relay:
    def __init__(self, signals, forge, deadline):
        self.signals, self.forge, self.deadline = signals, forge, deadline
        self.host = forge.host
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = notifications_client(self.forge)
        return self._client

    def healthy(self, now):
        state = self.signals.load(self.host, "relay")
        return self.signals.healthy(state, state.get("interval", 60), now)

    def run(self, now):
        """Subscribe, unsubscribe, poll if due; how many records were made due."""
        with self.deadline.active():
            try:
                self._subscribe(now)
                self._unsubscribe()
            except ForgeError as error:  # e.g. a refused token: the poll says so too
                log.info("relay of %s: subscriptions: %s (%s)", self.host, error.code,
                         error.reason)
            return self._poll(now)

    # -- subscriptions ---------------------------------------------------------------
    def _subscribe(self, now):
        RelaySubscription.objects.filter(host=self.host, subscribed_at__isnull=True,
                                         failed_at__lt=now - RETRY_FAILED).delete()
        known = RelaySubscription.objects.filter(
            host=self.host, project=OuterRef("project"), number=OuterRef("number"))
        pending = list(TrackedContribution.objects.filter(
            host=self.host, kind=self.forge.kind, next_check_at__isnull=False,
        ).exclude(Exists(known)).values_list("project", "number").distinct()[:PER_SWEEP])
        if not pending:
            return
        refs = [ContributionRef(self.forge.kind, self.host, project, number, "")
                for project, number in dict.fromkeys(pending)]
        node_ids = self.client.node_ids(refs, deadline=self.deadline)
        found = {ref: node for ref, node in node_ids.items() if isinstance(node, str)}
        done = self.client.subscribe(list(found.values()), deadline=self.deadline) \
            if found else {}
        rows = []
        for ref in refs:
            node = found.get(ref, "")
            ok = done.get(node) is True
            outcome = node_ids.get(ref) if not node else done.get(node)
            if not ok and not isinstance(outcome, NotFound):
                continue  # not answered this time: asked again at the next sweep
            rows.append(RelaySubscription(host=self.host, project=ref.project, number=ref.number,
                                          node_id=node, subscribed_at=now if ok else None,
                                          failed_at=None if ok else now))
        RelaySubscription.objects.bulk_create(rows, ignore_conflicts=True)

    def _unsubscribe(self):
        tracked = TrackedContribution.objects.filter(
            host=self.host, project=OuterRef("project"), number=OuterRef("number"),
            next_check_at__isnull=False)
        stale = list(RelaySubscription.objects.filter(host=self.host).exclude(
            Exists(tracked))[:PER_SWEEP])
        subscribed = [row.node_id for row in stale if row.subscribed_at and row.node_id]
        done = self.client.subscribe(subscribed, subscribed=False, deadline=self.deadline) \
            if subscribed else {}
        gone = [row.pk for row in stale if not (row.subscribed_at and row.node_id)
                or done.get(row.node_id) is True or isinstance(done.get(row.node_id), NotFound)]
        RelaySubscription.objects.filter(pk__in=gone).delete()

    # -- notifications ---------------------------------------------------------------
    def _poll(self, now):
        state = self.signals.load(self.host, "relay")
        if state.get("next_at", 0) > now.timestamp():
            return 0
        try:
            inbox = self.client.inbox(state.get("last_modified"), deadline=self.deadline)
        except ForgeError as error:
            # Tokens and bodies never go to the log: the error's code and reason only.
            log.info("relay of %s: notifications: %s (%s)", self.host, error.code, error.reason)
            backoff = min(2 * state.get("interval", 60), MAX_BACKOFF_S)
            state.update(next_at=now.timestamp() + backoff, interval=backoff)
            self.signals.save(self.host, "relay", state)
            return 0
        made = 0
        if inbox.changed:
            made = self.signals.mark_changed(
                self.host, [(n.project, n.number, n.updated_at) for n in inbox.notices], now)
            if not inbox.complete:
                made += self.signals.mark_all_open(self.host, now, subscribed_only=True)
            if inbox.read_until:
                try:
                    self.client.mark_read(inbox.read_until, deadline=self.deadline)
                except ForgeError as error:  # the threads come again: they are made due again
                    log.info("relay of %s: marking read: %s", self.host, error.code)
        interval = inbox.poll_interval_s if self.forge.kind == "github" \
            else self.signals.settings.notifications_every_s
        state.update(next_at=now.timestamp() + interval, interval=interval, ok_at=now.timestamp(),
                     last_modified=inbox.last_modified or state.get("last_modified"))
        self.signals.save(self.host, "relay", state)
        return made
