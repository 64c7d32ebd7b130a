"""CSV export (streamed, formula injection neutralised) and import (dry run, every error)."""

import csv
import io
import json

import pytest
from django.db.models import F
from django.utils import timezone
from webob import Request

from tests.mentors.conftest import seed_annotation_state
from tests.staff.conftest import unawarded_learners
from upstream_xblock.models import ContributionAward, TrackedContribution
from upstream_xblock.staff import csv_files
from upstream_xblock.staff.models import AnnotationIndex, AuditEntry
from upstream_xblock.staff.progress import Filters


def export(block, filters=None):
    query = "" if filters is None else "?filters=" + json.dumps(filters)
    response = block.runtime.handle(block, "export_csv", Request.blank("/" + query))
    return response


def import_csv(harness, block, text, dry_run=True, **extra):
    return harness.call(block, "import_csv", {"csv": text, "dry_run": dry_run, **extra})


def database_state():
    """Everything an import could change."""
    return (list(TrackedContribution.objects.order_by("pk").values()),
            list(ContributionAward.objects.order_by("pk").values()),
            list(AnnotationIndex.objects.order_by("pk").values()),
            AuditEntry.objects.count())


def test_export_is_streamed_one_row_per_contribution(staff_block):
    usage = str(staff_block.scope_ids.usage_id)
    learners = unawarded_learners(usage, 6)
    seed_annotation_state(usage, learners[:1], text="=HYPERLINK(\"http://evil\")")
    TrackedContribution.objects.filter(learner_id=learners[0]).update(title="=cmd|' /C calc'!A0")
    response = export(staff_block, {"search": learners[0]})
    assert response.status_code == 200 and response.content_type == "text/csv"
    assert not isinstance(response.app_iter, (list, tuple))  # a generator: streamed
    rows = list(csv.DictReader(io.StringIO(response.body.decode())))
    assert tuple(rows[0]) == csv_files.EXPORT_COLUMNS
    assert len(rows) == 2 and {r["username"] for r in rows} == {learners[0]}
    assert rows[0]["title"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["annotations"].startswith("mia (learner): =HYPERLINK")  # inside a cell
    assert rows[0]["url"].startswith("https://github.com/")


@pytest.mark.parametrize("value,written", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("fine", "fine"), ("", ""), (None, ""),
])
def test_formula_cells_are_written_as_text(value, written):
    assert csv_files.neutralise(value) == written


def test_export_reads_learners_a_chunk_at_a_time(staff_block, monkeypatch):
    """Learners are read CHUNK at a time, in learner order (keyset), never all at once."""
    usage = str(staff_block.scope_ids.usage_id)
    unawarded_learners(usage, 30)
    monkeypatch.setattr(csv_files, "CHUNK", 7)
    chunks = list(csv_files._learner_chunks(
        csv_files.Scope(usage_key=usage), Filters(), F("learner_id"), timezone.now()))
    assert all(len(chunk) <= 7 for chunk in chunks) and len(chunks) > 5
    learners = [learner for chunk in chunks for learner, _name in chunk]
    assert learners == sorted(set(learners))


def test_the_export_carries_the_audit_trail(harness, staff_block):
    usage = str(staff_block.scope_ids.usage_id)
    learner = unawarded_learners(usage, 1)[0]
    harness.call(staff_block, "bulk", {"action": "accept", "learner_ids": [learner],
                                       "reason": "Patch on the list"})
    rows = list(csv.DictReader(io.StringIO(export(staff_block).body.decode())))
    mine = [row for row in rows if row["username"] == learner]
    assert "accept by sam: Patch on the list" in mine[0]["staff_actions"]
    assert mine[0]["awarded_at"] and mine[0]["award_published"] == "yes"  # with the job


HEADER = "username,action,url,reason,text,visibility\n"


@pytest.fixture
def two_learners(staff_block):
    usage = str(staff_block.scope_ids.usage_id)
    learners = unawarded_learners(usage, 2)
    url = TrackedContribution.objects.filter(learner_id=learners[0]).first().url
    return learners, url


