"""The gradebook's round trip: the CSV staff export is the CSV they import.

Staff export, fill ``action`` and ``reason`` on some rows, dry-run and import the same
file: the other columns are ignored, rows without an action change nothing, the older
six-column file still imports. Large exports run as a background job writing a file into
the report store, offered as a link when ready, in the block and in the course workspace.
"""

import csv
import io
import json
import tracemalloc

from django.utils import timezone
from webob import Request

from tests.staff.conftest import unawarded_learners
from tests.workspace.conftest import BASE, WEEK3, WEEK6, call, seed_course
from upstream_xblock.models import ContributionAward, TrackedContribution
from upstream_xblock.staff import csv_files, exports
from upstream_xblock.staff.audit import Actor
from upstream_xblock.staff.models import AnnotationIndex, ExportJob


def exported(block, filters=None):
    query = "" if filters is None else "?filters=" + json.dumps(filters)
    return block.runtime.handle(block, "export_csv", Request.blank("/" + query)).body.decode()


def fill(text, edits):
    """The exported file with ``edits`` ({row number: {column: value}}) written in, as a
    spreadsheet saves it."""
    rows = list(csv.DictReader(io.StringIO(text)))
    for number, values in edits.items():
        rows[number].update(values)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=csv_files.EXPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue(), rows


def test_the_export_imports_as_it_is(harness, staff_block):
    usage = str(staff_block.scope_ids.usage_id)
    ada, bob, cy = unawarded_learners(usage, 3)
    text = exported(staff_block)
    header = text.splitlines()[0].split(",")
    assert header[-4:] == ["action", "reason", "text", "visibility"]
    rows = list(csv.DictReader(io.StringIO(text)))
    # Unchanged, the file changes nothing and reports no error.
    body = harness.call(staff_block, "import_csv", {"csv": text, "dry_run": False})[1]
    assert body["errors"] == [] and body["changes"] == [] and body["unchanged"] == len(rows)
    ada_row = next(n for n, row in enumerate(rows) if row["username"] == ada)
    bob_row = next(n for n, row in enumerate(rows) if row["username"] == bob)
    filled, rows = fill(text, {
        ada_row: {"action": "accept", "reason": "Patch sent to the mailing list"},
        bob_row: {"action": "annotate", "text": "Please rebase", "visibility": "learner"}})
    status, body = harness.call(staff_block, "import_csv", {"csv": filled, "dry_run": True})
    assert status == 200 and body["errors"] == [] and body["unchanged"] == len(rows) - 2
    accept, note = body["changes"]
    assert (accept["username"], accept["action_label"], accept["after_label"]) == (
        ada, "Accept", "Completed")
    assert accept["url"] == rows[ada_row]["url"] and accept["before_label"] == "In progress"
    assert (note["username"], note["action_label"]) == (bob, "Annotate")
    assert not ContributionAward.objects.filter(learner_id=ada).exists()
    body = harness.call(staff_block, "import_csv", {"csv": filled, "dry_run": False})[1]
    assert body["applied"] is True
    assert ContributionAward.objects.get(learner_id=ada).contributions == [rows[ada_row]["url"]]
    assert not ContributionAward.objects.filter(learner_id__in=[bob, cy]).exists()


def test_the_older_six_column_file_still_imports(harness, staff_block):
    usage = str(staff_block.scope_ids.usage_id)
    ada = unawarded_learners(usage, 1)[0]
    text = f"username,action,url,reason,text,visibility\n{ada},accept,,Good work,,\n"
    body = harness.call(staff_block, "import_csv", {"csv": text, "dry_run": False})[1]
    assert body["errors"] == [] and body["applied"] is True
    assert ContributionAward.objects.filter(learner_id=ada).exists()


def test_a_line_of_another_activity_is_refused_in_a_block(harness, staff_block):
    usage = str(staff_block.scope_ids.usage_id)
    ada = unawarded_learners(usage, 1)[0]
    text = f"username,action,reason,activity\n{ada},accept,Good,block-v1:o+c+r+type@x+block@y\n"
    body = harness.call(staff_block, "import_csv", {"csv": text, "dry_run": True})[1]
    assert [(e["line"], e["column"]) for e in body["errors"]] == [(2, "activity")]


def test_a_contribution_a_mentor_described_is_exported_by_its_description(harness, world,
                                                                          staff_block):
    world.open("github", "openedx/xblock-sdk", 1, author="ada")
    learner = harness.block(student="ada", usage_id=staff_block.scope_ids.usage_id)
    assert harness.call(learner, "register", {
        "url": "https://github.com/openedx/xblock-sdk/pull/1"})[0] == 200
    status, body = harness.call(staff_block, "vouch", {
        "learner_id": "ada", "reason": "Seen on the list",
        "description": "[PATCH v2] docs: fix the install guide"})
    assert status == 200, body
    assert body["contribution"]["described"] is True
    assert body["contribution"]["title"] == "[PATCH v2] docs: fix the install guide"
    assert body["contribution"]["repository"] == "" and body["contribution"]["number"] is None
    rows = list(csv.DictReader(io.StringIO(exported(staff_block))))
    described = [row for row in rows if row["forge"] == "described"]
    assert described[0]["url"] == "" and described[0]["repository"] == ""
    assert described[0]["title"] == "[PATCH v2] docs: fix the install guide"
    assert not any("vouched:" in value for row in rows for value in row.values())


