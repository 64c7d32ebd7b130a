"""How often an open contribution is checked: the host's rate budget decides (issue 13).

For each host and token, a configurable share of the forge's hourly budget
(``Schedule.budget_share_percent``, default half) is spent on the open
contributions of that host: with ``n`` open and ``c`` checks an hour
affordable, each is checked every ``n / c`` hours (never more often than
``Schedule.budget_min_s``, never less often than ``Schedule.open_max_s``). So
the checking frequency grows with the budget, whatever a contribution's age.
That interval is for the contributions likely to have changed (approved and
waiting for a merge, or active on the forge in the last day); the others wait
twice as long, so the share holds even if every one were likely.

What one unit of budget reads, by the clients' batch reads: a GitHub GraphQL
point reads 50 pull requests (a pull request asks two connections; GitHub
charges a point per 100); a GitLab request at least one GraphQL query's worth
(its REST ``iids[]`` reads up to 100: the estimate stays low on purpose); a
Gerrit query 100 changes; a Gitea request, or a REST GitHub one, one.

Among the due, the claim order takes the longest overdue first.
"""

from datetime import datetime, timedelta

from ..forges.gerrit_batch import QUERY_TERMS
from ..forges.gitlab_graphql import per_query

# Hourly budgets when the forge has not said its own (documented where they are):
# GitHub 5,000 points with a token (60 requests without); gitlab.com 500 requests a minute
# per address; the others publish none, one request a second is assumed.
GITHUB_TOKEN_HOURLY, GITHUB_ANONYMOUS_HOURLY = 5000, 60
GITLAB_COM_HOURLY = 30_000
ASSUMED_HOURLY = 3600
RECENT_ACTIVITY = timedelta(days=1)
ACTIVITY_FIELDS = ("created_at", "first_review_at", "changes_requested_at", "approved_at")


def per_unit(forge):
    """Contributions one unit of ``forge``'s budget reads in a sweep."""
    if forge.kind == "github":
        return 50 if forge.token else 1
    if forge.kind == "gitlab":
        return per_query(bool(forge.token))
    if forge.kind == "gerrit":
        return QUERY_TERMS
    return 1


def hourly_budget(forge, known_limit=None):
    """The forge's budget an hour: what it said (``known_limit``), else the defaults above."""
    if known_limit:
        return known_limit
    if forge.kind == "github":
        return GITHUB_TOKEN_HOURLY if forge.token else GITHUB_ANONYMOUS_HOURLY
    if forge.host == "gitlab.com":
        return GITLAB_COM_HOURLY
    return ASSUMED_HOURLY


def open_interval_s(forge, open_count, share_percent, known_limit=None):
    """Seconds between two checks of each of ``open_count`` open contributions on ``forge``."""
    checks_an_hour = hourly_budget(forge, known_limit) * share_percent / 100 * per_unit(forge)
    return 3600 * max(open_count, 1) / max(checks_an_hour, 1e-9)


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
