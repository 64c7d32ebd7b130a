#!/usr/bin/env bash
# The whole test suite: installs the Debian packages the tests drive (Chromium,
# redis-server, mariadb-server and mysqlclient's build needs), creates .venv with
# the pinned requirements plus the MariaDB driver, then runs pytest. Arguments go to pytest.
set -euo pipefail
. "$(dirname "$0")/system-deps.sh"
. "$(dirname "$0")/setup-env.sh"
# mysqlclient compiles against libmariadb-dev: installed here, not by setup-env.sh, so
# that the demo never needs a C compiler.
"$VPY" -m pip install --quiet --disable-pip-version-check \
    -r "$ROOT/requirements/mariadb.txt" \
    2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
cd "$ROOT"
exec "$VPY" -m pytest "$@"
