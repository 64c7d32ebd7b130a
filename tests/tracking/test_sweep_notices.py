"""A sweep's notices: queued together for its chunk (a few queries, not a few a record),
delivered once at the sweep's end where no Celery runs, through edx-ace to a loopback
SMTP server; none for a learner who turned them off."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.smtp_server import LoopbackSMTP, use_smtp
from upstream_xblock.models import NoticeSent
from upstream_xblock.tracking import notices, overdue
from upstream_xblock.tracking.schedule import Schedule
from upstream_xblock.tracking.sweep import Sweeper

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_sweep_queues_its_notices_together_and_delivers_them_once(registry, world, forges,
                                                                     settings):
    registry.block()
    users = get_user_model().objects
    for index in range(6):
        users.create_user(f"learner-{index}", f"learner-{index}@example.org")
        registry.contribution("gitea", number=300 + index, learner=f"learner-{index}")
    notices.set_emails("learner-5", False)
    for index in range(6):
        world.merge("gitea", "forgejo/forgejo", 300 + index)
    with LoopbackSMTP() as smtp:
        use_smtp(settings, smtp)
        with CaptureQueriesContext(connection) as queries:
            Sweeper(forges, Schedule()).run_once()
        ours = [q["sql"] for q in queries.captured_queries if "noticesent" in q["sql"]
                or "noticepreference" in q["sql"]]
        # The chunk's acceptances: the opt-outs and one insert; each award's "counted":
        # its opt-out and its insert (learner-5's: its opt-out alone). Nothing is sent yet.
        assert len(ours) == 2 + 2 * 5 + 1, ours
        assert smtp.messages == []
        overdue.after_sweep(timezone.now())  # the sweep's end, where no Celery runs
        Sweeper(forges, Schedule()).run_once()
        overdue.after_sweep(timezone.now())
        received = sorted((recipients[0], message["Subject"])
                          for recipients, message in smtp.messages)
    assert received == sorted(
        (f"learner-{index}@example.org", subject) for index in range(5)
        for subject in ("Your contribution was accepted upstream",
                        "Your upstream contribution counts for your course"))
    assert NoticeSent.objects.filter(sent_at__isnull=True).count() == 0
