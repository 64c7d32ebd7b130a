"""The acceptance policy: a table of cases over the rules, and its invariants as properties."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from upstream_xblock.forges import Snapshot
from upstream_xblock.i18n import fill
from upstream_xblock.identity.api import VerifiedAccount
from upstream_xblock.policy import (
    ACCEPTED,
    FAILED,
    PASSED,
    PENDING,
    REJECTED,
    WAITING,
    Identity,
    Rules,
    combine,
    distinct_repository_check,
    evaluate,
    matches,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
COURSE_START = datetime(2026, 9, 1, tzinfo=timezone.utc)
# Ada typed her user name and verified her account on every host the table uses
# (tests/identity/ covers the author rule itself: typed names, account ids, renames).
ADA = Identity("ada", "upx-abcd1234", tuple(
    VerifiedAccount(host, "", "ada") for host in ("github.com", "gitlab.com",
                                                  "review.opendev.org")))


def snap(**fields):
    values = dict(kind="github", host="github.com", project="openedx/xblock", number=1,
                  state="open", author="ada", title="t", web_url="https://github.com/x",
                  created_at=datetime(2026, 10, 1, tzinfo=timezone.utc),
                  target_repository="openedx/xblock", labels=())
    values.update(fields)
    if values["state"] == "merged" and "merged_at" not in values:
        values["merged_at"] = datetime(2026, 11, 1, tzinfo=timezone.utc)
    return Snapshot(**values)


CASES = [
    # (case, snapshot fields, rule changes, identity, verdict, {check id: outcome})
    ("merged by the learner", {"state": "merged"}, {}, ADA, ACCEPTED, {"accepted": PASSED}),
    ("open waits", {}, {}, ADA, PENDING, {"accepted": WAITING}),
    ("closed unmerged is rejected", {"state": "closed"}, {}, ADA, REJECTED, {"accepted": FAILED}),
    ("draft waits", {"state": "draft"}, {}, ADA, PENDING, {"draft": WAITING}),
    ("merged but merges do not count", {"state": "merged"},
     {"count_merged": False, "count_approved": True}, ADA, PENDING, {"accepted": WAITING}),
    ("approved counts when enabled", {"review_decision": "approved"}, {"count_approved": True},
     ADA, ACCEPTED, {"accepted": PASSED}),
    ("approved ignored by default", {"review_decision": "approved"}, {}, ADA, PENDING,
     {"accepted": WAITING}),
    ("changes requested waits", {"review_decision": "changes_requested"},
     {"count_approved": True}, ADA, PENDING, {"accepted": WAITING}),
    ("approved draft never counts", {"state": "draft", "review_decision": "approved"},
     {"count_approved": True}, ADA, PENDING, {"accepted": PASSED, "draft": WAITING}),
    ("approved then closed", {"state": "closed", "review_decision": "approved"},
     {"count_approved": True}, ADA, REJECTED, {"accepted": FAILED}),
    ("maintainer label counts", {"labels": ("hacktoberfest-accepted",)},
     {"accept_labels": ("hacktoberfest-accepted",)}, ADA, ACCEPTED, {"accepted": PASSED}),
    ("label match ignores case", {"labels": ("Hacktoberfest-Accepted",)},
     {"accept_labels": ("hacktoberfest-accepted",)}, ADA, ACCEPTED, {"accepted": PASSED}),
    ("other label does not count", {"labels": ("docs",)},
     {"accept_labels": ("hacktoberfest-accepted",)}, ADA, PENDING, {"accepted": WAITING}),
    ("labelled draft never counts", {"state": "draft", "labels": ("hacktoberfest-accepted",)},
     {"accept_labels": ("hacktoberfest-accepted",)}, ADA, PENDING, {"draft": WAITING}),
    ("landed by commit counts", {"state": "closed", "landed_commit": "abcdef1234567"},
     {"count_landed_by_commit": True}, ADA, ACCEPTED, {"accepted": PASSED}),
    ("landed by commit ignored by default", {"state": "closed", "landed_commit": "abcdef1234567"},
     {}, ADA, REJECTED, {"accepted": FAILED}),
    ("closed without a landing commit", {"state": "closed"}, {"count_landed_by_commit": True},
     ADA, REJECTED, {"accepted": FAILED}),
    ("spam label disqualifies", {"state": "merged", "labels": ("spam",)}, {}, ADA, REJECTED,
     {"labels": FAILED}),
    ("invalid label disqualifies", {"state": "merged", "labels": ("INVALID",)}, {}, ADA, REJECTED,
     {"labels": FAILED}),
    ("custom deny list", {"state": "merged", "labels": ("spam",)}, {"deny_labels": ("wontfix",)},
     ADA, ACCEPTED, {"labels": PASSED}),
    ("no deny list, no label check", {"state": "merged", "labels": ("spam",)},
     {"deny_labels": ()}, ADA, ACCEPTED, {}),
    ("someone else's contribution", {"state": "merged", "author": "bob"}, {}, ADA, REJECTED,
     {"author": FAILED}),
    ("author compare ignores case", {"state": "merged", "author": "Ada"}, {}, ADA, ACCEPTED,
     {"author": PASSED}),
    ("username not given yet", {"state": "merged"}, {}, Identity(None), PENDING,
     {"author": WAITING}),
    ("author rule off", {"state": "merged", "author": "bob"}, {"require_author": False}, ADA,
     ACCEPTED, {}),
    ("ownership code present", {"state": "merged", "description": "Fixes #1. UPX-ABCD1234"},
     {"require_ownership_code": True}, ADA, ACCEPTED, {"ownership": PASSED}),
    ("ownership code missing", {"state": "merged", "description": "Fixes #1"},
     {"require_ownership_code": True}, ADA, PENDING, {"ownership": WAITING}),
    ("ownership code of someone else", {"state": "merged", "description": "upx-zzzz9999"},
     {"require_ownership_code": True}, ADA, PENDING, {"ownership": WAITING}),
    ("opened after the course start", {"state": "merged"}, {"opened_after": COURSE_START}, ADA,
     ACCEPTED, {"opened_after": PASSED}),
    ("opened before the course start",
     {"state": "merged", "created_at": datetime(2025, 1, 1, tzinfo=timezone.utc)},
     {"opened_after": COURSE_START}, ADA, REJECTED, {"opened_after": FAILED}),
    ("opened on the start day", {"state": "merged", "created_at": COURSE_START},
     {"opened_after": COURSE_START}, ADA, ACCEPTED, {"opened_after": PASSED}),
    ("opening date unknown", {"state": "merged", "created_at": None},
     {"opened_after": COURSE_START}, ADA, PENDING, {"opened_after": WAITING}),
    ("allowed repository", {"state": "merged"}, {"allowed_repositories": ("github.com/openedx/*",)},
     ADA, ACCEPTED, {"repository": PASSED}),
    ("repository not allowed", {"state": "merged", "target_repository": "django/django"},
     {"allowed_repositories": ("github.com/openedx/*",)}, ADA, REJECTED, {"repository": FAILED}),
    ("denied repository", {"state": "merged"},
     {"denied_repositories": ("github.com/openedx/xblock",)},
     ADA, REJECTED, {"repository": FAILED}),
    ("deny wins over allow", {"state": "merged"},
     {"allowed_repositories": ("github.com/**",), "denied_repositories": ("**/xblock",)}, ADA,
     REJECTED, {"repository": FAILED}),
    ("gitlab subgroups with **",
     {"state": "merged", "kind": "gitlab", "host": "gitlab.com",
      "target_repository": "mooc-floss/a/b/c"},
     {"allowed_repositories": ("gitlab.com/mooc-floss/**",)}, ADA, ACCEPTED,
     {"repository": PASSED}),
    ("* is one segment only",
     {"state": "merged", "kind": "gitlab", "host": "gitlab.com",
      "target_repository": "mooc-floss/a/b"},
     {"allowed_repositories": ("gitlab.com/mooc-floss/*",)}, ADA, REJECTED, {"repository": FAILED}),
    ("waiting period not over", {"state": "merged", "merged_at": NOW - timedelta(days=2)},
     {"waiting_days": 7}, ADA, PENDING, {"waiting_period": WAITING}),
    ("waiting period over", {"state": "merged", "merged_at": NOW - timedelta(days=8)},
     {"waiting_days": 7}, ADA, ACCEPTED, {"waiting_period": PASSED}),
    ("no waiting check while pending", {}, {"waiting_days": 7}, ADA, PENDING,
     {"accepted": WAITING}),
    ("two failures, one verdict", {"state": "closed", "author": "bob", "labels": ("spam",)}, {},
     ADA, REJECTED, {"accepted": FAILED, "author": FAILED, "labels": FAILED}),
    ("gerrit merged change", {"state": "merged", "kind": "gerrit", "host": "review.opendev.org",
                              "target_repository": "openstack/nova"},
     {"allowed_repositories": ("review.opendev.org/openstack/*",)}, ADA, ACCEPTED,
     {"repository": PASSED}),
]


@pytest.mark.parametrize("case,fields,rule_changes,identity,verdict,outcomes", CASES,
                         ids=[c[0] for c in CASES])
def test_rules(case, fields, rule_changes, identity, verdict, outcomes):
    rules = replace(Rules(), **rule_changes)
    snapshot = snap(**fields)
    qualified = snapshot.merged_at if snapshot.state == "merged" else None
    result = evaluate(snapshot, rules, identity, now=NOW, qualified_since=qualified)
    assert result.verdict == verdict, case
    by_id = {check.id: check for check in result.checks}
    for check_id, outcome in outcomes.items():
        assert by_id[check_id].outcome == outcome, (case, check_id)
    for check in result.checks:  # every check says why, with its parameters filled in
        assert check.reason and fill(check.reason, check.params)


def test_the_table_is_large_enough():
    assert len(CASES) >= 40


def test_distinct_repositories_check():
    assert distinct_repository_check("github.com/a/b", set()).outcome == PASSED
    assert distinct_repository_check("github.com/a/b", {"github.com/a/b"}).outcome == FAILED


@pytest.mark.parametrize("path,pattern,expected", [
    ("github.com/openedx/xblock", "github.com/openedx/*", True),
    ("github.com/openedx/xblock", "github.com/OpenEdx/*", True),
    ("github.com/openedx/xblock", "github.com/openedx/xblock-*", False),
    ("github.com/openedx/xblock-sdk", "github.com/openedx/xblock-*", True),
    ("gitlab.com/a/b/c", "gitlab.com/a/**", True),
    ("gitlab.com/a", "gitlab.com/a/**", True),
    ("gitlab.com/ab/c", "gitlab.com/a/**", False),
    ("github.com/x/y", "**", True),
])
def test_repository_patterns(path, pattern, expected):
    assert matches(path, pattern) is expected


# -- invariants -------------------------------------------------------------------------

STATES = st.sampled_from(["open", "draft", "merged", "closed"])
LABELS = st.lists(st.sampled_from(["spam", "invalid", "docs", "hacktoberfest-accepted"]),
                  max_size=3).map(tuple)
SNAPSHOTS = st.builds(
    lambda state, author, labels, review, landed, created, description: snap(
        state=state, author=author, labels=labels, review_decision=review,
        landed_commit=landed, created_at=created, description=description),
    STATES, st.sampled_from(["ada", "bob", "Ada"]), LABELS,
    st.sampled_from([None, "approved", "changes_requested", "review_required"]),
    st.sampled_from([None, "abcdef1234567"]),
    st.sampled_from([None, COURSE_START - timedelta(days=1), COURSE_START + timedelta(days=1)]),
    st.sampled_from(["", "upx-abcd1234", "nothing"]))
RULES = st.builds(
    Rules, count_merged=st.booleans(), count_approved=st.booleans(),
    accept_labels=st.sampled_from([(), ("hacktoberfest-accepted",)]),
    count_landed_by_commit=st.booleans(),
    deny_labels=st.sampled_from([(), ("spam", "invalid")]), require_author=st.booleans(),
    require_ownership_code=st.booleans(), opened_after=st.sampled_from([None, COURSE_START]),
    allowed_repositories=st.sampled_from([(), ("github.com/openedx/*",), ("gitlab.com/**",)]),
    denied_repositories=st.sampled_from([(), ("github.com/openedx/xblock",)]),
    waiting_days=st.sampled_from([0, 3]), trust_typed_usernames=st.booleans())
IDENTITIES = st.builds(Identity, st.sampled_from([None, "ada", "bob"]),
                       st.sampled_from([None, "upx-abcd1234"]),
                       st.sampled_from([(), ADA.verified_accounts]))
SEVERITY = {ACCEPTED: 0, PENDING: 1, REJECTED: 2}


@settings(max_examples=500, deadline=None)
@given(SNAPSHOTS, RULES, IDENTITIES)
def test_a_draft_is_never_accepted(snapshot, rules, identity):
    if snapshot.state == "draft":
        assert evaluate(snapshot, rules, identity, now=NOW).verdict != ACCEPTED


@settings(max_examples=500, deadline=None)
@given(SNAPSHOTS, RULES, IDENTITIES, st.sampled_from([
    {"require_author": True}, {"require_ownership_code": True},
    {"opened_after": COURSE_START}, {"allowed_repositories": ("gitlab.com/**",)},
    {"denied_repositories": ("github.com/**",)}, {"deny_labels": ("spam", "invalid", "docs")},
    {"waiting_days": 30}]))
def test_adding_a_rule_never_makes_it_more_accepted(snapshot, rules, identity, stricter):
    before = evaluate(snapshot, rules, identity, now=NOW, qualified_since=NOW)
    after = evaluate(snapshot, replace(rules, **stricter), identity, now=NOW, qualified_since=NOW)
    assert SEVERITY[after.verdict] >= SEVERITY[before.verdict]


@settings(max_examples=300, deadline=None)
@given(SNAPSHOTS, RULES, IDENTITIES, st.randoms(use_true_random=False))
def test_verdict_does_not_depend_on_the_order_of_checks(snapshot, rules, identity, rnd):
    result = evaluate(snapshot, rules, identity, now=NOW)
    shuffled = list(result.checks)
    rnd.shuffle(shuffled)
    assert combine(shuffled) == result.verdict
    assert result.verdict == combine(list(reversed(result.checks)))


@settings(max_examples=300, deadline=None)
@given(SNAPSHOTS, RULES, IDENTITIES)
def test_accepted_means_every_check_passed(snapshot, rules, identity):
    result = evaluate(snapshot, rules, identity, now=NOW)
    assert (result.verdict == ACCEPTED) == all(c.outcome == PASSED for c in result.checks)
