"""``python -m workbench_demo``: the workbench with the block's scenarios, offline.

Starts the loopback forge simulator (seeded with demo contributions) and points
github.com, gitlab.com, review.opendev.org and codeberg.org at it through the
settings bucket file named by UPSTREAM_XBLOCK_CONFIG; migrates the workbench's
SQLite database; serves the workbench. ``--real-forges`` skips the simulator
and talks to the real forges (needs internet), with the configuration in
UPSTREAM_XBLOCK_CONFIG if set, else the built-in public forges.
"""

import argparse
import atexit
import json
import os
import signal
import subprocess
import sys

from forge_simulator import ForgeSimulator, simulator_settings
from forge_simulator.__main__ import seed_demo
from forge_simulator.oauth import OAUTH_KINDS, oauth_settings

GUIDE = """
  Workbench:        http://127.0.0.1:{port}/
  One required:     http://127.0.0.1:{port}/scenario/upstream_contribution.0/
  Two required:     http://127.0.0.1:{port}/scenario/upstream_contribution.1/
  Two in one unit:  http://127.0.0.1:{port}/scenario/upstream_contribution.2/
  With a mentor:    http://127.0.0.1:{port}/scenario/upstream_contribution.3/
  (add ?student=ada to act as another learner; on the last one ?student=mia is its
  mentor and ?student=staff is course staff: both see the learners' progress table)
  Studio editor:    http://127.0.0.1:{port}/scenario/upstream_contribution.1/studio_view/

  Under "Your forge accounts", press "Verify with GitHub" (the simulator signs you in as
  learner), then register  https://github.com/openedx/xblock-sdk/pull/101
  then merge it in the simulator (from another terminal):
      {python} -m forge_simulator merge github openedx/xblock-sdk 101 --url {sim}
  and watch the unit complete within 15 seconds, without reloading: the background sweep
  (`upstream_xblock_poll --loop`) hears of the merge through the simulated GitHub's
  notifications (a relay bot subscribed to the pull request) and completes it, page open or not.
  Other demo contributions: https://gitlab.com/mooc-floss/demo/-/merge_requests/3,
  https://review.opendev.org/c/openstack/nova/+/900001, https://codeberg.org/forgejo/forgejo/pulls/42,
  https://github.com/openedx/xblock/pull/7 (already merged), .../pull/8 (someone else's).
"""


def _start_simulator(args, var_dir):
    simulator = ForgeSimulator(port=args.sim_port)
    seed_demo(simulator.world)
    simulator.start()
    # "Verify with GitHub / GitLab / Codeberg" signs in on the simulator as "learner".
    bucket = oauth_settings(simulator_settings(simulator.base_url), simulator.base_url)
    for kind in OAUTH_KINDS:
        simulator.world.oauth.sign_in(kind, "learner")
    bucket["polling"] = {"open_min_s": args.check_every,
                         "page_poll_min_s": min(3, args.check_every),
                         "page_poll_watched_s": min(3, args.check_every),
                         "manual_min_interval_s": 5, "error_min_s": args.check_every}
    _configure_relay(simulator, bucket, args.check_every)
    path = os.path.join(var_dir, "demo-forges.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(bucket, handle, indent=2)
    os.environ["UPSTREAM_XBLOCK_CONFIG"] = path
    return simulator


DEMO_RELAY_TOKEN = "demo-relay-bot"  # the simulated forges' bot account: any token is one


def _configure_relay(simulator, bucket, check_every):
    """The change relay of the simulated GitHub and Codeberg: a bot account subscribed to each
    tracked pull request hears of its merge through the forge's notifications, which the
    simulator lets it ask for every 2 seconds (GitHub says 60). No checking token is set: the
    merge is read like any check, within GitHub's budget without a token."""
    simulator.world.notifications.poll_interval_s = 2
    for entry in bucket["forges"]:
        if entry["kind"] in ("github", "gitea"):
            entry["notifications_token"] = DEMO_RELAY_TOKEN
    bucket["change_signals"] = {"feed_every_s": check_every, "notifications_every_s": 2}


SWEEP_EVERY_MAX_S = 2  # the sweep loop's period at most (it also runs the relay)


def start_poller(check_every, extra_args=(), stderr=None):
    """The sweep loop's process. Its stdout repeats each sweep line that the log
    (stderr) already prints, so only the log is shown."""
    command = [sys.executable, "-m", "django", "upstream_xblock_poll", "--loop",
               "--interval", str(max(1, min(check_every, SWEEP_EVERY_MAX_S))), *extra_args]
    return subprocess.Popen(
        command, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=stderr, text=True)


def _start_background_polling(args):
    """The sweep loop in its own process, so merges complete units with no page open."""
    poller = start_poller(args.check_every)
    atexit.register(poller.terminate)
    # A terminated demo (SIGTERM) exits through atexit too, taking the poller with it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    return poller


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m workbench_demo")
    parser.add_argument("--port", type=int, default=8000, help="workbench port")
    parser.add_argument("--sim-port", type=int, default=8765, help="forge simulator port")
    parser.add_argument("--check-every", type=int, default=10,
                        help="seconds between checks of an open contribution (demo pace)")
    parser.add_argument("--real-forges", action="store_true",
                        help="no simulator: talk to the real forges (needs internet)")
    args = parser.parse_args(argv)

    var_dir = os.environ.setdefault("UPSTREAM_XBLOCK_VAR", os.path.join(os.getcwd(), "var"))
    os.makedirs(var_dir, exist_ok=True)
    os.environ["EXCLUDE_SAMPLE_XBLOCKS"] = "yes"
    simulator = None if args.real_forges else _start_simulator(args, var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench_demo.settings")

    import django  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    django.setup()
    # run_syncdb: xblock-sdk before 0.15 (the one Python 3.11 gets) ships the workbench's
    # app without migrations.
    call_command("migrate", run_syncdb=True, verbosity=0)
    # Load the scenarios before serving: the workbench loads them on the first request,
    # and two first requests at once (a busy machine) race, one of them answering 404.
    from workbench.scenarios import get_scenarios  # noqa: PLC0415
    get_scenarios()
    _start_background_polling(args)
    print(GUIDE.format(port=args.port, python=sys.executable, every=args.check_every,
                       sim=simulator.base_url if simulator else "(no simulator)"), flush=True)
    call_command("runserver", f"127.0.0.1:{args.port}", use_reloader=False, use_threading=True)


if __name__ == "__main__":
    main()
