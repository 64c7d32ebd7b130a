"""Sweeps under fault: for each fault of the fault server, 20 faulty + 20 healthy records.

Prints, per fault, the sweep's wall time as a ratio to its configured budget
(target: at most 1.2) and the healthy records checked (target: 20 of 20), and
over all faults the awards made wrongly (target: 0) and the faulty records
whose last good snapshot was kept. Run from the repository root:

    .venv/bin/python bench/fault_bench.py [--budget 5] [--check 3] [--fault hang ...]
"""

import argparse
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.django_env import start_django  # noqa: E402

start_django(logging.ERROR)  # one line per failed check else

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.figures import figure  # noqa: E402
from forge_simulator.faults import ANSWERED, FAULTS, FaultServer  # noqa: E402
from tests.drills.sweep_scenario import PER_KIND, run_drill  # noqa: E402

RATIO_TARGET = 1.2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=5.0, help="sweep budget (seconds)")
    parser.add_argument("--check", type=float, default=3.0, help="one check's deadline")
    parser.add_argument("--fault", action="append", choices=FAULTS,
                        help="only these faults (default: every one)")
    args = parser.parse_args()
    call_command("migrate", run_syncdb=True, verbosity=0)
    faulty_total = 4 * PER_KIND
    wrong_awards = kept = expected_kept = 0
    faults = args.fault or FAULTS
    for number, fault in enumerate(faults):
        cache.clear()
        with FaultServer() as server:
            result = run_drill(server, fault, budget_s=args.budget, check_s=args.check,
                               first_number=1000 + 100 * number)
        print(f"{fault}: wall/budget={result.ratio:.2f} healthy_checked={result.healthy_checked}"
              f" healthy_awarded={result.healthy_awarded} faulty_awarded={result.faulty_awarded}"
              f" snapshots_kept={result.faulty_snapshots_kept}/{faulty_total}"
              f" errors={result.error_codes}", flush=True)
        figure(f"sweep under `{fault}`: wall time / budget", round(result.ratio, 2),
               f"<= {RATIO_TARGET}", result.ratio <= RATIO_TARGET)
        figure(f"sweep under `{fault}`: healthy records checked",
               f"{result.healthy_checked}/20", "20/20", result.healthy_checked == 20)
        wrong_awards += result.faulty_awarded
        if fault not in ANSWERED:  # a healthy answer (cleaned) replaces the snapshot, rightly
            kept += result.faulty_snapshots_kept
            expected_kept += faulty_total
    figure("sweeps under fault: awards made wrongly", wrong_awards, "0", wrong_awards == 0)
    figure("sweeps under fault: faulty records' last good snapshot kept",
           f"{kept}/{expected_kept}", "all", kept == expected_kept)


if __name__ == "__main__":
    main()
