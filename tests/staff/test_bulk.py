"""Bulk actions: queries grow by chunks, not per learner; idempotent; progress; audit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.staff.conftest import unawarded_learners
from upstream_xblock import compat
from upstream_xblock.models import ContributionAward, TrackedContribution
from upstream_xblock.staff import bulk
from upstream_xblock.staff.audit import Actor
from upstream_xblock.staff.bulk import CHUNK_SIZE
from upstream_xblock.staff.models import AnnotationIndex, AuditEntry, BulkJob


def run_to_the_end(harness, block, job):
    """Poll the job's progress as the staff page does (each poll runs the next chunk)."""
    polls = 0
    while True:
        status, body = harness.call(block, "bulk_job", {"job": job})
        assert status == 200, body
        polls += 1
        if body["status"] == "done":
            return body, polls


class Platform:
    """The platform's batch publisher, recording each call (the chunk's own queries are
    counted here; the LMS's writes are counted by tests/staff/lms_staff)."""

    def __init__(self):
        self.batches = []

    def __call__(self, awards):
        self.batches.append(len(awards))
        for award in awards:
            award.score_published = award.completion_published = True
        return {award.pk: True for award in awards}


@pytest.fixture
def platform(monkeypatch):
    recorder = Platform()
    monkeypatch.setattr(compat, "publish_awards_in_background", recorder)
    return recorder


def chunk_query_counts(job_id):
    """The queries of each chunk of a job, run one after another."""
    counts = []
    while True:
        with CaptureQueriesContext(connection) as chunk:
            ran = bulk.run_chunk(job_id, timezone.now())
        if not ran:
            return counts
        counts.append(len(chunk.captured_queries))


def test_bulk_accept_queries_grow_by_chunks_not_by_learner(staff_block, platform):
    """CHUNK_SIZE is 200: 10 and 100 learners are one chunk, 1,000 are five chunks.

    A chunk of accept: claim the job and read it (2), the records and the awards (2),
    insert the awards, read back which ones it made (so that a job submitted twice changes
    and records each learner once), update the records, write the audit entries (one
    statement each on PostgreSQL/MySQL; on SQLite Django splits them to stay under its
    999 parameters: 90 awards a statement), a savepoint pair, then publish the chunk's
    awards (find, claim and read them, mark them published: 4), move the cursor, the
    two upserts of the staff pages' aggregates (staff.aggregates: the chunk's learners,
    once), and the learners' "it counts" notices queued together (the block's name, who
    turned emails off, one insert: 4 with its savepoint). Measured on SQLite: see the
    printed counts (at most 27 a chunk; 23 before the notices).
    """
    usage = str(staff_block.scope_ids.usage_id)
    per_chunk = {}
    for size in (10, 100, 1000):
        TrackedContribution.objects.all().delete()
        ContributionAward.objects.all().delete()
        AnnotationIndex.objects.all().delete()
        learners = unawarded_learners(usage, size)
        assert len(learners) == size
        job = bulk.start(usage, "", "accept", learners, {"reason": "Mailing-list patch"},
                         Actor("sam", "sam"), timezone.now())
        per_chunk[size] = chunk_query_counts(job.pk)
        job.refresh_from_db()
        assert (job.status, job.changed, job.cursor) == ("done", size, size)
        assert ContributionAward.objects.filter(learner_id__in=learners).count() == size
    assert CHUNK_SIZE == 200
    assert [len(per_chunk[size]) for size in (10, 100, 1000)] == [1, 1, 5]
    full = per_chunk[1000][0]
    # Every full chunk costs the same; a smaller one no more (fewer SQLite batches).
    assert per_chunk[1000] == [full] * 5, per_chunk
    assert per_chunk[10][0] <= per_chunk[100][0] <= full <= 27, per_chunk
    # 100 times the learners, not 100 times the queries: 5 chunks' worth.
    assert sum(per_chunk[1000]) == 5 * full
    # Each chunk's awards were published with it, in one batch.
    assert platform.batches == [10, 100] + [CHUNK_SIZE] * 5
    print("bulk accept queries per chunk:", per_chunk)


