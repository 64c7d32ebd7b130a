"""The notifications relay against the forge simulator: a merge noticed at the next poll.

The relay subscribes the bot to tracked pull requests, asks for its
notifications (conditionally: a 304 costs nothing), makes the records they
name due, marks the threads read, and unsubscribes once a record settles.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from upstream_xblock.forges import Forges
from upstream_xblock.models import ContributionAward, RelaySubscription, TrackedContribution
from upstream_xblock.tracking import events as names
from upstream_xblock.tracking.changes import ChangeSignals, SignalSettings
from upstream_xblock.tracking.schedule import Schedule
from upstream_xblock.tracking.sweep import Sweeper

pytestmark = pytest.mark.django_db

BOT = "relay-token"


def relay_forges(simulator, checking_token=None, kind="github"):
    bucket = simulator.settings(github_token=checking_token)
    for entry in bucket["forges"]:
        if entry["kind"] == kind:
            entry["notifications_token"] = BOT
    return Forges.from_settings(bucket)


def sweeper(forges, awards=None, clock=timezone.now):
    signals = ChangeSignals(forges, SignalSettings(), clock=clock)
    return Sweeper(forges, Schedule(), publisher=(awards.append if awards is not None else None),
                   signals=signals, clock=clock)


def paths(world, kind="github"):
    return [(method, path.split("?")[0], status)
            for _kind, method, path, status in world.requests_for(kind)]


def test_a_merge_is_noticed_at_the_next_poll_with_no_graphql_point_spent_finding_it(
        simulator, world, registry):
    forges, awards = relay_forges(simulator, checking_token="sim-token"), []
    registry.block()
    record = registry.contribution("github")
    sweeper(forges, awards).run_once()  # first check; the bot subscribes
    assert RelaySubscription.objects.filter(number=record.number,
                                            subscribed_at__isnull=False).count() == 1
    # Due again by its polling pace: the relay watches it, so it is put off to the fallback's
    # pace (six hours after its check), and nothing is asked (the poll is not due yet).
    TrackedContribution.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
    world.clear_log()
    stats = sweeper(forges, awards).run_once()
    assert paths(world) == [] and stats.due == 0
    record.refresh_from_db()
    assert record.next_check_at == record.last_checked_at + timedelta(hours=6)

    world.merge("github", record.project, record.number)
    cache_clear_next_poll()
    stats = sweeper(forges, awards).run_once()
    assert stats.checked == 1 and stats.awarded == 1 and len(awards) == 1
    assert paths(world) == [("GET", "/github/notifications", 200),
                            ("PUT", "/github/notifications", 205),
                            ("POST", "/github/graphql", 200)]  # the read, after the notice
    assert ContributionAward.objects.count() == 1
    assert world.notifications.unread(BOT, "github") == []  # threads marked read


def cache_clear_next_poll(host="github.com"):
    """The relay's next poll made due now (the test does not wait out X-Poll-Interval)."""
    from django.core.cache import cache
    key = f"upstream_xblock:signals:relay:{host}"
    state = cache.get(key) or {}
    state["next_at"] = 0
    cache.set(key, state)


def test_a_merge_the_relay_found_is_recorded_by_the_normal_check_and_its_events(
        simulator, world, registry, tracked):
    forges = relay_forges(simulator)
    registry.block()
    record = registry.contribution("github")
    sweeper(forges).run_once()
    assert tracked.named() == []
    world.merge("github", record.project, record.number)
    cache_clear_next_poll()
    sweeper(forges).run_once()
    sent = [event["name"] for event in tracked.named()]
    assert sent == [names.STATE_CHANGED, names.ACCEPTED, names.COMPLETED]
    record.refresh_from_db()
    assert record.state == "merged" and record.next_check_at is None


def test_a_304_costs_nothing_and_changes_nothing(simulator, world, registry):
    forges = relay_forges(simulator)
    registry.block()
    record = registry.contribution("github")
    sweeper(forges).run_once()
    record.refresh_from_db()
    due_before = record.next_check_at
    remaining = world.rate_limits["github"].remaining
    world.clear_log()
    cache_clear_next_poll()
    stats = sweeper(forges).run_once()
    assert paths(world) == [("GET", "/github/notifications", 304)]
    assert world.rate_limits["github"].remaining == remaining
    assert stats.due == 0
    record.refresh_from_db()
    assert record.next_check_at == due_before