def test_a_dry_run_lists_every_change_and_changes_nothing(harness, staff_block, two_learners):
    (ada, bob), url = two_learners
    text = (HEADER + f"{ada},accept,{url},Sent to the mailing list,,\n"
            f"{bob},annotate,,,Please rebase,learner\n{bob},revoke,,Copied,,\n")
    before = database_state()
    status, body = import_csv(harness, staff_block, text, dry_run=True)
    assert status == 200 and body["errors"] == [] and body["applied"] is False
    assert [(c["line"], c["action"], c["username"], c["after"]) for c in body["changes"]] == [
        (2, "accept", ada, "accepted"), (3, "annotate", bob, body["changes"][1]["before"]),
        (4, "revoke", bob, body["changes"][2]["before"])]
    assert body["changes"][2]["no_change"] is True  # bob holds no award
    assert database_state() == before
    status, body = import_csv(harness, staff_block, text, dry_run=False)
    assert status == 200 and body["applied"] is True
    assert ContributionAward.objects.get(learner_id=ada).contributions == [url]
    notes = harness.call(staff_block, "progress", {"filters": {"search": bob}})[1]["rows"][0]
    assert [n["text"] for n in notes["annotations"]] == ["Please rebase"]
    assert set(AuditEntry.objects.filter(source="csv").values_list("action", flat=True)) == {
        "accept", "annotate"}


def malformed_cases(ada, url):
    big = HEADER + (f"{ada},annotate,,,{'x' * 1000},mentors\n" * 10_500)
    return [
        ("bad header", "user,what\nada,accept\n", [(1, "username, action")]),
        ("missing column", "username,url\n" + ada + ",\n", [(1, "action")]),
        ("bad encoding", HEADER + f"{ada},annotate,,,caf\ufffd,mentors\n", [(2, "text")]),
        ("unknown learner", HEADER + "nobody,accept,,ok,,\n", [(2, "username")]),
        ("unknown URL", HEADER + f"{ada},accept,https://github.com/x/y/pull/9,ok,,\n",
         [(2, "url")]),
        ("empty reason", HEADER + f"{ada},revoke,,,,\n{ada},accept,{url},  ,,\n",
         [(2, "reason"), (3, "reason")]),
        ("formula cells", HEADER + f"{ada},annotate,,,=HYPERLINK(\"x\"),mentors\n"
                                   f"{ada},accept,,@SUM(1),,\n", [(2, "text"), (3, "reason")]),
        ("unknown action", HEADER + f"{ada},delete,,x,,\n", [(2, "action")]),
        ("cell count", HEADER + f"{ada},accept\n", [(2, "")]),
        ("bad visibility", HEADER + f"{ada},annotate,,,hi,everyone\n", [(2, "visibility")]),
        ("10 MB file", big, "file_too_large"),
    ]


def test_each_malformed_file_gives_its_lines_error(harness, staff_block, two_learners):
    (ada, _bob), url = two_learners
    before = database_state()
    for name, text, expected in malformed_cases(ada, url):
        status, body = import_csv(harness, staff_block, text, dry_run=False)
        if expected == "file_too_large":
            assert len(text.encode()) > 10 * 1024 * 1024
            assert status == 413 and body["error"]["code"] == "file_too_large", name
            assert "8 MB" in body["error"]["message"]
            continue
        assert status == 200, (name, body)
        assert [(e["line"], e["column"]) for e in body["errors"]] == expected, (name, body)
        assert all(e["message"] for e in body["errors"])
        assert body["applied"] is False
    assert database_state() == before


def test_good_lines_are_applied_only_when_asked(harness, staff_block, two_learners):
    (ada, bob), _url = two_learners
    text = HEADER + f"{ada},accept,,Good,,\nnobody,accept,,ok,,\n"
    body = import_csv(harness, staff_block, text, dry_run=False)[1]
    assert body["applied"] is False and len(body["errors"]) == 1
    assert not ContributionAward.objects.filter(learner_id=ada).exists()
    body = import_csv(harness, staff_block, text, dry_run=False, apply_valid=True)[1]
    assert body["applied"] is True
    assert ContributionAward.objects.filter(learner_id=ada).exists()
    assert not ContributionAward.objects.filter(learner_id=bob).exists()


