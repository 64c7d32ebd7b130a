"""Event fixtures: the block harness with mentors and staff, the runtime's publish captured,
and a real eventtracking tracker (the LMS's library) whose backend keeps what it is sent."""

import pytest
from eventtracking import tracker
from eventtracking.tracker import Tracker

from tests.block.conftest import events, forge_settings, verified_ada  # noqa: F401
from tests.mentors.conftest import harness, staff_ids  # noqa: F401


class KeptEvents:
    """An eventtracking backend: every event the tracker sends, as the LMS's backends get it."""

    def __init__(self):
        self.sent = []

    def send(self, event):
        self.sent.append(event)

    def named(self, prefix="edx.upstream_contribution."):
        return [event for event in self.sent if event["name"].startswith(prefix)]


@pytest.fixture
def tracked():
    """The default tracker for the test (as the LMS registers its own), then none again."""
    kept = KeptEvents()
    previous = dict(tracker.TRACKERS)
    tracker.register_tracker(Tracker(backends={"kept": kept}))
    yield kept
    tracker.TRACKERS.clear()
    tracker.TRACKERS.update(previous)
