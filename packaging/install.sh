#!/usr/bin/env bash
# Install Omni Clerk from this unpacked tarball.
#   ./install.sh              as a user: ~/.local/lib/omni-clerk, ~/.local/bin/omni-clerk
#   sudo ./install.sh         for everyone: /opt/omni-clerk, /usr/local/bin/omni-clerk
#   ./install.sh --user       the per-user install even when run as root
#   ./install.sh --prefix DIR install the app folder into DIR instead
#   ./install.sh --uninstall  remove the app (never the data: ~/.local/share/omni-clerk)
# An upgrade is the same command with the newer tarball: the folder is replaced in one move,
# the data directory (cache.db, outbox.db, settings) is not touched and migrates on first start.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
APP=omni-clerk
uninstall=0
user=0
prefix=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --uninstall) uninstall=1 ;;
    --user) user=1 ;;
    --prefix) prefix=$2; shift ;;
    --prefix=*) prefix=${1#--prefix=} ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [[ $(id -u) -eq 0 && $user -eq 0 ]]; then
  prefix=${prefix:-/opt/$APP}
  bindir=/usr/local/bin
  share=/usr/share
else
  prefix=${prefix:-$HOME/.local/lib/$APP}
  bindir=$HOME/.local/bin
  share=${XDG_DATA_HOME:-$HOME/.local/share}
fi
desktop=$share/applications/$APP.desktop
icon=$share/icons/hicolor/scalable/apps/$APP.svg

refresh() {
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$share/applications" || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$share/icons/hicolor" 2>/dev/null || true
}

if (( uninstall )); then
  rm -rf "$prefix"
  rm -f "$desktop" "$icon"
  [[ -L "$bindir/$APP" ]] && rm -f "$bindir/$APP"
  refresh
  echo "Omni Clerk removed from $prefix (the data directory is kept)."
  exit 0
fi

if [[ ! -x "$HERE/$APP" || ! -d "$HERE/_internal" ]]; then
  echo "install.sh: run me from the unpacked omni-clerk folder (with $APP and _internal/)" >&2
  exit 1
fi
case "$prefix" in
  "$HERE"|"$HERE"/*) echo "install.sh: --prefix must be outside the unpacked folder" >&2; exit 2 ;;
esac

mkdir -p "$(dirname "$prefix")" "$bindir" "$(dirname "$desktop")" "$(dirname "$icon")"
staging="$prefix.new.$$"
rm -rf "$staging"
cp -a "$HERE" "$staging"
if [[ -e "$prefix" ]]; then
  mv "$prefix" "$prefix.old.$$"
  mv "$staging" "$prefix"
  rm -rf "$prefix.old.$$"
else
  mv "$staging" "$prefix"
fi
ln -sfn "$prefix/$APP" "$bindir/$APP"
install -m 0644 "$HERE/$APP.svg" "$icon"
sed -e "s|^Exec=.*|Exec=$prefix/$APP %U|" -e "s|^Icon=.*|Icon=$APP|" "$HERE/$APP.desktop" > "$desktop"
chmod 0644 "$desktop"
refresh

"$prefix/$APP" --version >/dev/null

# The X11 screen plugin links to a few xcb libraries every desktop has but minimal systems may
# not; name the packages instead of failing at the first start.
missing=$(LD_LIBRARY_PATH="$prefix/_internal" ldd "$prefix/_internal/PySide6/Qt/plugins/platforms/libqxcb.so" 2>/dev/null \
  | awk '/not found/ {print $1}' | tr '\n' ' ' || true)
echo "Omni Clerk installed in $prefix"
echo "  start it from the applications menu, or run: $bindir/$APP"
case ":$PATH:" in *":$bindir:"*) ;; *) echo "  (add $bindir to your PATH to run '$APP' by name)" ;; esac
if [[ -n "$missing" ]]; then
  echo "  missing system libraries for the window: $missing"
  echo "  on Debian/Ubuntu: sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxkbcommon-x11-0"
fi
