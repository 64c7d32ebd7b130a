"""The progress table: one page's queries do not grow with the records; filters, sorts, summary."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.mentors.conftest import MENTORED_XML, STAFF, as_user, seed_annotation_state, seed_records
from upstream_xblock.models import TrackedContribution


def staff_block(harness):
    return harness.block(MENTORED_XML, student=STAFF)


def page_queries(harness, block, payload):
    with CaptureQueriesContext(connection) as queries:
        status, body = harness.call(block, "progress", payload)
    assert status == 200, body
    return len(queries.captured_queries), body


@pytest.mark.parametrize("payload", [
    {"page": 1, "page_size": 50},
    {"page": 1, "page_size": 50, "sort": "username",
     "filters": {"search": "learner", "state": ["open", "merged", "closed", "draft", "unknown"],
                 "forge": "github.com", "verdict": ["accepted", "pending", "rejected"]}},
    {"page": 1, "page_size": 50, "sort": "-last_activity",
     "filters": {"has_annotations": False, "inactive_days": 1, "waiting_days": 0}},
])
def test_a_page_costs_the_same_queries_for_100_1000_and_10000_records(harness, payload):
    counts = []
    for records in (100, 1_000, 10_000):
        TrackedContribution.objects.all().delete()
        block = staff_block(harness)
        learners = seed_records(block.scope_ids.usage_id, records)
        seed_annotation_state(str(block.scope_ids.usage_id), learners)
        queries, body = page_queries(harness, block, payload)
        assert len(body["rows"]) == min(50, body["count"])
        assert records < 1000 or len(body["rows"]) == 50
        assert body["summary"]["registered"] == records // 2
        counts.append(queries)
    assert counts[0] == counts[1] == counts[2], counts
    # The matching count (unfiltered, the summary's), the page, its contributions, awards,
    # annotations, the summary (its verdicts and its stuck learners: two index reads of the
    # maintained aggregate, once after the writes that seeded the block).
    assert counts == [7 if "filters" in payload else 6] * 3, counts


def test_rows_carry_the_contract_keys(harness):
    block = staff_block(harness)
    learners = seed_records(block.scope_ids.usage_id, 20)
    seed_annotation_state(str(block.scope_ids.usage_id), learners[:1])
    status, body = harness.call(block, "progress", {"page": 1, "page_size": 4,
                                                    "sort": "username"})
    assert status == 200
    assert set(body) >= {"rows", "count", "page", "pages", "summary"}
    assert (body["count"], body["page"], body["pages"]) == (10, 1, 3)
    assert set(body["summary"]) == {"registered", "pending", "accepted", "rejected", "stuck"}
    row = body["rows"][0]
    assert row["learner"] == {"id": "learner00000", "username": "learner00000"}
    # Oldest registration first (pull/2 was registered a day before pull/1).
    assert [c["url"] for c in row["contributions"]] == [
        "https://github.com/openedx/xblock-sdk/pull/2", "https://github.com/openedx/xblock-sdk/pull/1"]
    assert row["annotations"][0]["text"] == "seeded note"
    assert row["award"] is not None and row["verdict"] == "accepted"


def test_summary_counts_learners_by_verdict(harness):
    block = staff_block(harness)
    seed_records(block.scope_ids.usage_id, 100)
    summary = harness.call(block, "progress", {})[1]["summary"]
    assert summary["registered"] == 50
    assert summary["accepted"] + summary["pending"] + summary["rejected"] == 50
    assert summary["accepted"] == 10  # every fifth learner holds the award


def sorted_usernames(harness, block, sort, **filters):
    body = harness.call(block, "progress", {"page_size": 100, "sort": sort,
                                            "filters": filters})[1]
    return [row["learner"]["username"] for row in body["rows"]], body["rows"]


def test_sorts(harness):
    block = staff_block(harness)
    seed_records(block.scope_ids.usage_id, 40)
    names, _rows = sorted_usernames(harness, block, "username")
    assert names == sorted(names)
    assert sorted_usernames(harness, block, "-username")[0] == names[::-1]
    _names, rows = sorted_usernames(harness, block, "-waiting")
    waits = [row["waiting_days"] if row["waiting_days"] is not None else -1 for row in rows]
    assert waits == sorted(waits, reverse=True)
    _names, rows = sorted_usernames(harness, block, "verdict")
    order = {"accepted": 0, "pending": 1, "rejected": 2}
    assert [order[r["verdict"]] for r in rows] == sorted(order[r["verdict"]] for r in rows)
    _names, rows = sorted_usernames(harness, block, "-last_activity")
    activity = [row["last_activity"] for row in rows]
    assert activity == sorted(activity, reverse=True)


def test_filters_select_learners(harness):
    block = staff_block(harness)
    usage = block.scope_ids.usage_id
    seed_records(usage, 40)
    now = timezone.now()
    everyone = sorted_usernames(harness, block, "username")[0]

    def names(**filters):
        return sorted_usernames(harness, block, "username", **filters)[0]

    assert names(search="learner0001") == [n for n in everyone if "learner0001" in n]
    # pull/3 and pull/30..39 belong to learners 1 and 14 to 19.
    assert names(search="pull/3") == ["learner00001", *[f"learner000{n}" for n in range(14, 20)]]
    assert set(names(verdict="accepted")) == set(everyone[::5])
    assert names(has_annotations=True) == everyone[::7]
    stuck = names(stuck=True)
    assert stuck and set(stuck).isdisjoint(everyone[::5])
    assert names(forge="gitlab.com") == [] and names(forge="github.com") == everyone
    assert names(repository="OpenEdX/xblock-sdk") == everyone
    # Waiting for review longer than 30 days: a pending, non-draft record registered > 30 days ago.
    expected = sorted({r.learner_id for r in TrackedContribution.objects.filter(
        usage_key=usage, verdict__in=("pending", ""), registered_at__lt=now - timedelta(days=30))
        .exclude(state="draft")})
    assert names(waiting_days=30) == expected
    assert names(inactive_days=100) == []


@pytest.mark.parametrize("payload,field,message_part", [
    ({"page": 0}, "page", "whole number"), ({"page_size": 101}, "page_size", "1 to 100"),
    ({"page": "1"}, "page", "whole number"), ({"sort": "title"}, "sort", "Sort by"),
    ({"filters": []}, None, "object"), ({"filters": {"colour": "red"}}, None, "colour"),
    ({"filters": {"verdict": "great"}}, "verdict", "offered values"),
    ({"filters": {"waiting_days": -1}}, "waiting_days", "number of days"),
    ({"filters": {"stuck": "yes"}}, "stuck", "yes or no"),
    ({"filters": {"search": "x" * 201}}, "search", "200 characters"),
])
def test_bad_table_requests(harness, payload, field, message_part):
    """A bad filter names its field (the page shows the message next to that field, under
    its visible label), in words a course team reads, not the filter's key."""
    status, body = harness.call(staff_block(harness), "progress", payload)
    assert status == 400 and body["error"]["code"] == "bad_request"
    assert body["error"].get("field") == field
    assert message_part in body["error"]["message"]
    if field not in (None, "sort"):
        assert field not in body["error"]["message"]


def test_a_page_past_the_end_is_the_last_page(harness):
    block = staff_block(harness)
    seed_records(block.scope_ids.usage_id, 10)
    body = harness.call(block, "progress", {"page": 9, "page_size": 2})[1]
    assert (body["page"], body["pages"], len(body["rows"])) == (3, 3, 1)


def test_the_table_of_one_block_shows_only_its_learners(harness):
    block = staff_block(harness)
    other = harness.block(MENTORED_XML, student=STAFF)
    seed_records(other.scope_ids.usage_id, 10)
    body = harness.call(as_user(harness, block, STAFF), "progress", {})[1]
    assert body["count"] == 0 and body["rows"] == []
