"""One sweep drill: 20 faulty and 20 healthy records, over real HTTP, for one fault.

Shared by ``tests/drills/test_sweep_faults.py`` (assertions) and
``bench/fault_bench.py`` (figures). The faulty records live on the four public
hosts (five per forge kind; GitHub with a token, so its five go through one
GraphQL batch) and the healthy ones on four other hosts of the same fault
server, so each host has its own budget and client, as on a real site.

The drill: a first sweep while everything is healthy stores each record's
snapshot; then the faulty contributions misbehave, the healthy ones are
merged, and a timed sweep must end within its budget, check and award the
healthy ones, keep the faulty ones' last good snapshots and award none of them.
"""

import time
from dataclasses import dataclass, field

from django.utils import timezone

from forge_simulator.ids import num_id
from upstream_xblock.forges import Forges
from upstream_xblock.identity import api as identity_api
from upstream_xblock.models import (
    BlockConfig,
    ContributionAward,
    TrackedContribution,
    VerifiedForgeAccount,
)
from upstream_xblock.policy import Rules
from upstream_xblock.tracking.schedule import Schedule
from upstream_xblock.tracking.sweep import Sweeper

KINDS = ("github", "gitlab", "gerrit", "gitea")
FAULTY_HOSTS = {"github": "github.com", "gitlab": "gitlab.com", "gerrit": "review.opendev.org",
                "gitea": "codeberg.org"}
HEALTHY_HOSTS = {kind: f"{kind}.healthy.test" for kind in KINDS}
# The healthy hosts' contributions live in a repository of their own: a fault of one pull
# request spoils its repository's listing (Gitea's batch read), never another repository's.
PROJECTS = {"github": "drill/app", "gitlab": "drill/app", "gerrit": "drill/app",
            "gitea": "drill/app"}
HEALTHY_PROJECTS = {**PROJECTS, "gitea": "drill/healthy"}
URLS = {"github": "https://{h}/{p}/pull/{n}", "gitlab": "https://{h}/{p}/-/merge_requests/{n}",
        "gerrit": "https://{h}/c/{p}/+/{n}", "gitea": "https://{h}/{p}/pulls/{n}"}
PER_KIND = 5  # 4 kinds x 5 = 20 faulty, and as many healthy
BLOCK = "drill-block"


@dataclass
class DrillResult:
    fault: str
    budget_s: float
    wall_s: float = 0.0
    healthy_checked: int = 0
    healthy_awarded: int = 0
    faulty_snapshots_kept: int = 0
    faulty_awarded: int = 0
    still_claimed: int = 0
    published: int = 0  # awards handed to the platform
    snapshots_lost: list = field(default_factory=list)  # (url, had a good one)
    error_codes: dict = field(default_factory=dict)

    @property
    def ratio(self):
        return self.wall_s / self.budget_s


def drill_settings(server, check_s):
    faulty = server.settings(github_token="drill-token", hosts=FAULTY_HOSTS,
                             deadlines={"sweep_check_s": check_s})
    healthy = server.settings(hosts=HEALTHY_HOSTS)
    return {**faulty, "forges": faulty["forges"] + healthy["forges"]}


def _record(world, kind, host, number, learner, now):
    """An open contribution by ``learner``'s own forge account, which they verified."""
    author = f"dev-{learner}"
    project = (PROJECTS if learner.startswith("faulty") else HEALTHY_PROJECTS)[kind]
    world.open(kind, project, number, author=author, state="open")
    identity_api.record(learner, host, str(num_id(author)), author, "oauth", now)
    return TrackedContribution(
        usage_key=BLOCK, learner_id=learner, kind=kind, host=host, project=project,
        number=number, url=URLS[kind].format(h=host, p=project, n=number),
        forge_username=author, registered_at=now, next_check_at=now)


def seed(server, first_number):
    """20 faulty and 20 healthy open records, all due; {pk: "faulty"|"healthy"}."""
    now = timezone.now()
    BlockConfig.objects.update_or_create(usage_key=BLOCK, defaults={
        "rules": Rules().to_dict(), "required_count": 1})
    rows, number = [], first_number
    for kind in KINDS:
        for index in range(PER_KIND):
            rows.append(_record(server.world, kind, FAULTY_HOSTS[kind], number,
                                f"faulty-{kind}-{index}", now))
            rows.append(_record(server.world, kind, HEALTHY_HOSTS[kind], number + 1,
                                f"healthy-{kind}-{index}", now))
            number += 2
    TrackedContribution.objects.bulk_create(rows)
    return {row.pk: ("faulty" if row.learner_id.startswith("faulty") else "healthy")
            for row in TrackedContribution.objects.filter(usage_key=BLOCK)}


def clear():
    TrackedContribution.objects.filter(usage_key=BLOCK).delete()
    ContributionAward.objects.filter(usage_key=BLOCK).delete()
    VerifiedForgeAccount.objects.filter(learner_id__regex=r"^(faulty|healthy)-").delete()


def run_drill(server, fault, budget_s=4.0, check_s=2.0, first_number=1000):
    """Seed, sweep healthy, break and merge, sweep again (timed); the DrillResult."""
    clear()
    roles = seed(server, first_number)
    forges = Forges.from_settings(drill_settings(server, check_s))
    schedule = Schedule(sweep_host_budget_s=budget_s, sweep_budget_s=budget_s)
    published = []
    for _ in range(3):  # a healthy first look at every record (a busy machine may drop one)
        Sweeper(forges, schedule, publisher=published.append).run_once()
        unseen = TrackedContribution.objects.filter(usage_key=BLOCK, snapshot__isnull=True)
        if not unseen.exists():
            break
        unseen.update(next_check_at=timezone.now())
    rows = list(TrackedContribution.objects.filter(usage_key=BLOCK))
    good = {row.pk: row.snapshot for row in rows}
    for row in rows:
        if roles[row.pk] == "faulty":
            server.fault(row.kind, row.project, row.number, fault)
        else:
            server.world.merge(row.kind, row.project, row.number)
    TrackedContribution.objects.filter(usage_key=BLOCK).update(next_check_at=timezone.now())
    started = time.monotonic()
    Sweeper(forges, schedule, publisher=published.append).run_once()
    result = DrillResult(fault=fault, budget_s=budget_s, wall_s=time.monotonic() - started)
    awarded = set(ContributionAward.objects.filter(usage_key=BLOCK).values_list(
        "learner_id", flat=True))
    for row in TrackedContribution.objects.filter(usage_key=BLOCK):
        result.still_claimed += bool(row.claim_token)
        if roles[row.pk] == "healthy":
            result.healthy_checked += row.state == "merged"
            result.healthy_awarded += row.learner_id in awarded
        else:
            kept = bool(good[row.pk]) and row.snapshot == good[row.pk]
            result.faulty_snapshots_kept += kept
            if not kept:
                result.snapshots_lost.append((row.url, bool(good[row.pk])))
            result.faulty_awarded += row.learner_id in awarded
            code = row.error_code or "none"
            result.error_codes[code] = result.error_codes.get(code, 0) + 1
    result.published = len(published)
    return result
