"""Notices through the real edx-ace, Django's SMTP backend and a loopback SMTP server.

Each notice arrives once: accepted, counted, a mentor's note for the learner, a
review asking for changes, a wait longer than the project's usual; none after the
learner turns them off; never a mentors-only note, never a token. A mentor's
weekly digest lists exactly the learners who wait longer than usual or are stuck.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from forge_simulator.shapes import project_id as account_id_of
from tests.mentors.conftest import MENTOR, MENTORED_XML, STAFF, as_user
from tests.smtp_server import LoopbackSMTP, use_smtp
from tests.tracking.test_pace import REPO, seed
from upstream_xblock.forges import Forges
from upstream_xblock.identity import api as identity_api
from upstream_xblock.models import NoticeSent, TrackedContribution
from upstream_xblock.staff import digest
from upstream_xblock.tracking import notices, overdue, pace
from upstream_xblock.tracking.notice_texts import compose

pytestmark = pytest.mark.django_db(transaction=True)
REVIEWING_XML = '<upstream_contribution mentors=\'["mia"]\' count_approved="true"/>'
TOKEN = "sim-token"


@pytest.fixture
def smtp(settings, forge_settings, simulator):
    forge_settings["forges"][0]["token"] = TOKEN  # a token in the bucket: never in a message
    with LoopbackSMTP() as server:
        use_smtp(settings, server)
        yield server


@pytest.fixture
def people(db):
    users = get_user_model().objects
    for name in ("ada", "bob", MENTOR):
        users.create_user(name, f"{name}@example.org")
    for name in ("ada", "bob"):
        identity_api.record(name, "github.com", str(account_id_of(name)), name, "oauth",
                            timezone.now())


def registered(harness, world, learner="ada", number=1, project="openedx/xblock-sdk",
               xml=MENTORED_XML, **pr):
    world.open("github", project, number, author=learner, **pr)
    block = harness.block(xml, student=learner)
    url = f"https://github.com/{project}/pull/{number}"
    assert harness.call(block, "register", {"url": url, "forge_username": learner})[0] == 200
    return block


def check_again(harness, block):
    """A check now, past the "Check now" limits (as the next sweep would check it)."""
    TrackedContribution.objects.update(last_checked_at=None, next_check_at=timezone.now())
    cache.clear()
    assert harness.call(block, "check_now")[0] == 200


def subjects(smtp, address):
    return [message["Subject"] for message in smtp.to(address)]


def test_every_notice_arrives_once(harness, world, smtp, people, simulator):
    # A block that counts approvals reads reviews at each check (as GraphQL sweeps always do).
    block = registered(harness, world, xml=REVIEWING_XML)
    # A mentor's note for the learner, and one for mentors only (never sent).
    mentor = as_user(harness, block, MENTOR)
    for visibility, text in (("learner", "Ask on the forum, kindly."), ("mentors", "SECRET")):
        assert harness.call(mentor, "annotate", {"learner_id": "ada", "text": text,
                                                 "visibility": visibility})[0] == 200
    # A review asks for changes: one notice, however often it is checked again.
    world.approve("github", "openedx/xblock-sdk", 1, decision="changes_requested")
    for _ in range(2):
        check_again(harness, block)
    # Merged: accepted, then the unit counted.
    world.approve("github", "openedx/xblock-sdk", 1, decision="approved")
    world.merge("github", "openedx/xblock-sdk", 1)
    check_again(harness, block)
    assert harness.call(block, "status")[1]["completed"] is True
    assert sorted(subjects(smtp, "ada@example.org")) == sorted([
        "A mentor wrote to you about your contribution",
        "A reviewer asked for changes on your contribution",
        "Your contribution was accepted upstream",
        "Your upstream contribution counts for your course"])
    texts = [LoopbackSMTP.text(message) for _, message in smtp.messages]
    assert any("Ask on the forum, kindly." in text for text in texts)
    assert not any("SECRET" in text or TOKEN in text for text in texts)
    assert NoticeSent.objects.filter(sent_at__isnull=True).count() == 0


def test_a_wait_longer_than_usual_is_told_once_with_the_next_step(harness, world, smtp, people,
                                                                  simulator):
    seed(world)
    registered(harness, world, number=13, project=REPO,
               created_at=timezone.now() - timedelta(days=9))
    token_forges = Forges.from_settings(simulator.settings(github_token=TOKEN))
    pace.refresh_samples(token_forges, timezone.now())
    assert overdue.scan(timezone.now()) == 1
    assert overdue.scan(timezone.now()) == 0
    assert notices.deliver_pending(timezone.now()) == 1  # the sweep's end sends them
    [message] = smtp.to("ada@example.org")
    assert message["Subject"] == "Your contribution is waiting longer than usual"
    assert "Next step: This is taking longer than usual" in LoopbackSMTP.text(message)


def test_a_mentors_vouch_is_told_as_the_mentors_not_the_projects(harness, world, smtp, people):
    block = registered(harness, world)  # open upstream: the project has accepted nothing
    mentor = as_user(harness, block, MENTOR)
    status, body = harness.call(mentor, "vouch", {
        "learner_id": "ada", "reason": "applied by the maintainer",
        "url": "https://github.com/openedx/xblock-sdk/pull/1"})
    assert status == 200 and body["completed"] is True
    assert sorted(subjects(smtp, "ada@example.org")) == [
        "A mentor accepted your contribution", "Your upstream contribution counts for your course"]
    accepted = next(m for m in smtp.to("ada@example.org")
                    if m["Subject"] == "A mentor accepted your contribution")
    assert "A mentor accepted your contribution" in LoopbackSMTP.text(accepted)
    assert "accepted upstream" not in LoopbackSMTP.text(accepted)


def test_a_staff_accept_tells_the_learner_it_counts(harness, world, smtp, people):
    """A bulk accept (or a CSV line) queues its learners' notices together; the sweep's end
    (or a worker) delivers them."""
    block = registered(harness, world)
    staff = as_user(harness, block, STAFF)
    status, _job = harness.call(staff, "bulk", {"action": "accept", "learner_ids": ["ada"],
                                                "reason": "Reviewed in class"})
    assert status == 200
    notices.deliver_pending(timezone.now())
    assert subjects(smtp, "ada@example.org") == [
        "Your upstream contribution counts for your course"]


def test_none_after_the_learner_turns_them_off(harness, world, smtp, people):
    block = registered(harness, world)
    assert harness.call(block, "notice_preferences", {"emails": False}) == (200, {"emails": False})
    assert harness.call(block, "status")[1]["emails"] is False
    world.merge("github", "openedx/xblock-sdk", 1)
    check_again(harness, block)
    assert harness.call(block, "status")[1]["completed"] is True
    assert smtp.messages == []
    assert NoticeSent.objects.count() == 0
    assert harness.call(block, "notice_preferences", {"emails": "no"})[0] == 400


def test_a_notice_reads_in_its_recipients_language():
    """The language is the recipient's (the LMS's account preference), not the sender's."""
    context = compose("contribution_accepted", {"title": "Corriger", "repository": "o/r"},
                      "fr", "Open edX", "https://github.com/o/r/pull/1")
    assert context["subject"] == "Votre contribution a été acceptée par le projet"
    assert context["paragraphs"] == ["Bravo : o/r a accepté votre contribution « Corriger »."]
    assert context["link_text"] == "Ouvrir votre contribution"


