#!/usr/bin/env bash
# The demo: creates .venv, starts the forge simulator with demo contributions and
# shows the check command against it. Ctrl-C stops it.
set -euo pipefail
. "$(dirname "$0")/setup-env.sh"
cd "$ROOT"
PORT="${SIM_PORT:-8765}"
mkdir -p var
CONFIG="$ROOT/var/demo-forges.json"
"$VPY" -m forge_simulator serve --port "$PORT" --demo --config-out "$CONFIG" &
SIM_PID=$!
trap 'kill $SIM_PID 2>/dev/null || true' EXIT
sleep 1
cat <<TXT

Forge simulator on http://127.0.0.1:$PORT (settings bucket: $CONFIG)

  $VPY -m upstream_xblock check https://github.com/openedx/xblock-sdk/pull/101 --config $CONFIG
  $VPY -m forge_simulator merge github openedx/xblock-sdk 101 --url http://127.0.0.1:$PORT
  $VPY -m upstream_xblock check https://github.com/openedx/xblock-sdk/pull/101 --config $CONFIG

TXT
wait $SIM_PID
