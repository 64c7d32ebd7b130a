"""SQL statements per award on the LMS path: a sweep that awards, with edx-submissions.

Django runs on the LMS's score and completion stores (``tests.settings_lms``:
edx-submissions, edx-completion, on SQLite). ``--records`` due records in the
course's mix (``mix.py``, hosts interleaved), one learner each, a real user each,
authored by their own verified accounts, are swept twice by the product's
``Sweeper`` with the LMS's publishers: once with nothing merged (what checking
costs), once with one in seven merged (checking and awarding). Every statement
Django runs is counted (an ``executemany`` as its rows). Then the awards are
published again, as after a worker killed between the platform taking them and
their being marked published: no second submission. Run from the repository root:

    .venv/bin/python bench/award_bench.py [--records 3000]
"""

import argparse
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.django_env import start_django  # noqa: E402

start_django(logging.WARNING, prefix="upstream-award-bench-", settings="tests.settings_lms")

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from eventtracking import tracker  # noqa: E402
from eventtracking.tracker import Tracker  # noqa: E402
from submissions.models import Submission  # noqa: E402
from waffle.models import Switch  # noqa: E402

from bench.figures import figure  # noqa: E402
from bench.mix import interleaved, settings, url  # noqa: E402
from forge_simulator import KINDS, ForgeSimulator  # noqa: E402
from forge_simulator.shapes import project_id as account_id_of  # noqa: E402
from upstream_xblock import compat  # noqa: E402
from upstream_xblock.forges import Forges  # noqa: E402
from upstream_xblock.models import (  # noqa: E402
    BlockConfig,
    ContributionAward,
    ContributionCredit,
    TrackedContribution,
    VerifiedForgeAccount,
)
from upstream_xblock.policy import Rules  # noqa: E402
from upstream_xblock.tracking.schedule import Schedule  # noqa: E402
from upstream_xblock.tracking.sweep import Sweeper  # noqa: E402

TARGET_PER_AWARD = 12  # issue 21
USAGE = "block-v1:Bench+Awards+2026+type@upstream_contribution+block@unit"
COURSE = "course-v1:Bench+Awards+2026"


def seed(world, items):
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"learner{index}") for index in range(len(items))])
    users = list(get_user_model().objects.order_by("pk"))
    now = timezone.now()
    rows, accounts = [], []
    for user, (kind, host, project, number) in zip(users, items, strict=True):
        login = f"dev-{user.pk}"
        world.open(kind, project, number, author=login)
        rows.append(TrackedContribution(
            usage_key=USAGE, course_key=COURSE, learner_id=str(user.pk),
            anonymous_id=f"anon-{user.pk}", kind=kind, host=host, project=project,
            number=number, url=url(kind, host, project, number), forge_username=login,
            registered_at=now, next_check_at=now))
        accounts.append(VerifiedForgeAccount(learner_id=str(user.pk), host=host,
                                             account_id=str(account_id_of(login)),
                                             username=login, method="oauth", verified_at=now))
    TrackedContribution.objects.bulk_create(rows, batch_size=2000)
    VerifiedForgeAccount.objects.bulk_create(accounts, batch_size=2000)


def sweep(simulator):
    """(stats, SQL statements) of one sweep with the LMS's publishers."""
    cache.clear()
    sweeper = Sweeper(Forges.from_settings(settings(simulator.base_url)), Schedule(),
                      publisher=compat.publish_award_in_background,
                      publish_many=compat.publish_awards_in_background)
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(len(params) if many else 1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        stats = sweeper.run_once()
    return stats, sum(statements)


def again(world, items, merged):
    """Every record due again, as never checked; ``merged``: one in seven merged."""
    for index, (kind, _host, project, number) in enumerate(items):
        world.edit(kind, project, number, state="merged" if merged and index % 7 == 0
                   else "open")
    ContributionAward.objects.all().delete()
    ContributionCredit.objects.all().delete()
    TrackedContribution.objects.update(
        next_check_at=timezone.now(), snapshot=None, state="", verdict="", checks=[],
        last_checked_at=None, accepted_at=None, awarded_at=None, qualified_at=None,
        forge_id="", etag="")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=3000)
    args = parser.parse_args()
    call_command("migrate", run_syncdb=True, verbosity=0)
    tracker.register_tracker(Tracker())
    Switch.objects.create(name="completion.enable_completion_tracking", active=True)
    BlockConfig.objects.create(usage_key=USAGE, course_key=COURSE, rules=Rules().to_dict(),
                               required_count=1, points=3)
    items = interleaved(args.records)
    with ForgeSimulator() as simulator:
        for kind in KINDS:
            simulator.world.set_rate_limit(kind, remaining=10**6, limit=10**6)
        seed(simulator.world, items)
        again(simulator.world, items, merged=False)
        checks, checking = sweep(simulator)
        again(simulator.world, items, merged=True)
        awarding_stats, awarding = sweep(simulator)
    awards = awarding_stats.awarded
    per_award = (awarding - checking) / max(awards, 1)
    made = list(ContributionAward.objects.all())
    submissions = Submission.objects.count()
    ContributionAward.objects.update(published=False, score_published=False,
                                     completion_published=False)
    compat.publish_awards_in_background(list(ContributionAward.objects.all()))
    resubmitted = Submission.objects.count() - submissions
    print(f"checking {checks.checked} records: {checking} statements; checking and awarding "
          f"{awards}: {awarding} statements; {per_award:.2f} an award")
    print(f"published: {sum(a.published for a in made)}/{len(made)}; submissions "
          f"{submissions} for {len(made)} learners; published again: {resubmitted} more")
    figure(f"LMS path (edx-submissions): SQL statements per award ({awards} awards in a "
           f"sweep of {len(items):,})", round(per_award, 2), f"<= {TARGET_PER_AWARD}",
           per_award <= TARGET_PER_AWARD and awards == len(made) > 0)
    figure("LMS path: SQL statements per record checked (one UPDATE writes 100)",
           round(checking / len(items), 3), "<= 0.05",
           checking / len(items) <= 0.05 and checks.checked == len(items))
    figure("LMS path: submissions per awarded learner, published twice",
           round((submissions + resubmitted) / max(len(made), 1), 3), "1 (a stable key an award)",
           submissions == len(made) and resubmitted == 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
