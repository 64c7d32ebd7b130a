"""The course of ``course.py`` on a simulated clock, polled only or with change signals.

The model behind ``relay_bench.py``. One sweep a simulated minute. Each
contribution is registered when it opens and read at the first sweep after; a
read tells its state at that moment; a merged one is awarded (the delay from
merge to award is measured there) and never read again. When to read it next is
the product's schedule (``tracking/schedule.py``): open contributions paced by
their host's rate budget, as sweeps pace them.

With signals (``Signals``), as the product runs them (``tracking/changes.py``):

- a GitHub or Gitea/Forgejo pull request is subscribed to by the relay's bot
  when it is registered and unsubscribed when it settles; at each sweep the
  relay asks the forge's notifications (GitHub: a conditional request, a 304
  when nothing is new; Gitea: the count of unread ones), and a notification
  about a pull request makes it due in that sweep;
- Gerrit hosts are asked once a sweep for the changes updated since the last
  look (one query, 500 results a page); GitLab hosts for the merge requests
  updated since the last look in each project holding open tracked ones (the
  projects pooled in GraphQL queries, as many as the feed's own selection lets
  GitLab's complexity limit carry: ``feeds.feed_per_query``);
- a contribution a signal covers is still polled, as the fallback, but no
  sooner than ``fallback_s`` after its last read.

Events are drawn from the course (``draw_events``): the merge or close, the
approving review of half the merged ones, and review comments (a Poisson number,
mean ``comments_mean``, at uniform times while it is open). Every event on a
subscribed pull request is a notification; every event is an update a feed sees.
Notifications and feeds are taken to show an event at once (GitHub documents
no delay; the relay's own poll interval, 60 s, is modelled).

Costs: a sweep's reads by the clients' batch planners (``course_requests.py``);
GitHub GraphQL points as GitHub charges them (a page of 100 pull requests, 2
points); a REST request counts one point (a 304 none); a subscription mutation
counts one point for each pull request in it (GitHub charges a mutation request
at least one; counted per pull request, an upper bound).
"""

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from course_requests import github_points, sweep_cost

from upstream_xblock.forges import ForgeRegistry
from upstream_xblock.forges.feeds import feed_per_query
from upstream_xblock.tracking.schedule import RECENT_ACTIVITY, open_interval_s

SWEEP_S = 60
DAY_S = RECENT_ACTIVITY.total_seconds()
MUTATIONS_PER_REQUEST = 20  # the relay's subscription mutations per GraphQL request
NODE_IDS_PER_REQUEST = 100
GERRIT_FEED_PAGE = 500
# review.opendev.org's own activity outside the course: changes updated a minute (its query
# answers those too, within the first page of 500 at this rate).
GERRIT_HOST_UPDATES_PER_MIN = 3


@dataclass(frozen=True)
class Signals:
    github_relay: bool = True
    gitea_relay: bool = True
    gerrit_feed: bool = True
    gitlab_feed: bool = True
    fallback_s: int = 6 * 3600

    def covers(self, kind):
        return {"github": self.github_relay, "gitea": self.gitea_relay,
                "gerrit": self.gerrit_feed, "gitlab": self.gitlab_feed}[kind]


@dataclass
class Ledger:
    """What a simulated course cost and how late merges were counted."""

    delays: list = field(default_factory=list)  # minutes, one per awarded merge
    delays_by_kind: dict = field(default_factory=lambda: defaultdict(list))
    requests: dict = field(default_factory=lambda: defaultdict(Counter))  # hour -> host -> n
    points: Counter = field(default_factory=Counter)  # hour -> every GitHub point
    finding: Counter = field(default_factory=Counter)  # hour -> points spent finding changes
    notifications: Counter = field(default_factory=Counter)  # hour -> notified pull requests
    reads: Counter = field(default_factory=Counter)  # hour -> contributions read

    def hourly_requests(self, hours):
        return [sum(self.requests[hour].values()) for hour in hours]


def draw_events(course, comments_mean=2.0, seed=19):
    """{index: sorted event times} for each contribution: reviews, comments, merge or close."""
    rng = random.Random(seed)
    end = max(item.opened_at for item in course) + timedelta(weeks=4)
    events = {}
    for index, item in enumerate(course):
        last = item.merged_at or item.closed_at or end
        times = [t for t in (item.approved_at, item.merged_at, item.closed_at) if t]
        span = (last - item.opened_at).total_seconds()
        for _ in range(_poisson(rng, comments_mean)):
            times.append(item.opened_at + timedelta(seconds=rng.uniform(0, span)))
        events[index] = sorted(times)
    return events


