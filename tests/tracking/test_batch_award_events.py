"""Awards made and published in batches announce each award once: the tracking events
(``completed``, ``accepted``, ``state_changed``) through a real eventtracking tracker, and the
openedx-events signals, however many learners a round awards, and never again on a later
sweep or a re-publish."""

import pytest
from django.utils import timezone
from eventtracking import tracker
from eventtracking.tracker import Tracker

from upstream_xblock.models import ContributionAward, TrackedContribution
from upstream_xblock.tracking import events as names
from upstream_xblock.tracking.awards import retry_unpublished
from upstream_xblock.tracking.events import CONTRIBUTION_ACCEPTED, CONTRIBUTION_COMPLETED
from upstream_xblock.tracking.schedule import Schedule
from upstream_xblock.tracking.sweep import Sweeper

pytestmark = pytest.mark.django_db
LEARNERS = 30


class Kept:
    def __init__(self):
        self.sent = []

    def send(self, event):
        self.sent.append(event)

    def named(self, name):
        return [event["data"]["user_id"] for event in self.sent if event["name"] == name]


@pytest.fixture
def kept():
    backend, previous = Kept(), dict(tracker.TRACKERS)
    tracker.register_tracker(Tracker(backends={"kept": backend}))
    yield backend
    tracker.TRACKERS.clear()
    tracker.TRACKERS.update(previous)


@pytest.fixture
def signals():
    got = []

    def receiver(signal, sender, **kwargs):  # noqa: ARG001  (Django's receiver signature)
        got.append((kwargs["metadata"].event_type.rsplit(".", 2)[-2],
                    (kwargs.get("contribution") or kwargs.get("award")).user_id))

    CONTRIBUTION_ACCEPTED.connect(receiver)
    CONTRIBUTION_COMPLETED.connect(receiver)
    yield got
    CONTRIBUTION_ACCEPTED.disconnect(receiver)
    CONTRIBUTION_COMPLETED.disconnect(receiver)


def test_a_batch_of_awards_is_announced_once_per_award(forges, world, registry, kept, signals):
    registry.block()
    learners = [f"learner-{index}" for index in range(LEARNERS)]
    for index, learner in enumerate(learners):
        registry.contribution(("gitlab", "gerrit", "github")[index % 3], learner=learner)
    Sweeper(forges, Schedule()).run_once()  # all open: nothing to announce but nothing
    assert kept.named(names.COMPLETED) == [] and signals == []
    for row in TrackedContribution.objects.all():
        world.merge(row.kind, row.project, row.number)
    published = []
    TrackedContribution.objects.update(next_check_at=timezone.now())
    stats = Sweeper(forges, Schedule(), publisher=published.append).run_once()
    assert stats.awarded == LEARNERS and len(published) == LEARNERS
    for name in (names.STATE_CHANGED, names.ACCEPTED, names.COMPLETED):
        assert sorted(kept.named(name)) == sorted(learners), name
    assert sorted(signals) == sorted([("accepted", learner) for learner in learners]
                                     + [("completed", learner) for learner in learners])
    # A later sweep, and the outbox publishing again, announce nothing more.
    count = len(kept.sent), len(signals)
    TrackedContribution.objects.update(next_check_at=timezone.now())
    Sweeper(forges, Schedule(), publisher=published.append).run_once()
    ContributionAward.objects.update(published=False, next_publish_at=None)
    assert retry_unpublished(published.append, timezone.now()) == LEARNERS
    assert (len(kept.sent), len(signals)) == count
