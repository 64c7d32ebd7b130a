"""``manage.py upstream_xblock_poll --once | --loop``: sweeps for cron or without Celery.

It imports nothing of celery: it runs where celery is not installed.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from ...staff import digest
from ...tracking import overdue, pace
from ...tracking.sweep import site_sweeper


class Command(BaseCommand):
    help = "Check due upstream contributions on their forges, award learners, and log counts."

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--once", action="store_true", help="one sweep, then exit (cron)")
        mode.add_argument("--loop", action="store_true", help="sweep until stopped")
        parser.add_argument("--interval", type=int, default=30,
                            help="longest pause between sweeps in --loop mode (seconds)")
        parser.add_argument("--limit", type=int, default=0,
                            help="most records checked per sweep (0, the default: as many as "
                                 "the time and rate budgets allow)")
        parser.add_argument("--max-sweeps", type=int, default=0,
                            help="stop after this many sweeps in --loop mode (0: never)")

    def handle(self, *args, **options):  # noqa: ARG002
        if options["interval"] < 1 or options["limit"] < 0:
            raise CommandError("--interval must be positive and --limit not negative")
        worker = site_sweeper()
        sweeps = 0
        while True:
            stats = worker.run_once(limit=options["limit"] or None)
            pace.after_sweep(worker)
            overdue.after_sweep(worker.clock())
            digest.after_sweep(worker.clock())
            self.stdout.write(stats.line())
            sweeps += 1
            if options["once"] or sweeps == options["max_sweeps"]:
                return
            time.sleep(max(1, min(options["interval"], worker.seconds_until_next_due(
                options["interval"]))))
