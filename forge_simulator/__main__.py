"""Command line: ``python -m forge_simulator serve`` and actions on a running one.

    python -m forge_simulator serve --port 8765 [--demo] [--config-out FILE]
    python -m forge_simulator merge github openedx/xblock-sdk 101 [--url URL]
    python -m forge_simulator open gitlab mooc-floss/demo 7 --author learner --label bug
    python -m forge_simulator edit github openedx/xblock-sdk 101 --description "upx-1234abcd"
    python -m forge_simulator rename github openedx/old-name openedx/new-name
    python -m forge_simulator rate-limit github 0 --reset-in 600
"""

import argparse
import json
import sys
import time
import urllib.request

from .server import ForgeSimulator, simulator_settings

DEFAULT_URL = "http://127.0.0.1:8765"
ACTIONS = ("open", "merge", "close", "reopen", "land", "draft", "ready", "approve",
           "request_changes", "label", "edit")

DEMO_CONTRIBUTIONS = [
    # (kind, project, number, author, title, state, draft)
    ("github", "openedx/xblock-sdk", 101, "learner", "Fix a typo in the workbench README", "open",
     False),
    ("github", "openedx/xblock-sdk", 102, "learner", "Add a test for scenario loading", "open",
     True),
    ("github", "openedx/xblock", 7, "learner", "Document Scope.preferences", "merged", False),
    ("github", "openedx/xblock", 8, "someone-else", "Someone else's change", "merged", False),
    ("gitlab", "mooc-floss/demo", 3, "learner", "Translate the welcome page", "open", False),
    ("gerrit", "openstack/nova", 900001, "learner", "Fix a docstring", "open", False),
    ("gitea", "forgejo/forgejo", 42, "learner", "Improve an error message", "open", False),
]


def seed_demo(world):
    for kind, project, number, author, title, state, draft in DEMO_CONTRIBUTIONS:
        world.open(kind, project, number, author=author, title=title, state=state, draft=draft)


def _serve(args):
    simulator = ForgeSimulator(port=args.port)
    if args.demo:
        seed_demo(simulator.world)
    if args.config_out:
        with open(args.config_out, "w", encoding="utf-8") as handle:
            json.dump(simulator_settings(simulator.base_url, github_token=args.github_token),
                      handle, indent=2)
    simulator.start()
    print(f"forge simulator listening on {simulator.base_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        simulator.stop()
    return 0


def _act(args):
    if args.action == "rename":
        body = {"kind": args.kind, "project": args.project, "new_project": args.new_project}
    elif args.action == "rate-limit":
        args.action = "rate_limit"
        body = {"kind": args.kind, "remaining": args.remaining, "reset_in_s": args.reset_in}
    else:
        body = {"kind": args.kind, "project": args.project, "number": args.number}
        for key in ("author", "title", "state"):
            if getattr(args, key):
                body[key] = getattr(args, key)
        if args.description is not None:
            body["body"] = args.description  # the forge's name for a description
        if args.label:
            # `label` adds one label; `open` takes the list (the server reads "labels").
            if args.action == "label":
                body["label"] = args.label[-1]
            else:
                body["labels"] = list(args.label)
    request = urllib.request.Request(f"{args.url}/_sim/{args.action}",
                                     data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
            print(response.read().decode())
            return 0
    except OSError as exc:
        print(f"forge simulator at {args.url}: {exc}", file=sys.stderr)
        return 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m forge_simulator")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the simulator in the foreground")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--demo", action="store_true", help="seed the demo contributions")
    serve.add_argument("--config-out", help="write a settings bucket pointing at it")
    serve.add_argument("--github-token", help="token to put in that settings bucket")
    for action in ACTIONS:
        sub = commands.add_parser(action, help=f"{action} a contribution")
        sub.add_argument("kind", choices=("github", "gitlab", "gerrit", "gitea"))
        sub.add_argument("project")
        sub.add_argument("number", type=int)
        sub.add_argument("--url", default=DEFAULT_URL)
        sub.add_argument("--author")
        sub.add_argument("--title")
        sub.add_argument("--label", action="append",
                         help="a label (repeat for several; with `label`, the one to add)")
        sub.add_argument("--description",
                         help="the description (e.g. with an ownership code; `open`, `edit`)")
        sub.add_argument("--state", choices=("open", "closed", "merged"))
    rename = commands.add_parser("rename", help="rename a repository (old paths answer 301)")
    rename.add_argument("kind", choices=("github", "gitlab", "gerrit", "gitea"))
    rename.add_argument("project")
    rename.add_argument("new_project")
    rename.add_argument("--url", default=DEFAULT_URL)
    limit = commands.add_parser("rate-limit", help="set the requests left until the reset")
    limit.add_argument("kind", choices=("github", "gitlab", "gerrit", "gitea"))
    limit.add_argument("remaining", type=int)
    limit.add_argument("--reset-in", type=int, default=3600, help="seconds until the reset")
    limit.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    args.action = args.command
    return _act(args)


if __name__ == "__main__":
    sys.exit(main())
