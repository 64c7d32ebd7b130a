# Sourced by the scripts: sets PYTHON to a Python 3.12 interpreter or exits with a clear message.
# Order: $PYTHON if set, python3.12 on PATH, pyenv's 3.12.x, /usr/bin/python3.12.
find_python312() {
    local candidate
    for candidate in "${PYTHON:-}" "$(command -v python3.12 2>/dev/null || true)"; do
        if [ -n "$candidate" ] && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then
            echo "$candidate"; return 0
        fi
    done
    local root
    root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
    for candidate in $(ls -d "$root"/versions/3.12.* 2>/dev/null | sort -V -r); do
        if [ -x "$candidate/bin/python" ]; then echo "$candidate/bin/python"; return 0; fi
    done
    if [ -x /usr/bin/python3.12 ]; then echo /usr/bin/python3.12; return 0; fi
    return 1
}
PYTHON="$(find_python312)" || {
    echo "error: Python 3.12 is required (requirements/test.txt's pins need it); none was found." >&2
    echo "       Install one (e.g. 'pyenv install 3.12') or set PYTHON=/path/to/python3.12." >&2
    exit 1
}
export PYTHON
