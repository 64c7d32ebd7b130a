"""Drills: for every fault, a sweep of 20 faulty and 20 healthy records over real HTTP.

The sweep keeps within its budget, checks and awards the 20 healthy ones,
keeps the faulty ones' last good snapshots and error codes, awards none of them
and leaves nothing claimed. "Within its budget" is counted, not timed
(``tests/waits.py``): no library sleeps, and no pause and no response head's
timer outlasts the host's budget (a batch read's deadline is the host's, a
single read's is a check's within it). (The sweep's wall time over its budget
is a figure of ``bench/fault_bench.py``.)
"""

import json

import pytest
from django.core.cache import cache

from forge_simulator.faults import ANSWERED, EXPECTED, FAULTS, FaultServer
from tests.waits import Waits
from upstream_xblock.models import TrackedContribution

from .sweep_scenario import PER_KIND, run_drill

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture
def server():
    cache.clear()  # no rate budget carried over from another fault
    with FaultServer() as running:
        yield running


CODES = {"not_found", "forge_unavailable", "rate_limited", "auth_failed"}


@pytest.mark.parametrize("fault", [f for f in FAULTS if f not in ANSWERED])
def test_a_sweep_under_fault(server, fault, monkeypatch):
    waits = Waits(monkeypatch)
    result = run_drill(server, fault, budget_s=3.0, check_s=1.5)
    waits.assert_each_within(3.0)
    assert (result.healthy_checked, result.healthy_awarded, result.published) == (20, 20, 20)
    assert result.faulty_awarded == 0
    assert result.faulty_snapshots_kept == 4 * PER_KIND
    assert result.still_claimed == 0
    # Each faulty record failed with a typed code (most with the fault's own), or was left
    # untried for later ("none": its host's budget ran out first).
    assert set(result.error_codes) <= CODES | {"none"}, result.error_codes
    assert result.error_codes.get(EXPECTED[fault], 0) >= 4, result.error_codes  # each host


@pytest.mark.parametrize("fault", ANSWERED)
def test_a_sweep_reads_insane_headers_and_lone_surrogates_cleaned(server, fault, monkeypatch):
    """A healthy answer with ``inf`` rate headers or lone surrogates is read, not an error:
    every record checked, its text without a surrogate, nothing awarded that is not merged."""
    waits = Waits(monkeypatch)
    result = run_drill(server, fault, budget_s=3.0, check_s=1.5)
    waits.assert_each_within(3.0)
    assert (result.healthy_checked, result.healthy_awarded) == (20, 20)
    assert result.faulty_awarded == 0 and result.still_claimed == 0
    assert result.error_codes == {"none": 4 * PER_KIND}, result.error_codes
    texts = json.dumps(list(TrackedContribution.objects.values_list("title", "snapshot")))
    assert "\\ud800" not in texts and "\\udc00" not in texts
