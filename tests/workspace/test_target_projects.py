"""The workspace's table of target projects (contributions, accepted, median first response,
median merge) and its CSV; the overdue filter and sort over the whole course."""

import csv
import io
from datetime import timedelta

from django.utils import timezone

from tests.workspace.conftest import BASE, COURSE, MENTOR, WEEK3, call, seed_course
from upstream_xblock.models import PaceStanding, RepositorySample, TrackedContribution


def sample(now, count=12):
    """A cached sample of openedx/xblock-sdk: answered after 2 days, merged after 5."""
    return [{"number": 1000 + i, "state": "merged",
             "created_at": (now - timedelta(days=10 + i)).isoformat(),
             "merged_at": (now - timedelta(days=5 + i)).isoformat(),
             "closed_at": (now - timedelta(days=5 + i)).isoformat(),
             "first_response_at": (now - timedelta(days=8 + i)).isoformat()}
            for i in range(count)]


def test_the_projects_table_and_its_csv(course, client):
    now = timezone.now()
    seed_course(20)
    TrackedContribution.objects.create(
        usage_key=WEEK3, course_key=COURSE, learner_id="learner99", kind="gerrit",
        host="review.opendev.org", project="=cmd|' /C calc'!A0", number=7, registered_at=now,
        url="https://review.opendev.org/c/x/+/7")
    RepositorySample.objects.create(kind="github", host="github.com",
                                    project="openedx/xblock-sdk", items=sample(now),
                                    fetched_at=now, attempted_at=now,
                                    next_fetch_at=now + timedelta(days=1))
    status, body = call(client, "projects")
    assert status == 200
    assert body["projects"] == [
        {"host": "github.com", "repository": "openedx/xblock-sdk", "contributions": 20,
         "accepted": 4, "first_response_days_median": 2.0, "merge_days_median": 5.0,
         "sample_size": 12},
        {"host": "review.opendev.org", "repository": "=cmd|' /C calc'!A0", "contributions": 1,
         "accepted": 0, "first_response_days_median": None, "merge_days_median": None,
         "sample_size": None}]
    assert call(client, "projects", student=MENTOR)[0] == 200
    assert call(client, "projects", student="stranger")[0] == 403
    response = client.get(BASE + "projects.csv?student=sam")
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == ["host", "repository", "contributions", "accepted",
                        "first_response_days_median", "merge_days_median", "sample_size"]
    assert lines[1] == ["github.com", "openedx/xblock-sdk", "20", "4", "2.0", "5.0", "12"]
    assert lines[2][1] == "'=cmd|' /C calc'!A0"  # a formula is text in a spreadsheet
    assert client.get(BASE + "projects.csv?student=stranger").status_code == 403


def test_the_course_filters_and_sorts_by_overdue(course, client):
    seed_course(10)
    now = timezone.now()
    for learner, days in (("learner00001", 4.0), ("learner00003", 9.0)):
        record = TrackedContribution.objects.filter(learner_id=learner).first()
        PaceStanding.objects.create(record=record, usage_key=record.usage_key,
                                    learner_id=learner, overdue_days=days, updated_at=now)
    status, body = call(client, "progress", {"filters": {"overdue": True}, "sort": "-overdue"})
    assert status == 200, body
    assert [row["learner"]["id"] for row in body["rows"]] == ["learner00003", "learner00001"]
    assert [row["overdue_days"] for row in body["rows"]] == [9.0, 4.0]  # the column's days