def run_export(harness, block, filters=None):
    status, body = harness.call(block, "export_start", {"filters": filters or {}})
    assert status == 200 and body["status"] == "queued", body
    status, body = harness.call(block, "export_job", {"export": body["export"]})
    assert status == 200 and body["status"] == "done", body
    return body


def test_the_blocks_export_job_writes_a_file_offered_as_a_link(harness, staff_block):
    usage = str(staff_block.scope_ids.usage_id)
    learners = unawarded_learners(usage, 4)
    done = run_export(harness, staff_block, {"search": learners[0]})
    assert done["rows"] == 2 and done["filename"].endswith(".csv")
    assert "export_file" in done["download_url"] and f"export={done['export']}" in \
        done["download_url"]
    response = staff_block.runtime.handle(
        staff_block, "export_file", Request.blank(f"/?export={done['export']}"))
    assert response.status_code == 200 and response.content_type == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.body.decode() == exported(staff_block, {"search": learners[0]})
    other = harness.block(student="ada", usage_id=staff_block.scope_ids.usage_id)
    assert other.runtime.handle(other, "export_file", Request.blank(
        f"/?export={done['export']}")).status_code == 403
    assert harness.call(staff_block, "export_job", {"export": 999})[0] == 404


def test_the_courses_export_imports_in_the_workspace(course, client):
    seed_course(8, awarded_every=100)
    status, body = call(client, "export", {"filters": {}})
    assert status == 200, body
    done = call(client, "export_job", {"export": body["export"]})[1]
    assert done["status"] == "done" and done["rows"] == 8
    assert done["download_url"] == f"{BASE}export/{done['export']}/?student=sam"
    response = client.get(done["download_url"])
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["activity"] for row in rows} == {WEEK3, WEEK6}
    assert {row["activity_name"] for row in rows} == {"First contribution (week 3)",
                                                      "Second contribution (week 6)"}
    week6 = next(n for n, row in enumerate(rows) if row["activity"] == WEEK6)
    filled, rows = fill(text, {week6: {"action": "accept", "reason": "On the list"}})
    status, body = call(client, "import_csv", {"csv": filled, "dry_run": False})
    assert status == 200 and body["errors"] == [] and body["applied"] is True, body
    assert body["changes"][0]["activity"] == WEEK6
    award = ContributionAward.objects.get(usage_key=WEEK6)
    assert award.learner_id == rows[week6]["username"] and award.points == 2.0
    mentor = client.get(done["download_url"].replace("student=sam", "student=mia"))
    assert mentor.status_code == 403


def _peak_of_export(rows, usage):
    TrackedContribution.objects.filter(usage_key=usage).delete()
    ContributionAward.objects.filter(usage_key=usage).delete()
    AnnotationIndex.objects.filter(usage_key=usage).delete()
    unawarded_learners(usage, rows // 2)
    job = exports.start(course_key="", usage_key=usage, filters={}, actor=Actor("sam", "sam"),
                        now=timezone.now(), language="en")
    tracemalloc.start()
    tracemalloc.reset_peak()
    assert exports.run(job.pk, timezone.now())
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    job.refresh_from_db()
    assert job.status == "done" and job.rows >= rows
    return peak


def test_the_export_jobs_memory_does_not_grow_with_its_rows(staff_block, monkeypatch):
    """Learners are read a chunk at a time and lines go to a file: the peak is one chunk's,
    at 5 chunks or at 50 (a smaller chunk here, to see many chunks quickly)."""
    monkeypatch.setattr(csv_files, "CHUNK", 50)
    usage = str(staff_block.scope_ids.usage_id)
    small, large = _peak_of_export(500, usage), _peak_of_export(5000, usage)
    assert large / small <= 1.3, (small, large)
    assert ExportJob.objects.filter(status="done").count() == 2


def test_no_one_grades_themselves_from_the_course_workspace(course, client):
    """Staff who are also learners of the course: a course-wide bulk accept or a CSV import
    line on their own record is refused (403 ``self_grading``), and nothing changes."""
    seed_course(4, awarded_every=100)
    TrackedContribution.objects.create(
        usage_key=WEEK6, course_key=course, learner_id="sam", kind="github",
        url="https://github.com/openedx/xblock-sdk/pull/999", host="github.com",
        project="openedx/xblock-sdk", number=999, state="merged", verdict="pending",
        checks=[], registered_at=timezone.now())
    status, body = call(client, "bulk", {"action": "accept", "activity": WEEK6,
                                         "reason": "Mine", "learner_ids": ["sam", "learner00000"]})
    assert (status, body["error"]["code"]) == (403, "self_grading"), body
    text = b"".join(client.get(call(client, "export_job", {"export": call(
        client, "export", {"filters": {}})[1]["export"]})[1]["download_url"]).streaming_content)
    own = next(n for n, row in enumerate(csv.DictReader(io.StringIO(text.decode())))
               if row["username"] == "sam")
    filled, _rows = fill(text.decode(), {own: {"action": "accept", "reason": "Mine"}})
    status, body = call(client, "import_csv", {"csv": filled, "dry_run": False})
    assert (status, body["error"]["code"]) == (403, "self_grading"), body
    assert not ContributionAward.objects.filter(learner_id="sam").exists()
