#!/usr/bin/env bash
# The whole test suite: installs the Debian packages the tests drive (Chromium,
# redis-server, mariadb-server and mysqlclient's build needs), creates .venv with the
# compiled requirements plus the MariaDB driver and the maintainers' tools, then runs
# five suites, the pytest ones reporting test by test:
#   1. the main suite (Python 3.12, the newest pins: requirements/test.txt);
#   2. the MariaDB suite (tests/mariadb_server.py starts the server);
#   3. the LMS-package suite (tests.settings_lms: edx-submissions, edx-completion);
#   4. lint: ruff with pyproject.toml's rules (what `make quality` runs);
#   5. the oldest supported release, Open edX Ulmo: tox -e ulmo (Python 3.11, its pins).
# Every suite runs even when one before it failed; the exit status is non-zero if any did.
# Arguments go to the main suite's pytest, and then only that suite runs.
set -euo pipefail
. "$(dirname "$0")/system-deps.sh"
. "$(dirname "$0")/setup-env.sh"
# mysqlclient compiles against libmariadb-dev: installed here, not by setup-env.sh, so
# that the demo never needs a C compiler.
"$VPY" -m pip install --quiet --disable-pip-version-check \
    -r "$ROOT/requirements/mariadb.txt" -r "$ROOT/requirements/dev.txt" \
    2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
cd "$ROOT"
if [ "$#" -gt 0 ]; then
    exec "$VPY" -m pytest "$@"
fi

FAILED=()
suite() {
    local name="$1"
    shift
    echo
    echo "=== $name"
    if ! "$@"; then
        FAILED+=("$name")
    fi
}
suite "main suite (Python 3.12, requirements/test.txt)" "$VPY" -m pytest
suite "MariaDB suite" "$VPY" -m pytest -p tests.mariadb_server --ds tests.settings_mariadb
suite "LMS-package suite" \
    "$VPY" -m pytest --ds tests.settings_lms tests/lms_awards tests/staff/lms_staff
suite "lint (ruff, pyproject.toml's rules: make quality)" \
    "$VENV/bin/ruff" check upstream_xblock tests forge_simulator workbench_demo bench scripts setup.py
suite "Open edX Ulmo (Python 3.11, requirements/test-ulmo.txt)" "$VENV/bin/tox" -e ulmo

echo
if [ "${#FAILED[@]}" -gt 0 ]; then
    printf 'failed suites: %s\n' "$(IFS=';'; echo "${FAILED[*]}")"
    exit 1
fi
echo "all five suites passed"
