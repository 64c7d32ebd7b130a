#!/usr/bin/env bash
# Translations (developers; needs GNU gettext: apt-get install gettext).
#   bash scripts/i18n.sh extract   # refresh each language's text.po (Python, templates) and
#                                  # djangojs.po (static/js) from the code
#   bash scripts/i18n.sh compile   # *.po -> *.mo, then djangojs.mo -> the JS catalogs
#                                  # static/js/translations/<language>/djangojs.js
# All of them are committed and shipped in the wheel. The server's catalogs follow the
# XBlock convention the LMS's XBlockI18nService reads:
# upstream_xblock/translations/<lang>/LC_MESSAGES/text.{po,mo}; djangojs.po sits beside it,
# as OEP-58 names the JavaScript domain. The JS catalogs are Django's JavaScript catalog
# in the block's i18n_js_namespace (scripts/i18n_catalogs.py; docs/architecture.md).
set -euo pipefail
. "$(dirname "$0")/setup-env.sh"
cd "$ROOT"
TRANSLATIONS=upstream_xblock/translations
case "${1:-}" in
extract)
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    for po in "$TRANSLATIONS"/*/LC_MESSAGES/text.po; do
        lang="$(basename "$(dirname "$(dirname "$po")")")"
        UPSTREAM_XBLOCK_VAR="$work" "$VPY" scripts/i18n_catalogs.py extract "$lang"
    done
    ;;
compile)
    for po in "$TRANSLATIONS"/*/LC_MESSAGES/*.po; do
        msgfmt --check -o "${po%.po}.mo" "$po"
    done
    "$VPY" scripts/i18n_catalogs.py compile-js
    ;;
*)
    echo "usage: $0 extract|compile" >&2
    exit 2
    ;;
esac
