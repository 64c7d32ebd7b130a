"""The schedule driven by the budget (issue 13, item 2), as the simulation runs it.

For each host and token, every sweep spends ``share`` of the forge's hourly
budget (prorated to the sweep) on open contributions, in order of how likely
they changed: first those seen approved and waiting for a merge or active on
the forge in the last day, then the longest unchecked (a fair round: each
queue is first in, first out, and a checked contribution goes to the back).
The more budget, the more often each is checked, whatever its age.

This is the policy ``tracking/`` adopts once the sweep restructuring lands;
the simulation measures it (``course_simulation.py --schedule budget``).
"""

from collections import deque
from datetime import timedelta

from course_requests import CONNECTIONS_PER_PULL
from upstream_xblock.forges.gerrit_batch import QUERY_TERMS
from upstream_xblock.forges.gitlab_graphql import per_query

ACTIVE_FOR = timedelta(days=1)
DEFAULT_SHARE = 0.5


def per_unit(kind):
    """Contributions one unit of a forge's budget reads (GitHub: a point; others: a request).

    GitLab counts the GraphQL size (REST reads up to 100 a request: the estimate is low on
    purpose, so the budget is never overspent).
    """
    return {"github": 100 // CONNECTIONS_PER_PULL, "gitlab": per_query(False),
            "gerrit": QUERY_TERMS}.get(kind, 1)


class BudgetSchedule:
    """Per host: who is checked at each sweep, within ``share`` of the host's budget."""

    def __init__(self, budgets, sweep_every_s, share=DEFAULT_SHARE):
        self.budgets, self.share, self.sweep_every_s = budgets, share, sweep_every_s
        self.likely = {}  # host -> deque of contribution indexes (approved or recently active)
        self.others = {}

    def register(self, host, index):
        """A new contribution: never checked, so first in line."""
        self.others.setdefault(host, deque()).appendleft(index)

    def capacity(self, kind, host):
        units = self.budgets[host] * self.share * self.sweep_every_s / 3600
        return max(1, int(units * per_unit(kind)))

    def due(self, kind, host):
        """The indexes to check in this sweep on ``host``, taken off their queues."""
        room = self.capacity(kind, host)
        chosen = []
        for queue in (self.likely.get(host), self.others.get(host)):
            while queue and len(chosen) < room:
                chosen.append(queue.popleft())
        return chosen

    def checked(self, host, index, item, now):
        """Back in line after a check (not at all once settled)."""
        state = item.state(now)
        if state != "open":
            return
        likely = (item.approved_at and item.approved_at <= now) or \
            now - item.last_activity(now) <= ACTIVE_FOR
        (self.likely if likely else self.others).setdefault(host, deque()).append(index)
