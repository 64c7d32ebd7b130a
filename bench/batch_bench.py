"""Forge requests for 10,000 due contributions in the course's mix, batched and not.

The mix is ``bench/mix.py``'s (60 % GitHub, 25 % GitLab on two hosts, 10 %
Gerrit, 5 % Gitea). Each contribution is read once through
``Forges.fetch_many`` (GitHub GraphQL with a token, GitLab ``iids[]`` or
GraphQL, Gerrit ``change:A OR change:B``, Gitea one each), and once through
``Forges.fetch`` one by one; the simulator counts the requests that reached
it. "Today" is GitHub batched and every other forge one by one, as before
this work. Counts, never timings. Prints a table, then one JSON line per
figure for ``bench/run``. Run from the repository root:

    .venv/bin/python bench/batch_bench.py [--contributions 10000]
"""

import argparse
import logging
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from figures import figure  # noqa: E402
from mix import contributions, settings, url  # noqa: E402

from forge_simulator import KINDS, ForgeSimulator  # noqa: E402
from upstream_xblock.forges import FetchResult, Forges  # noqa: E402

TARGET_BATCHED = 700


def open_all(world, items):
    for kind in KINDS:
        world.set_rate_limit(kind, remaining=10**9, limit=10**9)  # counted, never refused
    for kind, _host, project, number in items:
        world.open(kind, project, number, state="merged" if number % 7 == 0 else "open")


def count_by_kind(world):
    return Counter(kind for kind, *_ in world.requests_for())


def read_batched(simulator, refs):
    simulator.world.clear_log()
    forges = Forges.from_settings(settings(simulator.base_url))
    results = forges.fetch_many(refs)
    return count_by_kind(simulator.world), results


def read_one_by_one(simulator, refs):
    simulator.world.clear_log()
    forges = Forges.from_settings(settings(simulator.base_url, github_token=None))
    results = {ref: forges.fetch(ref) for ref in refs}
    return count_by_kind(simulator.world), results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributions", type=int, default=10000)
    args = parser.parse_args()
    logging.getLogger("upstream_xblock").setLevel(logging.WARNING)
    items = contributions(args.contributions)
    with ForgeSimulator() as simulator:
        open_all(simulator.world, items)
        parser_forges = Forges.from_settings(settings(simulator.base_url))
        refs = [parser_forges.parse(url(*item)) for item in items]
        batched, batched_results = read_batched(simulator, refs)
        unbatched, unbatched_results = read_one_by_one(simulator, refs)
    read = sum(isinstance(r, FetchResult) for r in batched_results.values())
    same = sum(batched_results[ref].snapshot.state == unbatched_results[ref].snapshot.state
               for ref in refs if isinstance(batched_results[ref], FetchResult))
    today = batched["github"] + sum(n for kind, n in unbatched.items() if kind != "github")
    total_batched, total_unbatched = sum(batched.values()), sum(unbatched.values())
    print(f"{len(items)} due contributions: " + ", ".join(
        f"{kind} {n}" for kind, n in sorted(Counter(i[0] for i in items).items())))
    print("| forge | contributions | requests batched | requests one by one |")
    print("|---|---|---|---|")
    for kind in KINDS:
        print(f"| {kind} | {sum(1 for i in items if i[0] == kind)} | {batched[kind]} "
              f"| {unbatched[kind]} |")
    print(f"| all | {len(items)} | {total_batched} | {total_unbatched} |")
    print(f"read by the batches: {read}/{len(refs)}; same state as one by one: {same}/{read}")
    print(f"today (GitHub batched, the others one by one): {today}")
    scale = args.contributions / 10000
    figure(f"batch: forge requests for {len(refs):,} due contributions in the mix",
           total_batched, f"<= {round(TARGET_BATCHED * scale)}",
           total_batched <= TARGET_BATCHED * scale and read == len(refs))
    figure("batch: forge requests one by one (unbatched)", total_unbatched,
           f"{len(refs)}", total_unbatched == len(refs))
    figure("batch: forge requests before this work (GitHub batched only)", today,
           "about 4,100", True)
    ratio = round(total_unbatched / max(total_batched, 1), 1)
    figure("batch: ratio unbatched / batched", ratio,
           f">= {round(len(refs) / (TARGET_BATCHED * scale), 1)}",
           ratio >= len(refs) / (TARGET_BATCHED * scale))


if __name__ == "__main__":
    main()