def test_a_mentors_digest_lists_exactly_the_overdue_and_stuck(harness, world, smtp, people,
                                                               simulator):
    seed(world)
    now = timezone.now()
    overdue = registered(harness, world, "ada", 13, REPO, created_at=now - timedelta(days=9))
    registered(harness, world, "bob", 14, REPO, created_at=now - timedelta(days=1))  # on time
    TrackedContribution.objects.create(  # stuck: nothing moved for three weeks
        usage_key=str(overdue.scope_ids.usage_id), learner_id="cy", url="https://x.org/1",
        kind="github", host="github.com", project="other/repo", number=1, verdict="pending",
        registered_at=now - timedelta(days=21))
    pace.refresh_samples(Forges.from_settings(simulator.settings(github_token=TOKEN)), now)
    harness.block(MENTORED_XML, student=MENTOR, usage_id=overdue.scope_ids.usage_id)
    digest.subscribe(str(overdue.scope_ids.usage_id), "", MENTOR, now)
    assert [(learner["username"], learner["overdue"])
            for learner in digest.needing_attention(str(overdue.scope_ids.usage_id), now)] == \
        [("ada", True), ("cy", False)]
    assert digest.send_weekly(now) == 1
    assert digest.send_weekly(now + timedelta(hours=1)) == 0  # the same week: never twice
    notices.deliver_pending(now)
    [message] = smtp.to(f"{MENTOR}@example.org")
    text = LoopbackSMTP.text(message)
    assert "ada: waiting for 9 days" in text and "cy: nothing has moved" in text
    assert "bob" not in text


def test_a_mentor_turns_the_digest_off_in_the_progress_view(harness, world, smtp, people):
    now = timezone.now()
    learner_block = registered(harness, world)
    TrackedContribution.objects.update(registered_at=now - timedelta(days=21))  # stuck
    mentor = as_user(harness, learner_block, MENTOR)
    html = mentor.runtime.render(mentor, "student_view").content
    assert 'class="upx-emails-toggle" checked' in html  # opening it subscribed them
    assert digest.needing_attention(str(learner_block.scope_ids.usage_id), now)  # ada: stuck
    assert harness.call(mentor, "notice_preferences", {"emails": False}) == \
        (200, {"emails": False})
    assert 'class="upx-emails-toggle">' in mentor.runtime.render(mentor, "student_view").content
    assert digest.send_weekly(now) == 0
    assert smtp.to(f"{MENTOR}@example.org") == []


def test_a_mentor_removed_from_the_block_gets_no_more_digests(harness, world, smtp, people,
                                                              simulator):
    """The digest names learners: it goes to the block's mentors as they are now (or course
    staff), not to whoever once opened the table."""
    from upstream_xblock.models import BlockConfig, MentorSubscription
    seed(world)
    now = timezone.now()
    block = registered(harness, world, "ada", 13, REPO, created_at=now - timedelta(days=9))
    usage = str(block.scope_ids.usage_id)
    pace.refresh_samples(Forges.from_settings(simulator.settings(github_token=TOKEN)), now)
    harness.block(MENTORED_XML, student=MENTOR, usage_id=block.scope_ids.usage_id)
    digest.subscribe(usage, "", MENTOR, now)
    assert MENTOR in BlockConfig.objects.get(usage_key=usage).mentors
    BlockConfig.objects.filter(usage_key=usage).update(mentors=["someone-else"])
    assert digest.send_weekly(now) == 0
    assert not MentorSubscription.objects.filter(usage_key=usage).exists()
    notices.deliver_pending(now)
    assert smtp.to(f"{MENTOR}@example.org") == []
