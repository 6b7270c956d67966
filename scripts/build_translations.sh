#!/usr/bin/env sh
# Build the UI translations: extract every translatable string from ui/ into the .ts sources
# (pyside6-lupdate merges, keeping existing translations), then compile the .qm catalogues the
# app loads (pyside6-lrelease). Both tools ship with PySide6 in .venv/bin.
#
#   scripts/build_translations.sh            extract + compile
#   scripts/build_translations.sh --compile  compile only (no source scan)
#
# The app runs in English (the source language) when the .qm files are missing.
set -eu
cd "$(dirname "$0")/.."
BIN="${PYSIDE6_BIN:-.venv/bin}"
I18N=assets/i18n
LANGS="zh_CN en"

if [ "${1:-}" != "--compile" ]; then
    SOURCES=$(find ui -name '*.py' | LC_ALL=C sort)
    for lang in $LANGS; do
        # shellcheck disable=SC2086 # one argument per source file
        "$BIN/pyside6-lupdate" -silent -no-obsolete -locations none \
            -source-language en -target-language "$lang" \
            $SOURCES -ts "$I18N/clerk_$lang.ts"
    done
fi
for lang in $LANGS; do
    "$BIN/pyside6-lrelease" -silent "$I18N/clerk_$lang.ts" -qm "$I18N/clerk_$lang.qm"
done
echo "translations built in $I18N"
