"""A deadlock's victim is done again; other errors and outer transactions are left alone."""

import pytest
from django.db import OperationalError, transaction
from django.utils import timezone

from upstream_xblock.forges import Snapshot, forges_for
from upstream_xblock.models import TrackedContribution
from upstream_xblock.policy import Rules
from upstream_xblock.tracking import recording
from upstream_xblock.tracking.recording import retrying_deadlocks
from upstream_xblock.tracking.service import BlockContext, ContributionTracker


def flaky(errors):
    calls = []

    def work():
        return retrying_deadlocks(attempt, "work")

    def attempt(number):
        calls.append(number)
        if errors:
            raise errors.pop(0)
        return "done"

    return work, calls


def test_a_deadlock_is_retried_and_each_attempt_knows_its_number():
    work, calls = flaky([OperationalError(1213, "Deadlock found")])
    assert work() == "done" and calls == [1, 2]


def test_other_errors_and_repeated_deadlocks_are_raised():
    work, _ = flaky([OperationalError(2006, "gone away")])
    with pytest.raises(OperationalError):
        work()
    work, calls = flaky([OperationalError(1213, "Deadlock")] * 3)
    with pytest.raises(OperationalError):
        work()
    assert calls == [1, 2, 3]


@pytest.mark.django_db
def test_never_retried_inside_an_outer_transaction():
    work, calls = flaky([OperationalError(1213, "Deadlock")])
    with pytest.raises(OperationalError), transaction.atomic():
        work()
    assert calls == [1]


@pytest.mark.django_db(transaction=True)
def test_a_settle_done_again_writes_what_the_first_attempt_only_changed_in_memory(monkeypatch):
    now = timezone.now()
    url = "https://github.com/a/b/pull/1"
    snapshot = Snapshot(kind="github", host="github.com", project="a/b", number=1,
                        state="merged", author="ada", title="t", web_url=url, merged_at=now)
    row = TrackedContribution.objects.create(
        usage_key="u", learner_id="l", url=url, kind="github", host="github.com",
        project="a/b", number=1, registered_at=now, next_check_at=None,
        snapshot=snapshot.to_dict(), state="merged", forge_username="ada")
    tracker = ContributionTracker(
        BlockContext(usage_key="u", learner_id="l", rules=Rules(require_author=False)),
        forges_for({}))
    apply_credits, calls = recording.apply_credits, []

    def deadlocked_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:  # after the rows were evaluated in memory
            raise OperationalError(1213, "Deadlock found")
        return apply_credits(*args, **kwargs)

    monkeypatch.setattr(recording, "apply_credits", deadlocked_once)
    rows, award = tracker.settle(tracker.rows())
    row.refresh_from_db()
    assert len(calls) == 2 and award is not None
    assert rows[0].verdict == row.verdict == "accepted"
    assert row.accepted_at is not None and row.forge_id
