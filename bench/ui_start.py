"""App start to ready-to-scan, against an empty PySide6 window started the same way.

    python bench/ui_start.py [--quick] [--runs 7]

Each start is a fresh Python process (``QT_QPA_PLATFORM=offscreen``), timed from the spawn to
the moment the child reports its window painted:

* **app**: ``python -m clerk.cli --lang zh_CN --layout desktop`` — the real start path
  (``clerk`` with no command: open the terminal, ``ui.app.run_app``) on a demo data directory
  (cache.db and outbox.db built once beforehand, not timed) — ready when the first screen has
  painted — the sign-in page (or enrolment on a new terminal), where the associate starts
  (``CLERK_REPORT_READY=exit`` makes the app print READY then and quit);
* **reference**: ``QApplication`` + an empty ``QWidget`` shown — ready when it has painted;
* **sign-in view alone** (for the reader, not a target): the app's theme (QSS, font), its
  translations and the sign-in view in a ``QMainWindow`` — no data directory, no terminal, no
  main window: the part of the start that is the toolkit drawing our first screen, whatever
  the app does around it.

Runs alternate (reference, app, sign-in view alone, …); medians of ``--runs`` each (≥ 5) and
the ratios. Both run with bytecode caches (written by a first, unmeasured start into a temporary
PYTHONPYCACHEPREFIX), as an installed app would — this environment sets
PYTHONDONTWRITEBYTECODE, which would otherwise recompile every project module at every start.
Target: app ≤ 2× the empty window. Prints a markdown table; writes bench/results/ui_start.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
NOW = 1_763_900_000

# Both reference children end the same way: READY on stdout on the turn after ``watched``
# first paints, then quit.
_READY_ON_FIRST_PAINT = """
class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, lambda: (print("READY", flush=True), app.quit()))
            obj.removeEventFilter(self)
        return False

f = Painted()
watched.installEventFilter(f)
w.show()
app.exec()
"""

EMPTY_CHILD = (
    """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

app = QApplication(sys.argv[:1])
w = QWidget()
w.resize(1366, 860)
watched = w
"""
    + _READY_ON_FIRST_PAINT
)

SIGNIN_ONLY_CHILD = (
    """
import sys
from ui.qt import QApplication, QEvent, QMainWindow, QObject, QStatusBar, QTimer
from ui import theme
from ui.i18n import Translations
from ui.views.signin_view import SignInView

app = QApplication(sys.argv[:1])
theme.apply(app)
Translations(parent=app).set_language("zh_CN")
w = QMainWindow()
w.resize(1366, 860)
watched = SignInView()
w.setCentralWidget(watched)
w.setStatusBar(QStatusBar())
"""
    + _READY_ON_FIRST_PAINT
)


def run_child(argv: list[str], pycache: Path, extra_env: dict[str, str] | None = None) -> float:
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        # Bytecode as an installed app has it (the warm-up start writes it), outside the tree.
        "PYTHONPYCACHEPREFIX": str(pycache),
        "QT_QPA_PLATFORM": "offscreen",
        "QT_LOGGING_RULES": "qt.multimedia.*=false",
        "PYTHONPATH": str(ROOT),
        **(extra_env or {}),
    }
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - t0
    _out, err = proc.communicate(timeout=60)
    if not line.startswith("READY"):
        raise RuntimeError(f"child did not get ready (exit {proc.returncode}):\n{err[-2000:]}")
    return elapsed * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 runs each, small data")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    runs = 5 if args.quick else max(5, args.runs)

    sys.path.insert(0, str(ROOT))
    from ui.demo import build_home

    with tempfile.TemporaryDirectory(prefix="ui-start-") as tmp:
        home = Path(tmp) / "home"
        build_home(home, members=200 if args.quick else 2_000, now=NOW)
        app_argv = ["-m", "clerk.cli", "--lang", "zh_CN", "--layout", "desktop"]
        app_env = {"CLERK_HOME": str(home), "CLERK_REPORT_READY": "exit"}
        empty_argv = ["-c", EMPTY_CHILD]
        signin_argv = ["-c", SIGNIN_ONLY_CHILD]
        # One start of each first (not measured): the OS caches the libraries and fonts.
        pycache = Path(tmp) / "pycache"
        run_child(empty_argv, pycache)
        run_child(app_argv, pycache, app_env)
        run_child(signin_argv, pycache)
        empty: list[float] = []
        app: list[float] = []
        signin: list[float] = []
        for _ in range(runs):
            empty.append(run_child(empty_argv, pycache))
            app.append(run_child(app_argv, pycache, app_env))
            signin.append(run_child(signin_argv, pycache))
    e50, a50, s50 = statistics.median(empty), statistics.median(app), statistics.median(signin)
    rows: list[list[Any]] = [
        ["app start → ready-to-scan: median", round(a50, 1), "ms", f"{runs} runs"],
        ["app start: min / max", f"{min(app):.0f} / {max(app):.0f}", "ms", ""],
        ["empty PySide6 window: median", round(e50, 1), "ms", "reference, same run"],
        ["empty window: min / max", f"{min(empty):.0f} / {max(empty):.0f}", "ms", "reference"],
        ["ratio app / empty window", round(a50 / e50, 2), "×", "target ≤ 2×"],
        ["sign-in view alone (theme, translations): median", round(s50, 1), "ms", "for reading"],
        ["ratio sign-in view alone / empty window", round(s50 / e50, 2), "×", "for reading"],
    ]
    print("\n| App start (offscreen, fresh process) | value | unit | note |")
    print("|---|---:|---|---|")
    for label, value, unit, note in rows:
        print(f"| {label} | {value} | {unit} | {note} |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {
        "name": "ui_start",
        "rows": rows,
        "reference": "an empty PySide6 QWidget shown, fresh process, same run",
        "runs": runs,
        "targets": {"ratio": 2.0},
    }
    out = RESULTS / ("ui_start-quick.json" if args.quick else "ui_start.json")
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
