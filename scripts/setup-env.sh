# Sourced by the scripts: creates .venv (Python 3.12) and installs the pinned requirements
# (requirements/test.txt, compiled by pip-compile: make upgrade) and the package, editable.
# Re-running is cheap: pip skips what is already there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/find-python.sh"
VENV="${UPSTREAM_XBLOCK_VENV:-$ROOT/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    echo "creating $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV"
fi
# (grep drops pip's notes about this machine's optional local package mirrors)
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$ROOT/requirements/test.txt" -e "$ROOT" \
    2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
VPY="$VENV/bin/python"
export VPY VENV ROOT
