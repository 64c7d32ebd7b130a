"""A repository's pace: CHAOSS figures from its sample read over the simulator, plus our records.

The repository's history is known: twelve pull requests opened on known days,
answered first by a bot (excluded), by their own author (not an answer), then
by a maintainer after a known number of days; eight merged after known days,
two closed. The figures must be exactly what that history says.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from upstream_xblock.models import RepositorySample, TrackedContribution
from upstream_xblock.tracking import pace

pytestmark = pytest.mark.django_db

REPO = "openedx/xblock-sdk"
# (days ago opened, days to the maintainer's first answer, days to merge or None, state)
HISTORY = [(80, 1, 3, "merged"), (70, 2, 5, "merged"), (60, 2, 6, "merged"),
           (50, 3, 8, "merged"), (40, 1, 2, "merged"), (30, 6, 10, "merged"),
           (20, 4, 9, "merged"), (15, 2, 4, "merged"), (12, 8, None, "closed"),
           (10, 5, None, "closed"), (8, 9, None, "open"), (6, 1, None, "open")]


def seed(world, project=REPO, history=HISTORY, start=1, kind="github"):
    now = timezone.now()
    for offset, (ago, answer, merge, state) in enumerate(history):
        number, opened = start + offset, now - timedelta(days=ago)
        world.open(kind, project, number, author=f"learner{number}", created_at=opened,
                   state="open")
        # A bot answers within minutes, the author comments on their own: neither counts.
        world.answer(kind, project, number, "dependabot[bot]", opened + timedelta(hours=1))
        world.answer(kind, project, number, f"learner{number}", opened + timedelta(hours=2))
        world.answer(kind, project, number, "maintainer", opened + timedelta(days=answer))
        if state == "merged":
            world.edit(kind, project, number, state="merged",
                       merged_at=opened + timedelta(days=merge),
                       closed_at=opened + timedelta(days=merge))
        elif state == "closed":
            world.edit(kind, project, number, state="closed",
                       closed_at=opened + timedelta(days=answer + 1))
    # Older than 90 days: outside the window.
    world.open(kind, project, start + 50, created_at=now - timedelta(days=120),
               state="merged")
    return now


def track(project, number, learner="mia", **fields):
    """A learner's record of ``project``'s pull request ``number`` (the course knows it)."""
    return TrackedContribution.objects.create(
        usage_key="block-1", learner_id=learner,
        url=f"https://github.com/{project}/pull/{number}", kind="github", host="github.com",
        project=project, number=number, registered_at=timezone.now(), **fields)


def test_figures_of_a_repository_with_known_history(world, token_forges):
    now = seed(world)
    track(REPO, 11)
    world.clear_log()
    assert pace.refresh_samples(token_forges, now) == {"github.com": 1}
    assert len(world.requests_for("github")) == 1  # one query for the whole repository
    found = pace.PaceFigures(now).of("github.com", REPO)
    assert found == {"sample_size": 12, "first_response_days_median": 2.5,
                     "first_response_days_p80": 6.0, "merge_days_median": 5.5,
                     "merge_days_p80": 9.0, "acceptance_ratio": 0.8}


def test_fewer_than_ten_contributions_show_no_figure(world, token_forges):
    now = seed(world, project="tiny/project", history=HISTORY[:9])
    track("tiny/project", 1)
    pace.refresh_samples(token_forges, now)
    assert RepositorySample.objects.get(project="tiny/project").items  # read, nine items
    assert pace.PaceFigures(now).of("github.com", "tiny/project") is None


def test_read_at_most_daily(world, token_forges):
    now = seed(world)
    track(REPO, 11)
    pace.refresh_samples(token_forges, now)
    world.clear_log()
    assert pace.refresh_samples(token_forges, now + timedelta(hours=23)) == {}
    assert world.requests_for("github") == []
    assert pace.refresh_samples(token_forges, now + timedelta(hours=25)) == {"github.com": 1}


def test_the_course_records_count_where_no_forge_read_is_possible(forges):
    """Without a token there is no one-request read: our records' snapshots are the sample."""
    now = timezone.now()
    for number in range(1, 11):
        opened = now - timedelta(days=20 + number)
        track(REPO, number, learner=f"l{number}", state="merged",
            snapshot={"number": number, "state": "merged", "created_at": opened.isoformat(),
                      "merged_at": (opened + timedelta(days=number)).isoformat(),
                      "first_review_at": (opened + timedelta(days=1)).isoformat()})
    assert pace.refresh_samples(forges, now) == {}
    found = pace.PaceFigures(now).of("github.com", REPO)
    assert found["sample_size"] == 10
    assert found["merge_days_median"] == 5.5
    assert found["first_response_days_median"] == 1.0
    assert found["acceptance_ratio"] == 1.0


def test_reads_are_spread_over_the_day_within_the_budget_share(world, token_forges):
    now = timezone.now()
    for index in range(30):
        world.open("github", f"org/repo{index}", 1)
        track(f"org/repo{index}", 1)
    world.clear_log()
    assert pace.refresh_samples(token_forges, now) == {"github.com": 2}  # ceil(30 / 20)
    assert pace.refresh_samples(token_forges, now + timedelta(minutes=30)) == {}
    assert pace.refresh_samples(token_forges, now + timedelta(minutes=61)) == {"github.com": 2}
    assert len(world.requests_for("github")) == 4
    forge = token_forges.registry.get("github.com")
    assert pace.host_quota(forge, 100_000, now + timedelta(hours=5)) == 500  # 10 % of 5,000


def test_the_overdue_scan_runs_hourly_or_when_figures_change(world, token_forges):
    from upstream_xblock.models import PaceStanding
    from upstream_xblock.tracking import overdue
    now = seed(world)
    world.open("github", REPO, 13, author="learner13", created_at=now - timedelta(days=9))
    track(REPO, 13, state="open", snapshot={"number": 13, "state": "open",
                                             "created_at": (now - timedelta(days=9)).isoformat()})
    overdue.after_sweep(now)  # the first scan: no figures yet, nothing overdue
    assert PaceStanding.objects.count() == 0
    assert overdue.scan_due() is False
    pace.refresh_samples(token_forges, now + timedelta(minutes=2))  # new figures
    overdue.after_sweep(now + timedelta(minutes=3))
    assert list(PaceStanding.objects.values_list("record__number", "overdue_days")) == [(13, 3.0)]


def test_a_gerrit_project_in_one_query_without_its_ci_bot(world, forges):
    now = seed(world, project="openstack/nova", kind="gerrit", start=1001)
    TrackedContribution.objects.create(
        usage_key="block-1", learner_id="mia", kind="gerrit", host="review.opendev.org",
        project="openstack/nova", number=1011, registered_at=now,
        url="https://review.opendev.org/c/openstack/nova/+/1011")
    world.clear_log()
    assert pace.refresh_samples(forges, now) == {"review.opendev.org": 1}
    assert len(world.requests_for("gerrit")) == 1
    found = pace.PaceFigures(now).of("review.opendev.org", "openstack/nova")
    assert (found["sample_size"], found["first_response_days_median"],
            found["first_response_days_p80"], found["merge_days_median"],
            found["acceptance_ratio"]) == (12, 2.5, 6.0, 5.5, 0.8)
