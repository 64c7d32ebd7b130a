#!/usr/bin/env bash
# The demo: creates .venv (Python 3.12, pinned requirements), migrates the workbench's
# SQLite database (var/), starts the forge simulator and the workbench, prints where
# to click. Options go to `python -m workbench_demo` (--port, --sim-port,
# --check-every, --real-forges). Ctrl-C stops everything.
set -euo pipefail
. "$(dirname "$0")/setup-env.sh"
cd "$ROOT"
exec "$VPY" -m workbench_demo "$@"
