"""The upstream's pace and the notices: forge requests to keep figures fresh, emails delivered.

Pace: 1,000 GitHub repositories (each with recent pull requests in the
simulator, and one learner's record of it in the registry) are kept fresh by
the product's ``pace.refresh_samples``, run once a simulated hour over two
simulated days; the simulator counts the requests it answered over real HTTP.
The second day is the steady state ("a day"); the busiest hour of both days is
compared with GitHub's hourly budget (5,000).

Notices: 1,000 learners (Django users with an address) each see their
contribution accepted; ``notices.after_check`` (what a check calls) queues one
notice each, delivered at the sweep's end (as where no Celery runs) through the real
edx-ace, Django's SMTP backend and a loopback SMTP server (aiosmtpd). The same
events are then seen again and the unsent notices retried: the server must receive
nothing more.

    .venv/bin/python bench/pace_bench.py [--repositories 1000] [--acceptances 1000]
"""

import argparse
import logging
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.django_env import start_django  # noqa: E402

start_django(logging.ERROR, prefix="upstream-pace-bench-")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.figures import figure  # noqa: E402
from forge_simulator import ForgeSimulator  # noqa: E402
from tests.smtp_server import LoopbackSMTP  # noqa: E402
from upstream_xblock.forges import Forges  # noqa: E402
from upstream_xblock.models import TrackedContribution  # noqa: E402
from upstream_xblock.tracking import notices, pace  # noqa: E402

DAY_TARGET, SHARE_TARGET = 1200, 0.10
GITHUB_HOURLY = pace.HOURLY_BUDGET["github"]


def seed_repositories(world, count, now):
    rows = []
    for index in range(count):
        project = f"org{index % 50}/repo{index}"
        for number in (1, 2, 3):
            world.open("github", project, number, author=f"dev{number}",
                       created_at=now - timedelta(days=number * 7))
        rows.append(TrackedContribution(
            usage_key="bench-block", learner_id=f"learner{index}", kind="github",
            host="github.com", project=project, number=1, registered_at=now,
            url=f"https://github.com/{project}/pull/1"))
    TrackedContribution.objects.bulk_create(rows, batch_size=1000)


def pace_figures(count):
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    with ForgeSimulator() as simulator:
        seed_repositories(simulator.world, count, now)
        forges = Forges.from_settings(simulator.settings(github_token="bench-token"))
        per_hour = []
        for hour in range(48):
            before = len(simulator.world.requests_for("github"))
            pace.refresh_samples(forges, now + timedelta(hours=hour))
            per_hour.append(len(simulator.world.requests_for("github")) - before)
    second_day, busiest = sum(per_hour[24:]), max(per_hour)
    print(f"requests per hour: {per_hour}", flush=True)
    figure(f"pace: forge requests a day to keep {count:,} repositories' figures fresh",
           second_day, f"≤ {DAY_TARGET * count // 1000:,}",
           second_day <= DAY_TARGET * count // 1000)
    share = busiest / GITHUB_HOURLY
    figure("pace: share of a forge's hourly budget spent on figures (busiest hour)",
           f"{share:.1%} ({busiest} of GitHub's {GITHUB_HOURLY:,})", f"≤ {SHARE_TARGET:.0%}",
           share <= SHARE_TARGET)
    TrackedContribution.objects.all().delete()


def accepted_rows(count, now):
    users = get_user_model().objects
    users.bulk_create([get_user_model()(username=f"learner{i}", email=f"learner{i}@example.org")
                       for i in range(count)], batch_size=1000)
    TrackedContribution.objects.bulk_create([TrackedContribution(
        usage_key="bench-block", learner_id=f"learner{i}", kind="github", host="github.com",
        project="openedx/xblock-sdk", number=i + 1, state="merged", verdict="accepted",
        title=f"Change {i}", registered_at=now,
        url=f"https://github.com/openedx/xblock-sdk/pull/{i + 1}") for i in range(count)],
        batch_size=1000)
    return list(TrackedContribution.objects.filter(usage_key="bench-block").order_by("pk"))


def notice_figures(count):
    now = timezone.now()
    with LoopbackSMTP() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        rows = accepted_rows(count, now)
        for row in rows:
            notices.after_check(row, "pending")  # each check that saw it accepted
        notices.deliver_pending(now)  # the sweep's end, where no Celery runs
        for row in rows:
            notices.after_check(row, "pending")  # the same event seen again (a second worker)
        notices.deliver_pending(now)
        notices.retry_unsent(now + timedelta(hours=1))
        received = smtp.messages
    figure(f"notices: emails received by the loopback SMTP server, {count:,} acceptances",
           len(received), f"{count:,}", len(received) == count)
    seen = Counter((tuple(recipients), message["Subject"]) for recipients, message in received)
    twice = sum(n - 1 for n in seen.values())
    figure("notices: emails sent twice for one event", twice, "0", twice == 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repositories", type=int, default=1000)
    parser.add_argument("--acceptances", type=int, default=1000)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    settings.UPSTREAM_XBLOCK_DEMO_EMAIL_DOMAIN = ""  # only the users made here get emails
    pace_figures(options.repositories)
    notice_figures(options.acceptances)


if __name__ == "__main__":
    main()
