#!/usr/bin/env bash
# The whole test suite: creates .venv with the pinned requirements, then runs pytest.
set -euo pipefail
. "$(dirname "$0")/setup-env.sh"
cd "$ROOT"
exec "$VPY" -m pytest "$@"
