"""The staff pages' aggregates follow every kind of write to the registry, at a bounded cost.

After any sequence of writes (instances, querysets, bulk operations, awards, the
annotation index), the maintained rows equal the rows computed from scratch; a
write to a column no aggregate reads costs no extra statement; the migration's
fill and ``rebuild`` agree with what the writes maintained.
"""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from upstream_xblock.models import ContributionAward, TrackedContribution
from upstream_xblock.staff import aggregates
from upstream_xblock.staff.changes import progress_batch
from upstream_xblock.staff.models import AnnotationIndex, CourseProgress, LearnerProgress

COURSE_A, COURSE_B = "course-v1:A+B+C", "course-v1:D+E+F"
FIRST, SECOND, OTHER = ("block-v1:A+B+C+type@upstream_contribution+block@first",
                        "block-v1:A+B+C+type@upstream_contribution+block@second",
                        "block-v1:D+E+F+type@upstream_contribution+block@other")
COURSE_OF = {FIRST: COURSE_A, SECOND: COURSE_A, OTHER: COURSE_B}
BLOCK_FIELDS = ("contributions", "pending", "accepted", "last_activity", "waiting_since",
                "awarded", "annotated", "verdict_rank", "course_key")
COURSE_FIELDS = ("activities", "completed", "pending", "contributions", "accepted",
                 "last_activity", "waiting_since", "annotated", "stalled", "oldest_active",
                 "verdict_rank")


def record(usage, learner, number, days_ago=0, **fields):
    return TrackedContribution(
        usage_key=usage, course_key=COURSE_OF[usage], learner_id=learner,
        url=f"https://github.com/o/p/pull/{number}", kind="github", host="github.com",
        project="o/p", number=number,
        registered_at=timezone.now() - timedelta(days=days_ago), **fields)


def maintained():
    blocks = {(row.usage_key, row.learner_id): tuple(bool(v) if isinstance(v, bool) else v
                                                     for v in (getattr(row, f)
                                                               for f in BLOCK_FIELDS))
              for row in LearnerProgress.objects.all()}
    courses = {(row.course_key, row.learner_id): tuple(getattr(row, f) for f in COURSE_FIELDS)
               for row in CourseProgress.objects.all()}
    return blocks, courses


def from_scratch():
    """What the rows would be if computed now from the registry (kept apart, then compared)."""
    LearnerProgress.objects.all().delete()
    CourseProgress.objects.all().delete()
    aggregates.rebuild(usage_keys=(FIRST, SECOND, OTHER), course_keys=(COURSE_A, COURSE_B))
    return maintained()


def assert_in_step():
    kept = maintained()
    assert kept == from_scratch()
    return kept


@pytest.mark.django_db
def test_every_kind_of_write_keeps_the_aggregates_in_step():
    TrackedContribution.objects.bulk_create([
        record(FIRST, "ada", 1, days_ago=30, verdict="pending", state="open"),
        record(FIRST, "ada", 2, days_ago=3, verdict="rejected", state="closed"),
        record(SECOND, "ada", 3, days_ago=2, verdict="pending", state="draft"),
        record(FIRST, "bob", 4, days_ago=1, verdict="accepted", state="merged"),
        record(OTHER, "bob", 5, verdict="", state=""),
    ])
    blocks, courses = assert_in_step()
    assert blocks[(FIRST, "ada")][:3] == (2, 1, 0)  # two contributions, one pending
    assert courses[(COURSE_A, "ada")][:2] == (2, 0)  # two activities, none complete
    # An instance created, then saved with and without an aggregated column.
    row = TrackedContribution.objects.create(**{
        f.name: getattr(record(SECOND, "cy", 6, verdict="pending"), f.name)
        for f in TrackedContribution._meta.concrete_fields if f.name != "id"})
    row.verdict = "accepted"
    row.save(update_fields=["verdict"])
    assert_in_step()
    # A queryset update, a bulk update, an award and its removal.
    TrackedContribution.objects.filter(learner_id="ada", usage_key=FIRST).update(
        verdict="accepted", accepted_at=timezone.now())
    rows = list(TrackedContribution.objects.filter(learner_id="bob"))
    for each in rows:
        each.state, each.verdict = "closed", "rejected"
    TrackedContribution.objects.bulk_update(rows, ["state", "verdict"])
    assert_in_step()
    award = ContributionAward.objects.create(usage_key=FIRST, learner_id="ada",
                                             course_key=COURSE_A, awarded_at=timezone.now(),
                                             score=1.0)
    blocks, courses = assert_in_step()
    assert blocks[(FIRST, "ada")][5] is True and blocks[(FIRST, "ada")][7] == 0
    assert courses[(COURSE_A, "ada")][1] == 1  # one of two activities complete
    award.delete()
    # The annotation index, then deletions: an instance, then a whole learner.
    AnnotationIndex.objects.create(usage_key=SECOND, learner_id="ada", count=2, for_learner=1)
    blocks, courses = assert_in_step()
    assert blocks[(SECOND, "ada")][6] is True and courses[(COURSE_A, "ada")][7]
    row.delete()
    TrackedContribution.objects.filter(learner_id="bob").delete()
    blocks, courses = assert_in_step()
    assert not any(learner in ("bob", "cy") for _key, learner in blocks)
    assert not any(learner in ("bob", "cy") for _key, learner in courses)


