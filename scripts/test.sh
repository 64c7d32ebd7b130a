#!/usr/bin/env bash
# The whole test suite: creates .venv with the pinned requirements, installs the
# Debian packages the tests drive (Chromium), then runs pytest. Arguments go to pytest.
set -euo pipefail
. "$(dirname "$0")/setup-env.sh"
. "$ROOT/scripts/system-deps.sh"
cd "$ROOT"
exec "$VPY" -m pytest "$@"