def test_starting_a_bulk_job_costs_the_same_for_any_selection(harness, staff_block,
                                                              platform):  # noqa: ARG001
    """The request resolves the selection, stores the job and runs the first chunk only."""
    usage = str(staff_block.scope_ids.usage_id)
    counts = []
    for size in (200, 1000):
        TrackedContribution.objects.all().delete()
        ContributionAward.objects.all().delete()
        AnnotationIndex.objects.all().delete()
        unawarded_learners(usage, size)
        with CaptureQueriesContext(connection) as started:
            status, body = harness.call(staff_block, "bulk", {
                "action": "accept", "filters": {"verdict": ["pending", "rejected"]},
                "reason": "Mailing-list patch"})
        assert status == 200 and body["count"] >= size, body
        counts.append(len(started.captured_queries))
        done, polls = run_to_the_end(harness, staff_block, body["job"])
        # The request ran the first chunk; each poll runs one more.
        assert done["changed"] == body["count"]
        assert polls == max(1, -(-body["count"] // 200) - 1)
    # The selection (1), the staff check's state read (1), the job and its audit entry (2),
    # then one chunk (at most 27, depending on SQLite's batches): never per learner.
    assert all(count <= 4 + 27 for count in counts), counts


def test_bulk_accept_is_idempotent_and_graded_through_the_award_path(harness, staff_block):
    usage = str(staff_block.scope_ids.usage_id)
    learners = unawarded_learners(usage, 5)
    payload = {"action": "accept", "learner_ids": learners, "reason": "Vouched"}
    first = harness.call(staff_block, "bulk", payload)[1]
    done, _ = run_to_the_end(harness, staff_block, first["job"])
    assert done["changed"] == 5
    awards = ContributionAward.objects.filter(learner_id__in=learners)
    # Published with the job's chunk, not left to later sweeps.
    assert awards.count() == 5 and all(a.published for a in awards)
    again = harness.call(staff_block, "bulk", payload)[1]
    repeated, _ = run_to_the_end(harness, staff_block, again["job"])
    assert (repeated["changed"], repeated["skipped"]) == (0, 5)
    assert ContributionAward.objects.filter(learner_id__in=learners).count() == 5
    record = TrackedContribution.objects.filter(learner_id=learners[0]).first()
    assert record.checks[-1]["id"] == "staff" and record.checks[-1]["params"] == {
        "reason": "Vouched"}
    entries = AuditEntry.objects.filter(action="accept", learner_id__in=learners)
    assert entries.count() == 5
    entry = entries.first()
    assert (entry.actor_username, entry.reason, entry.verdict_after) == ("sam", "Vouched",
                                                                       "accepted")
    assert entry.verdict_before in ("pending", "rejected")


def test_the_learner_next_visit_publishes_a_bulk_award(harness, staff_block, world):
    world.open("github", "openedx/xblock-sdk", 1, author="ada")
    ada = harness.block(student="ada", usage_id=staff_block.scope_ids.usage_id)
    assert harness.call(ada, "register", {"url": "https://github.com/openedx/xblock-sdk/pull/1",
                                          "forge_username": "ada"})[0] == 200
    body = harness.call(staff_block, "bulk", {"action": "accept", "learner_ids": ["ada"],
                                              "reason": "Reviewed on the mailing list"})[1]
    assert body["count"] == 1
    status = harness.call(ada, "status")[1]
    assert ContributionAward.objects.get(learner_id="ada").published
    assert status["contributions"][0]["verdict"] == "accepted"


def test_bulk_on_the_whole_filter_says_how_many(harness, staff_block):
    usage = str(staff_block.scope_ids.usage_id)
    unawarded_learners(usage, 30)
    pending = harness.call(staff_block, "progress", {"filters": {"verdict": "pending"}})[1]
    status, body = harness.call(staff_block, "bulk", {
        "action": "check_now", "filters": {"verdict": "pending"}})
    assert status == 200 and body["count"] == pending["count"] > 0
    job = BulkJob.objects.get(pk=body["job"])
    assert job.action == "check_now" and len(job.learner_ids) == body["count"]


def test_bulk_check_now_queues_unsettled_records(harness, staff_block):
    usage = str(staff_block.scope_ids.usage_id)
    learners = unawarded_learners(usage, 4)
    TrackedContribution.objects.filter(learner_id__in=learners).update(
        next_check_at="2100-01-01T00:00:00Z")
    body = harness.call(staff_block, "bulk", {"action": "check_now", "learner_ids": learners})[1]
    done, _ = run_to_the_end(harness, staff_block, body["job"])
    assert done["changed"] == 4 and done["checked"] == 0
    assert not TrackedContribution.objects.filter(
        learner_id__in=learners, next_check_at__gt="2099-01-01T00:00:00Z").exists()


def test_bulk_revoke_and_annotate(harness, staff_block):
    usage = str(staff_block.scope_ids.usage_id)
    learners = unawarded_learners(usage, 3)
    job = harness.call(staff_block, "bulk", {"action": "accept", "learner_ids": learners,
                                             "reason": "ok"})[1]["job"]
    run_to_the_end(harness, staff_block, job)
    job = harness.call(staff_block, "bulk", {"action": "revoke", "learner_ids": learners,
                                             "reason": "Copied work"})[1]["job"]
    done, _ = run_to_the_end(harness, staff_block, job)
    assert done["changed"] == 3
    assert not ContributionAward.objects.filter(learner_id__in=learners).exists()
    payload = {"action": "annotate", "learner_ids": learners, "text": "Office hours Friday",
               "visibility": "learner"}
    for expected in (3, 0):  # the second time, every learner already has the note
        job = harness.call(staff_block, "bulk", payload)[1]["job"]
        assert run_to_the_end(harness, staff_block, job)[0]["changed"] == expected
    row = harness.call(staff_block, "progress", {"filters": {"search": learners[0]}})[1]["rows"][0]
    assert [n["text"] for n in row["annotations"]] == ["Office hours Friday"]
    actions = {e.action for e in AuditEntry.objects.filter(learner_id=learners[0])}
    assert actions == {"accept", "revoke", "annotate"}


@pytest.mark.parametrize("payload,code", [
    ({"action": "delete_everything", "learner_ids": ["a"]}, "bad_request"),
    ({"action": "accept", "learner_ids": ["a"]}, "bad_request"),
    ({"action": "revoke", "learner_ids": ["a"], "reason": "  "}, "bad_request"),
    ({"action": "annotate", "learner_ids": ["a"]}, "bad_request"),
    ({"action": "check_now", "learner_ids": "a"}, "bad_request"),
    ({"action": "check_now", "filters": {"nope": 1}}, "bad_request"),
])
def test_bad_bulk_requests(harness, staff_block, payload, code):
    status, body = harness.call(staff_block, "bulk", payload)
    assert status == 400 and body["error"]["code"] == code
    assert not BulkJob.objects.exists()


def test_unknown_learner_ids_are_not_counted(harness, staff_block):
    usage = str(staff_block.scope_ids.usage_id)
    learners = unawarded_learners(usage, 2)
    body = harness.call(staff_block, "bulk", {"action": "check_now",
                                              "learner_ids": [*learners, "nobody"]})[1]
    assert body["count"] == 2


def test_an_unfinished_job_resumes_when_staff_come_back(harness, staff_block):
    """No worker runs: the page left after the first chunk; the next visit finishes it."""
    usage = str(staff_block.scope_ids.usage_id)
    learners = unawarded_learners(usage, 450)
    job = bulk.start(usage, "", "check_now", learners, {}, Actor("sam", "sam"), timezone.now())
    assert bulk.run_chunk(job.pk, timezone.now())  # the request's first chunk
    status, resumed = harness.call(staff_block, "bulk_job", {})
    assert status == 200 and resumed["job"] == job.pk and resumed["done"] == 400
    assert harness.call(staff_block, "bulk_job", {})[1]["status"] == "done"
    assert harness.call(staff_block, "bulk_job", {})[1] == {"job": None}


def test_one_runner_at_a_time_holds_a_chunk(staff_block, monkeypatch):
    """A runner's lease keeps another off the job; a failed chunk frees it for a retry."""
    usage = str(staff_block.scope_ids.usage_id)
    learners = unawarded_learners(usage, 5)
    job = bulk.start(usage, "", "check_now", learners, {}, Actor("sam", "sam"), timezone.now())
    now = timezone.now()
    BulkJob.objects.filter(pk=job.pk).update(lease_until=now + bulk.LEASE)  # another runner
    assert bulk.run_chunk(job.pk, now) is False
    assert bulk.run_chunk(job.pk, now + bulk.LEASE) is True  # its lease lapsed

    again = bulk.start(usage, "", "check_now", learners, {}, Actor("sam", "sam"), now)

    def failing(_ctx, _learners):
        raise RuntimeError("database went away")

    monkeypatch.setitem(bulk.ACTIONS, "check_now", failing)
    with pytest.raises(RuntimeError):
        bulk.run_chunk(again.pk, now)
    again.refresh_from_db()
    assert (again.lease_until, again.cursor) == (None, 0)  # free, nothing counted
    monkeypatch.undo()
    assert bulk.run_chunk(again.pk, now) is True


def test_bulk_annotate_reads_each_learners_notes_once_under_their_lock(harness, staff_block,
                                                                       monkeypatch):
    """The duplicate check runs inside the locked change: one read of each learner's state
    (not a second, unlocked one), and a repeat adds nothing."""
    learners = unawarded_learners(str(staff_block.scope_ids.usage_id), 3)
    reads, read = [], compat.read_learner_state

    def counted(block, learner_id, *args, **kwargs):
        reads.append(learner_id)
        return read(block, learner_id, *args, **kwargs)

    monkeypatch.setattr(compat, "read_learner_state", counted)
    payload = {"action": "annotate", "learner_ids": learners, "text": "See the wiki",
               "visibility": "mentors"}
    for expected in (3, 0):
        reads.clear()
        job = harness.call(staff_block, "bulk", payload)[1]["job"]
        assert run_to_the_end(harness, staff_block, job)[0]["changed"] == expected
        assert sorted(reads) == sorted(learners)