@pytest.mark.django_db
def test_a_write_no_aggregate_reads_costs_nothing_more():
    TrackedContribution.objects.bulk_create([record(FIRST, "ada", n) for n in range(1, 4)])
    with CaptureQueriesContext(connection) as plain:
        TrackedContribution.objects.filter(learner_id="ada").update(
            next_check_at=timezone.now(), claim_token="sweep-1")
        ContributionAward.objects.filter(learner_id="ada").update(published=True)
    assert len(plain.captured_queries) == 2
    with CaptureQueriesContext(connection) as aggregated:
        TrackedContribution.objects.filter(learner_id="ada").update(verdict="accepted")
    # The pairs it touches, the update, then one upsert per aggregate.
    assert len(aggregated.captured_queries) == 4


@pytest.mark.django_db
def test_a_batch_reports_once_whatever_it_wrote():
    TrackedContribution.objects.bulk_create([record(FIRST, f"l{n}", n) for n in range(50)])
    with CaptureQueriesContext(connection) as queries, progress_batch():
        rows = list(TrackedContribution.objects.all())
        for each in rows:
            each.verdict = "accepted"
        TrackedContribution.objects.bulk_update(rows, ["verdict"])
        ContributionAward.objects.bulk_create([ContributionAward(
            usage_key=FIRST, learner_id=each.learner_id, course_key=COURSE_A,
            awarded_at=timezone.now(), score=1.0) for each in rows])
    upserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT INTO")
               and "progress" in q["sql"]]
    assert len(upserts) == 2  # one for the blocks, one for the course
    assert LearnerProgress.objects.filter(awarded=True, verdict_rank=0).count() == 50
    assert_in_step()


@pytest.mark.django_db
def test_the_migration_fills_what_the_writes_maintain():
    TrackedContribution.objects.bulk_create([
        record(FIRST, "ada", 1, days_ago=20, verdict="pending", state="open"),
        record(SECOND, "ada", 2, verdict="accepted", state="merged"),
        record(OTHER, "bob", 3, verdict="", state="draft")])
    ContributionAward.objects.create(usage_key=SECOND, learner_id="ada", course_key=COURSE_A,
                                     awarded_at=timezone.now(), score=1.0)
    AnnotationIndex.objects.create(usage_key=FIRST, learner_id="ada", count=1)
    kept = maintained()
    LearnerProgress.objects.all().delete()
    CourseProgress.objects.all().delete()
    migration = importlib.import_module(
        "upstream_xblock.migrations.0003_workspace_aggregates")
    migration.fill(django_apps, None)
    assert maintained() == kept
    assert kept[1][(COURSE_A, "ada")][-1] == 1  # one of two activities complete: in progress


@pytest.mark.django_db
def test_a_learners_recompute_reads_their_rows_only():
    """Recomputing one learner costs the same statements in a block of 10 or 2,000 learners."""
    counts = []
    for size in (10, 2000):
        TrackedContribution.objects.all().delete()
        TrackedContribution.objects.bulk_create(
            [record(FIRST, f"l{n:05d}", n) for n in range(size)], batch_size=500)
        with CaptureQueriesContext(connection) as queries:
            TrackedContribution.objects.filter(learner_id="l00003").update(verdict="accepted")
        counts.append(len(queries.captured_queries))
        plan = LearnerProgress.objects.filter(Q(usage_key=FIRST, learner_id__in=["l00003"]))
        assert "SCAN" not in plan.explain().replace("SCAN CONSTANT", "")
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_the_repair_command_rebuilds_a_course():
    from io import StringIO

    from django.core.management import call_command
    TrackedContribution.objects.bulk_create([record(FIRST, "ada", 1, verdict="pending"),
                                             record(SECOND, "bob", 2, verdict="accepted")])
    kept = maintained()
    LearnerProgress.objects.all().delete()
    CourseProgress.objects.all().delete()
    out = StringIO()
    call_command("upstream_xblock_rebuild_progress", "--course", COURSE_A, stdout=out)
    assert "recomputed 2 learner rows" in out.getvalue()
    assert maintained() == kept
