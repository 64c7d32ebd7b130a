"""``python -m upstream_xblock check URL [--config FILE]``: one contribution, as JSON.

Success: one JSON object on stdout (url, kind, host, project, number, state,
merged_at, author, title, draft, target, ...), exit 0. Failure: ``{"error":
{"code", "message"}}`` on stdout and exit 1 (2 for a bad configuration or usage).
The check is held to ``deadlines.request_s`` of the configuration (5 s by
default): it ends by then with ``forge_unavailable`` (reason ``deadline``).
The configuration is the settings bucket's JSON (``{"forges": [...]}``); without
``--config`` the file named by ``UPSTREAM_XBLOCK_CONFIG`` is used, else the
built-in public forges.
"""

import argparse
import json
import os
import sys

from .forges import ConfigurationError, ForgeError, Forges

EXIT_FORGE_ERROR = 1
EXIT_USAGE = 2


def load_settings(path):
    """The settings bucket from a JSON file, or {} when no file is named."""
    path = path or os.environ.get("UPSTREAM_XBLOCK_CONFIG")
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as exc:
        raise ConfigurationError(f"cannot read configuration {path}: {exc.strerror}") from None
    except ValueError:
        raise ConfigurationError(f"configuration {path} is not valid JSON") from None


def check_result(ref, snapshot):
    """The command's JSON object for a successful check."""
    data = snapshot.to_dict()
    return {
        "url": ref.url, "kind": ref.kind, "host": ref.host,
        "project": snapshot.project or ref.project, "number": ref.number,
        "state": snapshot.state, "merged_at": data["merged_at"], "author": snapshot.author,
        "title": snapshot.title, "draft": snapshot.draft,
        "target": snapshot.target_repository,
        "target_branch": snapshot.target_branch, "created_at": data["created_at"],
        "closed_at": data["closed_at"], "labels": data["labels"],
        "review_decision": snapshot.review_decision, "web_url": snapshot.web_url,
        "author_id": snapshot.author_id, "forge_id": snapshot.forge_id,
    }


def _emit(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _check(args):
    try:
        forges = Forges.from_settings(load_settings(args.config))
    except ConfigurationError as exc:
        _emit({"error": {"code": "configuration_error", "message": str(exc)}})
        return EXIT_USAGE
    try:
        ref, snapshot = forges.check(args.url)
    except ForgeError as exc:
        _emit({"error": exc.as_dict()})
        return EXIT_FORGE_ERROR
    _emit(check_result(ref, snapshot))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m upstream_xblock")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="read one contribution's state from its forge")
    check.add_argument("url")
    check.add_argument("--config", help="settings bucket JSON file ({\"forges\": [...]})")
    args = parser.parse_args(argv)
    return _check(args)


if __name__ == "__main__":
    sys.exit(main())
