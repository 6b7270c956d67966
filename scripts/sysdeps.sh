#!/usr/bin/env bash
# Installs the system libraries Omni Clerk needs, when it can (root on Debian/Ubuntu);
# otherwise names them in one line with the exact command. Idempotent and quiet when done.
#   scripts/sysdeps.sh          runtime libraries (Qt, zbar, fonts, Xvfb)
#   scripts/sysdeps.sh --test   plus PostgreSQL for the hub's tests, xdotool (synthetic
#                               keyboard input through XTEST for the real-X scanner tests),
#                               openbox and x11-utils (a window manager's frame and the X
#                               server's view of it for the real-X window-fit tests)
set -euo pipefail
pkgs=(libzbar0 libpulse0 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0
      libfontconfig1 libdbus-1-3 fonts-noto-cjk xvfb xauth
      libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-randr0
      libxcb-shape0 libxcb-xkb1 libxcb-xinerama0 binutils)
if [[ "${1:-}" == "--test" ]]; then
  pkgs+=(postgresql xdotool openbox x11-utils)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "sysdeps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "sysdeps: missing system packages; install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
