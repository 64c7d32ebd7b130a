"""A deadlock's victim is done again; other errors and outer transactions are left alone."""

import pytest
from django.db import OperationalError, transaction

from upstream_xblock.tracking.deadlocks import retry_on_deadlock


def flaky(errors):
    calls = []

    @retry_on_deadlock
    def work():
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return "done"

    return work, calls


def test_a_deadlock_is_retried():
    work, calls = flaky([OperationalError(1213, "Deadlock found")])
    assert work() == "done" and len(calls) == 2


def test_other_errors_and_repeated_deadlocks_are_raised():
    work, _ = flaky([OperationalError(2006, "gone away")])
    with pytest.raises(OperationalError):
        work()
    work, calls = flaky([OperationalError(1213, "Deadlock")] * 3)
    with pytest.raises(OperationalError):
        work()
    assert len(calls) == 3


@pytest.mark.django_db
def test_never_retried_inside_an_outer_transaction():
    work, calls = flaky([OperationalError(1213, "Deadlock")])
    with pytest.raises(OperationalError), transaction.atomic():
        work()
    assert len(calls) == 1
