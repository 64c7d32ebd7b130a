"""``manage.py upstream_xblock_rebuild_progress --course KEY | --block KEY``: recompute the
staff pages' aggregates of a course or a block from the registry.

Every write keeps them up to date; this is the repair after restoring a backup of some
tables only, or after editing the registry by hand.
"""

from django.core.management.base import BaseCommand, CommandError

from ...staff.aggregates import rebuild


class Command(BaseCommand):
    help = "Recompute the staff pages' per-learner aggregates of some courses or blocks."

    def add_arguments(self, parser):
        parser.add_argument("--course", action="append", default=[], help="a course key")
        parser.add_argument("--block", action="append", default=[], help="a block usage key")

    def handle(self, *args, **options):  # noqa: ARG002  (BaseCommand.handle's signature)
        if not options["course"] and not options["block"]:
            raise CommandError("name at least one --course or --block")
        learners = rebuild(usage_keys=options["block"], course_keys=options["course"])
        self.stdout.write(f"recomputed {learners} learner rows")
