"""The course-wide workspace's data: each learner once, every activity, in a fixed number of
queries whatever the course's size; who may see it; its filters, sorts and bulk actions."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.workspace.conftest import (
    BASE,
    COURSE,
    MENTOR,
    STAFF,
    WEEK3,
    WEEK6,
    call,
    seed_course,
)
from upstream_xblock.models import ContributionAward, TrackedContribution
from upstream_xblock.staff.models import BulkJob, CourseProgress, LearnerProgress
from upstream_xblock.staff.progress import STUCK_AFTER_DAYS


def page_queries(client, payload):
    with CaptureQueriesContext(connection) as queries:
        status, body = call(client, "progress", payload)
    assert status == 200, body
    return len(queries.captured_queries), body


PAYLOADS = {
    "first page": {"page": 1, "page_size": 25},
    "filtered and sorted": {"page": 2, "page_size": 25, "sort": "username",
                            "filters": {"verdict": ["pending"]}},
    "one activity, stuck": {"page": 1, "filters": {"stuck": True, "activity": WEEK6}},
    "last page": {"page": 10 ** 6, "page_size": 25, "sort": "last_activity"},
}


def test_a_page_costs_the_same_queries_at_100_1000_10000_and_50000_records(course, client):
    counts = {name: {} for name in PAYLOADS}
    for size in (100, 1000, 10_000, 50_000):
        TrackedContribution.objects.all().delete()
        ContributionAward.objects.all().delete()
        seed_course(size)
        assert CourseProgress.objects.filter(course_key=COURSE).count() == size // 2
        for name, payload in PAYLOADS.items():
            counts[name][size], body = page_queries(client, payload)
            assert body["rows"] and body["summary"]["registered"] == size // 2, name
    for name, by_size in counts.items():
        assert len(set(by_size.values())) == 1, (name, by_size)
        # Who asks (the activities' mentors), count, page, the page's activity rows, records
        # and awards, the activities, the summary (two): never per learner.
        assert by_size[100] <= 9, (name, by_size)
    print("workspace page queries:", counts)


def test_each_learner_once_with_every_activity(course, client):
    seed_course(20)
    stale = timezone.now() - timedelta(days=STUCK_AFTER_DAYS)
    status, body = call(client, "progress", {"page_size": 100, "sort": "username"})
    assert status == 200
    assert body["count"] == 10 and len(body["rows"]) == 10
    assert [a["name"] for a in body["activities"]] == ["First contribution (week 3)",
                                                       "Second contribution (week 6)"]
    first = body["rows"][0]
    assert first["learner"] == {"id": "learner00000", "username": "learner00000"}
    assert [cell["id"] for cell in first["activities"]] == [WEEK3, WEEK6]
    week3 = first["activities"][0]
    assert week3["verdict"] == "accepted" and week3["verdict_label"] == "Completed"
    assert week3["award"] is not None and len(week3["contributions"]) == 1
    assert first["counts"] == {"activities": 2, "completed": 1, "pending": 0,
                               "contributions": 2, "accepted": 1}
    stuck = {row.learner_id for row in LearnerProgress.objects.all()
             if not row.awarded and (row.pending == 0 or row.last_activity < stale)}
    assert body["summary"] == {"registered": 10, "accepted": 0, "pending": 6,
                               "rejected": 4, "stuck": len(stuck)}


def test_filters_sorts_and_one_activity(course, client):
    learners = seed_course(40)

    def names(**filters):
        body = call(client, "progress", {"page_size": 100, "sort": "username",
                                         "filters": filters})[1]
        return [row["learner"]["username"] for row in body["rows"]]

    assert names() == learners
    assert names(search="learner0001") == [n for n in learners if "learner0001" in n]
    in_week6_pending = sorted(set(LearnerProgress.objects.filter(
        usage_key=WEEK6, verdict_rank=1).values_list("learner_id", flat=True)))
    assert names(activity=WEEK6, verdict=["pending"]) == in_week6_pending
    awarded = sorted(ContributionAward.objects.values_list("learner_id", flat=True))
    assert set(names(activity=WEEK3, verdict=["accepted"])) == set(awarded)
    assert names(state=["draft"]) == sorted(set(TrackedContribution.objects.filter(
        state="draft").values_list("learner_id", flat=True)))
    status, body = call(client, "progress", {"filters": {"activity": "block-v1:x+y+z"}})
    assert status == 400 and body["error"]["field"] == "activity"


@pytest.mark.parametrize("student,progress_status,bulk_status", [
    (None, 403, 403), ("ada", 403, 403), (MENTOR, 200, 403), (STAFF, 200, 200),
])
def test_staff_and_the_courses_mentors_only(course, client, student, progress_status,
                                            bulk_status):
    seed_course(4)
    assert call(client, "progress", {}, student=student)[0] == progress_status
    status, body = call(client, "bulk", {"action": "check_now", "activity": WEEK3,
                                         "learner_ids": ["learner00000"]}, student=student)
    assert status == bulk_status, body
    if status == 403:
        assert body["error"]["code"] == "forbidden"
    page = client.get(BASE + (f"?student={student}" if student else ""))
    assert page.status_code == progress_status


def test_an_unknown_course_is_not_found(course, client):
    assert client.get("/upstream-xblock/course/not-a-course/?student=sam").status_code == 404
    response = client.post("/upstream-xblock/course/not-a-course/progress/?student=sam",
                           data="{}", content_type="application/json")
    assert response.status_code == 404


def test_a_bulk_accept_in_one_activity_of_the_course(course, client):
    seed_course(20, awarded_every=100)
    status, body = call(client, "bulk", {
        "action": "accept", "activity": WEEK6, "reason": "Patch on the mailing list",
        "filters": {"search": "learner0000"}})
    assert status == 200, body
    assert body["count"] == 10  # learner00000 .. learner00009, all in week 6
    job = BulkJob.objects.get(pk=body["job"])
    assert (job.usage_key, job.course_key, job.params["points"]) == (WEEK6, COURSE, 2.0)
    done = call(client, "bulk_job", {"job": body["job"]})[1]
    assert done["status"] == "done" and done["changed"] == 10
    assert ContributionAward.objects.filter(usage_key=WEEK6).count() == 10
    assert CourseProgress.objects.get(learner_id="learner00002").completed == 1
    trail = call(client, "audit", {"filters": {"activity": WEEK6, "action": "bulk"}})[1]
    assert trail["rows"][0]["summary"] == "Accept: 10 learners"
    # and one entry a grade change, as in a block (tests/staff/test_audit_coverage.py)
    from upstream_xblock.staff.models import AuditEntry  # noqa: PLC0415
    assert AuditEntry.objects.filter(action="accept", usage_key=WEEK6,
                                     verdict_after="accepted").count() == 10
    assert call(client, "bulk", {"action": "accept", "activity": "nope",
                                 "reason": "x"})[1]["error"]["field"] == "activity"


def test_a_bulk_accept_in_an_ungraded_activity_awards_no_points(course, client):
    """Points 0 is an author's choice (an ungraded activity), not "unknown": the
    workspace's accept gives 0, as the block's own would."""
    from upstream_xblock.models import BlockConfig
    seed_course(20, awarded_every=100)
    BlockConfig.objects.filter(usage_key=WEEK6).update(points=0)
    status, body = call(client, "bulk", {
        "action": "accept", "activity": WEEK6, "reason": "Patch on the mailing list",
        "filters": {"search": "learner0000"}})
    assert status == 200, body
    assert BulkJob.objects.get(pk=body["job"]).params["points"] == 0


def test_student_names_nobody_where_the_site_did_not_say_so(course, client, settings):
    """Outside the workbench demo (no ``UPSTREAM_XBLOCK_DEMO_USERS``) the views fail closed:
    ``?student=staff`` is no sign-in."""
    seed_course(4)
    settings.UPSTREAM_XBLOCK_DEMO_USERS = False
    assert call(client, "progress", {}, student=STAFF)[0] == 403
    assert client.get(BASE + f"?student={STAFF}").status_code == 403
