#!/usr/bin/env bash
# `make dist`: the Linux terminal bundle.
#   dist/omni-clerk/                          one-folder PyInstaller build (+ .desktop, icon, install.sh)
#   dist/omni-clerk-linux-<arch>.tar.gz       the same folder as a tarball
# Then smoke-checks the build: --version runs, no bundled library misses a dependency.
# Usage: scripts/build_dist.sh [--no-tarball]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
ARCH=$(uname -m)
OUT=$ROOT/dist/omni-clerk
TARBALL=$ROOT/dist/omni-clerk-linux-$ARCH.tar.gz
tarball=1
[[ "${1:-}" == "--no-tarball" ]] && tarball=0

if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "build_dist: PyInstaller is not installed: $PY -m pip install pyinstaller (the dev extra has it)" >&2
  exit 1
fi
if [[ ! -e /lib/$ARCH-linux-gnu/libzbar.so.0 && ! -e /usr/lib/libzbar.so.0 ]]; then
  echo "build_dist: libzbar.so.0 is needed to bundle it: sudo apt-get install -y libzbar0" >&2
  exit 1
fi
if ! ls assets/i18n/*.qm >/dev/null 2>&1; then
  echo "build_dist: warning: no compiled translations in assets/i18n (run 'make translations')" >&2
fi

start=$(date +%s)
echo "build_dist: PyInstaller → $OUT"
PYTHONPATH=$ROOT${PYTHONPATH:+:$PYTHONPATH} "$PY" -m PyInstaller --noconfirm --clean \
  --log-level WARN --distpath dist --workpath build/pyinstaller packaging/omni-clerk.spec

install -m 0644 packaging/omni-clerk.desktop packaging/omni-clerk.svg "$OUT/"
install -m 0755 packaging/install.sh "$OUT/install.sh"

# Smoke checks: the binary starts, and every bundled library finds what it links to
# (in the bundle or in the base system every desktop Linux has).
"$OUT/omni-clerk" --version
missing=$(cd "$OUT/_internal" && find . -name '*.so*' -type f -print0 \
  | xargs -0 -n 50 env LD_LIBRARY_PATH="$OUT/_internal" ldd 2>/dev/null \
  | awk '/not found/ {print $1}' | sort -u | tr '\n' ' ' || true)
if [[ -n "$missing" ]]; then
  # Not fatal: these come from the target system (the X11 screen plugin needs them);
  # install.sh checks for them and names the packages.
  echo "build_dist: libraries the target system must provide: $missing"
fi

size=$(du -sm "$OUT" | cut -f1)
if (( tarball )); then
  tar -C dist -czf "$TARBALL.tmp" omni-clerk
  mv "$TARBALL.tmp" "$TARBALL"
  echo "build_dist: $TARBALL ($(du -m "$TARBALL" | cut -f1) MB)"
fi
echo "build_dist: $OUT ($size MB) in $(( $(date +%s) - start )) s"