def _poisson(rng, mean):
    count, threshold, product = 0, math.exp(-mean), rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


INFINITE = float("inf")


class CourseRun:
    """One simulated course; ``run()`` fills and returns a Ledger.

    Times are seconds from the first opening and sweeps are minutes, kept in plain lists
    (ten thousand learners polled every minute or two is tens of millions of reads); what
    the product's schedule says is asked once per host, minute and kind of record.
    """

    def __init__(self, course, events, schedule, settings_bucket, signals=None, weeks=8):
        self.course, self.schedule, self.signals = course, schedule, signals
        self.forges = {forge.host: forge for forge in ForgeRegistry.from_settings(settings_bucket)}
        self.start = min(item.opened_at for item in course)
        self.minutes = weeks * 7 * 24 * 60
        self.ledger = Ledger()
        seconds = self._seconds
        self.opened = [seconds(item.opened_at) for item in course]
        self.merged = [seconds(item.merged_at) for item in course]
        self.closed = [seconds(item.closed_at) for item in course]
        self.approved = [seconds(item.approved_at) for item in course]
        self.keys = [(item.kind, item.host, item.project) for item in course]
        self.next_at = [-1] * len(course)  # minute of each one's next polled read
        self.buckets = defaultdict(list)  # minute -> indexes polled then
        self.open_on = Counter()  # host -> registered, open
        self.active = Counter()  # kind -> registered, not settled
        self.open_projects = defaultdict(Counter)  # GitLab host -> project -> open tracked
        self.settled, self.registered, self.closed_seen = set(), set(), set()
        self.unsubscribed = Counter()  # kind -> settled in this sweep
        self.changed = defaultdict(list)  # minute -> indexes with an event in the minute before
        for index, times in events.items():
            for moment in times:
                self.changed[math.ceil(seconds(moment) / SWEEP_S)].append(index)
        for index in range(len(course)):
            self._poll_at(index, math.ceil(self.opened[index] / SWEEP_S))
        self._intervals = {}  # (host, likely) -> minutes, for the current minute

    def _seconds(self, moment):
        return INFINITE if moment is None else (moment - self.start).total_seconds()

    def _poll_at(self, index, minute):
        self.next_at[index] = minute
        self.buckets[minute].append(index)

    def covered(self, index):
        return self.signals is not None and self.signals.covers(self.keys[index][0])

    def run(self):
        for minute in range(self.minutes + 1):
            self._intervals = {}
            polled = [i for i in self.buckets.pop(minute, ()) if self.next_at[i] == minute
                      and i not in self.settled]
            signaled = self._signals(minute, polled) if self.signals else set()
            due = polled + sorted(signaled.difference(polled))
            if due:
                self._read(minute, due, signaled)
            if self.unsubscribed:
                self._unsubscribe_costs(minute // 60)
        return self.ledger
    # -- signals ------------------------------------------------------------------
    def _signals(self, minute, polled):
        hour = minute // 60
        watched = [i for i in dict.fromkeys(self.changed.get(minute, ()))
                   if i in self.registered and i not in self.settled and self.covered(i)]
        self.ledger.notifications[hour] += len(watched)
        new = Counter(self.keys[i][0] for i in polled if i not in self.registered)
        notified = {self.keys[i][0] for i in watched}
        self._relay_costs(hour, notified, new)
        self._feed_costs(hour)
        return set(watched)

    def _relay_costs(self, hour, notified, new):
        requests, ledger = self.ledger.requests[hour], self.ledger
        for kind, host in (("github", "github.com"), ("gitea", "codeberg.org")):
            if not self.signals.covers(kind) or not (self.active[kind] or new[kind]):
                continue
            subscribe = new[kind]
            if kind == "gitea":  # the unread count; then the list and the read mark when any
                requests[host] += 1 + (2 if kind in notified else 0) + subscribe
                continue
            # The poll (a 304, or a 200 and then the read mark), the subscriptions' node ids
            # and mutations.
            points = 2 if kind in notified else 0
            requests[host] += 1 + (1 if kind in notified else 0)
            if subscribe:
                queries = -(-subscribe // NODE_IDS_PER_REQUEST)
                requests[host] += queries + -(-subscribe // MUTATIONS_PER_REQUEST)
                points += queries + subscribe
            ledger.points[hour] += points
            ledger.finding[hour] += points

    def _feed_costs(self, hour):
        requests = self.ledger.requests[hour]
        if self.signals.gerrit_feed and self.active["gerrit"]:
            requests["review.opendev.org"] += -(-max(1, GERRIT_HOST_UPDATES_PER_MIN)
                                                // GERRIT_FEED_PAGE)
        if self.signals.gitlab_feed:
            for host, projects in self.open_projects.items():
                if projects:
                    requests[host] += -(-len(projects) // feed_per_query(False))

    def _unsubscribe_costs(self, hour):
        for kind, count in self.unsubscribed.items():
            if kind == "github":
                self.ledger.requests[hour]["github.com"] += -(-count // MUTATIONS_PER_REQUEST)
                self.ledger.points[hour] += count
                self.ledger.finding[hour] += count
            else:
                self.ledger.requests[hour]["codeberg.org"] += count
        self.unsubscribed.clear()

    # -- reads ----------------------------------------------------------------------
    def _read(self, minute, due, signaled):
        hour = minute // 60
        requests, points = sweep_cost([self.keys[i] for i in due])
        self.ledger.requests[hour].update(requests)
        self.ledger.points[hour] += points
        self.ledger.reads[hour] += len(due)
        if self.signals is None or not self.signals.github_relay:
            self.ledger.finding[hour] += points
        else:  # the fallback's reads of GitHub pull requests no notification pointed at
            fallback = sum(1 for i in due if i not in signaled and self.keys[i][0] == "github")
            self.ledger.finding[hour] += sum(github_points(min(100, fallback - start))
                                             for start in range(0, fallback, 100))
        now_s = minute * SWEEP_S
        for index in due:
            if index not in self.registered:
                self._register(index)
            if self.merged[index] <= now_s:
                self._award(index, now_s)
            elif self.closed[index] <= now_s:
                self._closed(index, minute)
            else:
                likely = self.approved[index] <= now_s or now_s - self.opened[index] <= DAY_S
                self._poll_at(index, minute + self._interval(self.keys[index][1], likely,
                                                             minute))

    def _interval(self, host, likely, minute):
        """Minutes until an open one's next read: the product's schedule, paced by the host's
        open contributions now (asked once per host, minute and likeliness)."""
        key = (host, likely)
        minutes = self._intervals.get(key)
        if minutes is None:
            now = self.start + timedelta(minutes=minute)
            pace_s = open_interval_s(self.forges[host], self.open_on[host],
                                     self.schedule.budget_share_percent)
            after = self.schedule.after_check(state="open", verdict="", registered_at=now,
                                              now=now, pace_s=pace_s, likely=likely)
            seconds = (after - now).total_seconds()
            if self.signals is not None and self.signals.covers(self.forges[host].kind):
                seconds = max(seconds, self.signals.fallback_s)
            minutes = self._intervals[key] = max(1, math.ceil(seconds / SWEEP_S))
        return minutes

    def _register(self, index):
        kind, host, project = self.keys[index]
        self.registered.add(index)
        self.open_on[host] += 1
        self.active[kind] += 1
        if kind == "gitlab":
            self.open_projects[host][project] += 1

    def _no_longer_open(self, index):
        kind, host, project = self.keys[index]
        self.open_on[host] -= 1
        if kind == "gitlab":
            projects = self.open_projects[host]
            projects[project] -= 1
            if projects[project] <= 0:
                del projects[project]

    def _award(self, index, now_s):
        delay = (now_s - self.merged[index]) / 60
        self.ledger.delays.append(delay)
        self.ledger.delays_by_kind[self.keys[index][0]].append(delay)
        self._settle(index, was_open=index not in self.closed_seen)

    def _closed(self, index, minute):
        if index not in self.closed_seen:
            self.closed_seen.add(index)
            self._no_longer_open(index)
        now = self.start + timedelta(minutes=minute)
        after = self.schedule.after_check(
            state="closed", verdict="", now=now,
            registered_at=self.start + timedelta(seconds=self.opened[index]))
        if after is None:
            self._settle(index, was_open=False)
        else:
            self._poll_at(index, minute + max(1, math.ceil((after - now).total_seconds()
                                                           / SWEEP_S)))

    def _settle(self, index, was_open):
        kind = self.keys[index][0]
        self.settled.add(index)
        self.active[kind] -= 1
        if was_open:
            self._no_longer_open(index)
        if self.covered(index) and kind in ("github", "gitea"):
            self.unsubscribed[kind] += 1
