"""Change feeds against the forge simulator: Gerrit and GitLab say what moved since a look.

A look is one query per Gerrit host, one GraphQL query per few GitLab projects;
what it names is made due, what it covers is polled at the fallback's pace,
and a failing feed leaves polling as it was.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from upstream_xblock.forges import ConfigurationError
from upstream_xblock.models import TrackedContribution
from upstream_xblock.tracking.changes import ChangeSignals, SignalSettings, mark_changed
from upstream_xblock.tracking.schedule import Schedule
from upstream_xblock.tracking.sweep import Sweeper

pytestmark = pytest.mark.django_db


def sweeper(forges, awards=None, **settings):
    signals = ChangeSignals(forges, SignalSettings(**settings))
    return Sweeper(forges, Schedule(), publisher=(awards.append if awards is not None else None),
                   signals=signals)


def look_due_now(host):
    key = f"upstream_xblock:signals:feed:{host}"
    state = cache.get(key) or {}
    state["next_at"] = 0
    cache.set(key, state)


def due_by_polling():
    TrackedContribution.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))


def requests(world, kind):
    return [(method, path.split("?")[0], status)
            for _kind, method, path, status in world.requests_for(kind)]


@pytest.mark.parametrize("kind,host,feed", [
    ("gerrit", "review.opendev.org", ("GET", "/gerrit/changes/", 200)),
    ("gitlab", "gitlab.com", ("POST", "/gitlab/api/graphql", 200)),
])
def test_a_merge_is_found_by_one_look_and_read_once(forges, world, registry, kind, host, feed):
    awards = []
    registry.block()
    records = [registry.contribution(kind, learner=f"l{i}") for i in range(3)]
    sweeper(forges, awards).run_once()  # the first check of each (and a first look)
    due_by_polling()
    world.clear_log()
    stats = sweeper(forges, awards).run_once()
    assert stats.due == 0 and requests(world, kind) == []  # watched: put off to the fallback
    merged = records[1]
    world.merge(kind, merged.project, merged.number)
    look_due_now(host)
    stats = sweeper(forges, awards).run_once()
    assert (stats.checked, stats.awarded, len(awards)) == (1, 1, 1)
    log = requests(world, kind)
    assert log[0] == feed and len(log) == 2  # one look, then the one read
    for record in records:
        record.refresh_from_db()
    assert records[1].next_check_at is None
    assert all(r.next_check_at > timezone.now() + timedelta(hours=5) for r in records[::2])


def test_a_failing_feed_leaves_polling_as_it_was(forges, world, registry):
    registry.block()
    record = registry.contribution("gerrit")
    sweeper(forges).run_once()
    cache.clear()  # the feed has no good look on record
    world.fail_next("gerrit", 503, times=3)
    due_by_polling()
    stats = sweeper(forges).run_once()
    assert stats.checked == 1  # not put off: the feed is not healthy
    record.refresh_from_db()
    assert record.next_check_at < timezone.now() + timedelta(hours=1)


def test_a_look_that_cannot_read_everything_makes_every_open_record_due(forges, world,
                                                                        registry):
    registry.block()
    records = [registry.contribution("gerrit", learner=f"l{i}") for i in range(3)]
    sweeper(forges).run_once()
    world.gerrit_query_limit = 1  # each page of the look holds one change
    world.approve("gerrit", records[0].project, records[0].number)
    for number in range(5):  # other changes of the host moved too: more than 4 pages
        world.open("gerrit", "other/project", 990_000 + number)
        world.approve("gerrit", "other/project", 990_000 + number)
    look_due_now("review.opendev.org")
    stats = ChangeSignals(forges).before_sweep()
    assert stats.made_due >= 3
    now = timezone.now()
    assert all(r.next_check_at <= now and r.signaled_at for r in TrackedContribution.objects.all())


def test_feeds_can_be_switched_off(forges, world, registry):
    registry.block()
    registry.contribution("gerrit")
    sweeper(forges, feeds=False).run_once()
    due_by_polling()
    world.clear_log()
    stats = sweeper(forges, feeds=False).run_once()
    assert stats.checked == 1 and requests(world, "gerrit")[0][1] == "/gerrit/changes/"
    assert all("after" not in path for _k, _m, path, _s in world.requests_for("gerrit"))


@pytest.mark.parametrize("bucket", [{"change_signals": []}, {"change_signals": {"feeds": 1}},
                                    {"change_signals": {"fallback_s": 0}},
                                    {"change_signals": {"fallbacks": 60}}])
def test_malformed_settings_are_refused(bucket):
    with pytest.raises(ConfigurationError):
        SignalSettings.from_settings(bucket)


def test_a_project_the_feed_cannot_see_stays_polled_the_others_do_not(forges, world,
                                                                     registry):
    registry.block()
    seen = registry.contribution("gitlab", learner="l1")
    hidden = world.open("gitlab", "someone/private-project", 4, author="l2-gitlab")
    unseen = registry.contribution("gitlab", learner="l2")
    TrackedContribution.objects.filter(pk=unseen.pk).update(project=hidden.project, number=4)
    sweeper(forges).run_once()
    world.make_private("gitlab", hidden.project)  # the feed answers null for it from now on
    look_due_now("gitlab.com")
    due_by_polling()
    stats = sweeper(forges).run_once()
    assert stats.due == 1  # only the record of the project the feed could not see
    seen.refresh_from_db()
    assert seen.next_check_at > timezone.now() + timedelta(hours=5)


def test_names_no_record_could_hold_change_nothing(registry):
    registry.block()
    record = registry.contribution("gerrit")
    checked = timezone.now() + timedelta(hours=1)
    TrackedContribution.objects.update(next_check_at=checked)
    odd = [(record.project, 0, None), (record.project, -record.number, None),
           (record.project, 2 ** 64 + record.number, None),
           (record.project + "\ud800", record.number, None)]
    assert mark_changed(record.host, odd, timezone.now()) == 0
    record.refresh_from_db()
    assert record.next_check_at == checked and record.signaled_at is None
