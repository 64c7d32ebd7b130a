"""Database queries of one real sweep of ``n`` due contributions in the course's mix.

Sets Django up on the workbench's settings (a throw-away SQLite database),
makes ``n`` registry records in ``mix.py``'s mix (one learner each, authored
by their own verified account; one in seven merged), opens them in a forge
simulator and runs the product's ``Sweeper`` once, counting every SQL
statement. Imported late by ``course_simulation.py``: Django is set up only
when this figure is asked for.
"""


def measure(n):
    """(database queries, records checked, records made, forge requests) of one sweep of
    about ``n`` records (the mix rounds its shares: a record more or less).

    "Checked": the records the sweep wrote a check time on (the sweep's own count
    leaves out the odd record it counts elsewhere, e.g. one settled in a later step).
    """
    from django_env import start_django  # noqa: PLC0415
    start_django()  # the product logs warnings and up: a line per award otherwise
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415
    from mix import contributions, settings, url  # noqa: PLC0415

    from forge_simulator import KINDS, ForgeSimulator  # noqa: PLC0415
    from forge_simulator.shapes import project_id as account_id_of  # noqa: PLC0415
    from upstream_xblock.forges import Forges  # noqa: PLC0415
    from upstream_xblock.models import BlockConfig, TrackedContribution, VerifiedForgeAccount  # noqa: PLC0415
    from upstream_xblock.policy import Rules  # noqa: PLC0415
    from upstream_xblock.tracking.schedule import Schedule  # noqa: PLC0415
    from upstream_xblock.tracking.sweep import Sweeper  # noqa: PLC0415

    call_command("migrate", run_syncdb=True, verbosity=0)
    now = timezone.now()
    BlockConfig.objects.create(usage_key="course-block", rules=Rules().to_dict(),
                               required_count=1)
    with ForgeSimulator() as simulator:
        for kind in KINDS:
            simulator.world.set_rate_limit(kind, remaining=10**9, limit=10**9)
        rows, accounts = [], []
        for index, (kind, host, project, number) in enumerate(contributions(n)):
            login = f"learner-{index}"
            simulator.world.open(kind, project, number, author=login,
                                 state="merged" if index % 7 == 0 else "open")
            rows.append(TrackedContribution(
                usage_key="course-block", learner_id=login, kind=kind, host=host,
                project=project, number=number, forge_username=login,
                url=url(kind, host, project, number), registered_at=now, next_check_at=now))
            accounts.append(VerifiedForgeAccount(
                learner_id=login, host=host, account_id=str(account_id_of(login)),
                username=login, method="oauth", verified_at=now))
        TrackedContribution.objects.bulk_create(rows, batch_size=1000)
        VerifiedForgeAccount.objects.bulk_create(accounts, batch_size=1000)
        forges = Forges.from_settings(settings(simulator.base_url))
        executed = []

        def count(execute, sql, params, many, context):
            executed.append(1)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            Sweeper(forges, Schedule(), publisher=lambda _award: None).run_once(limit=n)
        checked = TrackedContribution.objects.filter(last_checked_at__isnull=False).count()
        return len(executed), checked, len(rows), len(simulator.world.requests_for())