def test_a_notification_for_an_untracked_pull_request_changes_nothing(simulator, world,
                                                                       registry):
    forges = relay_forges(simulator)
    registry.block()
    ours = registry.contribution("github")
    sweeper(forges).run_once()
    stranger = world.open("github", "someone/else", 5, author="someone")
    world.notifications.subscribe(BOT, "github", stranger.project, stranger.number)
    world.merge("github", stranger.project, stranger.number)
    before = {row.pk: (row.next_check_at, row.signaled_at)
              for row in TrackedContribution.objects.all()}
    cache_clear_next_poll()
    world.clear_log()
    stats = sweeper(forges).run_once()
    after = {row.pk: (row.next_check_at, row.signaled_at)
             for row in TrackedContribution.objects.all()}
    assert after == before and stats.checked == 0
    assert ("GET", "/github/notifications", 200) in paths(world)
    assert world.notifications.unread(BOT, "github") == []  # read all the same
    assert ours.pk in after


def test_a_settled_record_is_unsubscribed(simulator, world, registry):
    forges = relay_forges(simulator)
    registry.block()
    record = registry.contribution("github")
    sweeper(forges).run_once()
    assert world.notifications.subscribers(world.get("github", record.project,
                                                      record.number)) == [BOT]
    world.merge("github", record.project, record.number)
    cache_clear_next_poll()
    sweeper(forges).run_once()  # noticed, read, accepted: settled
    record.refresh_from_db()
    assert record.next_check_at is None
    sweeper(forges).run_once()  # the relay lets go of it
    assert world.notifications.subscribers(world.get("github", record.project,
                                                      record.number)) == []
    assert RelaySubscription.objects.count() == 0


def test_the_relay_never_uses_the_checking_token_unless_told(simulator, world, registry):
    bucket = simulator.settings(github_token="checking-token")
    forges = Forges.from_settings(bucket)
    registry.block()
    registry.contribution("github")
    sweeper(forges).run_once()
    assert world.notifications.subscriptions == set()  # no notifications token: no relay
    for entry in bucket["forges"]:
        if entry["kind"] == "github":
            entry["notifications_with_token"] = True
    sweeper(Forges.from_settings(bucket)).run_once()
    assert {token for token, *_ in world.notifications.subscriptions} == {"checking-token"}


def test_a_refused_notifications_token_leaves_polling_as_it_was(simulator, world, registry):
    bucket = simulator.settings()
    for entry in bucket["forges"]:
        if entry["kind"] == "github":
            entry["notifications_token"] = "bad-token"
    forges = Forges.from_settings(bucket)
    registry.block()
    record = registry.contribution("github")
    stats = sweeper(forges).run_once()
    assert stats.checked == 1  # the check itself runs as without a relay
    record.refresh_from_db()
    assert record.next_check_at < timezone.now() + timedelta(hours=1)  # not put off


def test_gitea_relay_notices_a_merge_at_its_next_poll(simulator, world, registry):
    forges, awards = relay_forges(simulator, kind="gitea"), []
    registry.block()
    record = registry.contribution("gitea")
    sweeper(forges, awards).run_once()
    assert world.notifications.subscribers(world.get("gitea", record.project,
                                                      record.number)) == [BOT]
    world.merge("gitea", record.project, record.number)
    cache_clear_next_poll("codeberg.org")
    world.clear_log()
    stats = sweeper(forges, awards).run_once()
    assert stats.awarded == 1
    assert [p[:2] for p in paths(world, "gitea")][:3] == [
        ("GET", "/gitea/api/v1/notifications/new"), ("GET", "/gitea/api/v1/notifications"),
        ("PUT", "/gitea/api/v1/notifications")]


def test_a_change_before_the_subscription_is_still_found_by_polling(simulator, world,
                                                                   registry):
    forges, awards = relay_forges(simulator), []
    registry.block()
    record = registry.contribution("github")
    Sweeper(forges, Schedule()).run_once()  # checked before any relay ran: not subscribed
    world.merge("github", record.project, record.number)  # no bot to hear of it
    TrackedContribution.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
    stats = sweeper(forges, awards).run_once()  # subscribes now; the record is not put off
    assert stats.awarded == 1 and len(awards) == 1
