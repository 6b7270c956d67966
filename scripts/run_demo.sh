#!/usr/bin/env bash
# `make run`: the demo on the embedded hub and SQLite. Uses the real display when there is one,
# a virtual one (Xvfb) when it is installed, and otherwise says so in one line.
set -euo pipefail
cd "$(dirname "$0")/.."
export CLERK_HOME="${CLERK_HOME:-$PWD/demo-data}"
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" || "${QT_QPA_PLATFORM:-}" == "offscreen" ]]; then
  exec .venv/bin/clerk demo "$@"
elif command -v xvfb-run >/dev/null; then
  echo "No display: running the demo under Xvfb (virtual screen 1280x800). Screenshots land in $CLERK_HOME."
  exec xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/clerk demo "$@"
else
  echo "No display and no Xvfb: install it with 'sudo apt-get install -y xvfb', or run 'QT_QPA_PLATFORM=offscreen .venv/bin/clerk demo --screenshot demo.png --exit-after 10'." >&2
  exit 1
fi
