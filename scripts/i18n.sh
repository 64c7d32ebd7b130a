#!/usr/bin/env bash
# Translations (developers; needs GNU gettext: apt-get install gettext).
#   bash scripts/i18n.sh extract   # refresh upstream_xblock/translations/*/LC_MESSAGES/text.po
#   bash scripts/i18n.sh compile   # text.po -> text.mo (both are committed and shipped)
# The catalogs follow the XBlock convention the LMS's XBlockI18nService reads:
# upstream_xblock/translations/<lang>/LC_MESSAGES/text.{po,mo}.
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
        mkdir -p "locale/$lang/LC_MESSAGES"
        cp "$po" "locale/$lang/LC_MESSAGES/django.po"
        DJANGO_SETTINGS_MODULE=workbench_demo.settings UPSTREAM_XBLOCK_VAR="$work" \
            "$VPY" -m django makemessages -l "$lang" -e py,html --no-location --no-wrap \
            --ignore=tests --ignore=.venv --ignore=forge_simulator --ignore=workbench_demo \
            --ignore=bench --ignore=build --ignore=var --ignore=static
        mv "locale/$lang/LC_MESSAGES/django.po" "$po"
    done
    rm -rf locale
    ;;
compile)
    for po in "$TRANSLATIONS"/*/LC_MESSAGES/text.po; do
        msgfmt --check -o "${po%.po}.mo" "$po"
    done
    ;;
*)
    echo "usage: $0 extract|compile" >&2
    exit 2
    ;;
esac