def test_an_exported_neutralised_cell_imports_as_its_text(harness, staff_block, two_learners):
    (ada, _bob), _url = two_learners
    text = HEADER + f"{ada},annotate,,,'=not a formula,mentors\n"
    body = import_csv(harness, staff_block, text, dry_run=True)[1]
    assert body["errors"] == [] and body["changes"][0]["reason"] == "=not a formula"


def test_a_body_that_is_not_utf8_is_refused_clearly(harness, staff_block):
    status, body = harness.call(staff_block, "import_csv", body=b'{"csv": "caf\xe9"}')
    assert status == 400 and body["error"]["code"] == "bad_encoding"


def test_deeply_nested_json_is_a_bad_request_not_a_server_error(harness, staff_block):
    """Python's JSON parser raises RecursionError past ~1,000 levels: 40 KB of brackets."""
    deep = b"[" * 20_000 + b"]" * 20_000
    status, body = harness.call(staff_block, "import_csv", body=deep)
    assert status == 400 and body["error"]["code"] == "bad_request"
    response = staff_block.runtime.handle(
        staff_block, "export_csv", Request.blank("/?filters=" + "[" * 5_000 + "]" * 5_000))
    assert response.status_code == 400
    assert json.loads(response.body)["error"]["code"] == "bad_request"


def test_audit_is_paginated_and_filtered(harness, staff_block, two_learners):
    (ada, bob), _url = two_learners
    import_csv(harness, staff_block, HEADER + f"{ada},accept,,A,,\n{bob},accept,,B,,\n",
               dry_run=False)
    status, body = harness.call(staff_block, "audit", {"page": 1, "page_size": 1,
                                                        "filters": {"action": "accept"}})
    assert status == 200 and (body["count"], body["pages"], len(body["rows"])) == (2, 2, 1)
    row = body["rows"][0]
    assert row["actor"]["username"] == "sam" and row["verdict_after"] == "accepted"
    assert row["learner_id"] in (ada, bob) and row["reason"] in ("A", "B")
    only_bob = harness.call(staff_block, "audit", {"filters": {"learner_id": bob}})[1]
    assert [r["reason"] for r in only_bob["rows"]] == ["B"]
    assert harness.call(staff_block, "audit", {"filters": {"action": "x"}})[0] == 400
    # What one bulk job changed: its entries.
    job = harness.call(staff_block, "bulk", {"action": "revoke", "learner_ids": [ada, bob],
                                             "reason": "Duplicate"})[1]["job"]
    by_job = harness.call(staff_block, "audit", {"filters": {"job": job, "action": "revoke"}})[1]
    assert sorted(r["learner_id"] for r in by_job["rows"]) == sorted([ada, bob])
    assert all(r["job"] == job for r in by_job["rows"])


@pytest.mark.parametrize("bad", ["\ud800", "\udc00x", "\x00"])
def test_the_csv_reader_refuses_text_that_is_not_valid_unicode(harness, staff_block,
                                                               two_learners, bad):
    """A lone surrogate or a NUL anywhere in the file: the whole import is refused (400), in
    the reader itself as in the JSON body that carries it, and nothing changes."""
    (ada, _bob), _url = two_learners
    text = HEADER + f"{ada},annotate,,,caf{bad},mentors\n"
    with pytest.raises(csv_files.ImportNotText):
        csv_files.plan(str(staff_block.scope_ids.usage_id), text, F("learner_id"),
                       timezone.now())
    before = database_state()
    for dry_run in (True, False):
        status, body = import_csv(harness, staff_block, text, dry_run=dry_run)
        assert (status, body["error"]["code"]) == (400, "bad_request")
    assert database_state() == before
