"""App start to ready-to-scan, against an empty PySide6 window started the same way.

    python bench/ui_start.py [--quick] [--runs 7]

Each start is a fresh Python process, timed from the spawn to the moment the child reports
its window painted — on Qt's offscreen platform, and again on X11 (a private Xvfb, when it is
installed: a real X server, as a store terminal's display is, where the platform's own start
weighs on both sides of the ratio):

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

Runs alternate (reference, app, sign-in view alone, …) per platform; medians of ``--runs``
each (≥ 5) and the ratios. All run with bytecode caches (written by a first, unmeasured
start into a temporary PYTHONPYCACHEPREFIX), as an installed app would — this environment
sets PYTHONDONTWRITEBYTECODE, which would otherwise recompile every module at every start.
Target: app ≤ 2× the empty window. Prints a markdown table; writes bench/results/ui_start.json.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from report import write

ROOT = Path(__file__).resolve().parents[1]
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
from ui.models.staff_model import StaffModel
from ui.views.signin_view import SignInView

app = QApplication(sys.argv[:1])
theme.apply(app)
Translations(parent=app).set_language("zh_CN")
w = QMainWindow()
w.resize(1366, 860)
watched = SignInView(StaffModel())
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
        "QT_QPA_PLATFORM": "offscreen",  # the X11 runs override it (extra_env)
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


def _measure(
    runs: int, pycache: Path, children: dict[str, tuple[list[str], dict[str, str]]]
) -> dict[str, list[float]]:
    """Each child started once unmeasured (the OS caches libraries and fonts), then ``runs``
    rounds alternating between them; the milliseconds to READY, per child."""
    for argv, env in children.values():
        run_child(argv, pycache, env)
    times: dict[str, list[float]] = {name: [] for name in children}
    for _ in range(runs):
        for name, (argv, env) in children.items():
            times[name].append(run_child(argv, pycache, env))
    return times


@contextlib.contextmanager
def xvfb_display() -> Iterator[str | None]:
    """A private X server (Xvfb) for the X11 runs, or None when Xvfb is not installed."""
    binary = shutil.which("Xvfb")
    if binary is None:
        yield None
        return
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [binary, "-displayfd", str(write_fd), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()  # Xvfb writes its display number once ready
        yield f":{number}" if number else None
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _rows(times: dict[str, list[float]], platform: str, runs: int) -> list[list[Any]]:
    empty, app, signin = times["empty"], times["app"], times["signin"]
    e50, a50, s50 = statistics.median(empty), statistics.median(app), statistics.median(signin)
    return [
        [f"{platform}: app start → ready-to-scan: median", round(a50, 1), "ms", f"{runs} runs"],
        [f"{platform}: app start: min / max", f"{min(app):.0f} / {max(app):.0f}", "ms", ""],
        [f"{platform}: empty PySide6 window: median", round(e50, 1), "ms", "reference, same run"],
        [
            f"{platform}: empty window: min / max",
            f"{min(empty):.0f} / {max(empty):.0f}",
            "ms",
            "reference",
        ],
        [f"{platform}: ratio app / empty window", round(a50 / e50, 2), "×", "target ≤ 2×"],
        [f"{platform}: sign-in view alone: median", round(s50, 1), "ms", "for reading"],
        [
            f"{platform}: ratio sign-in view alone / empty window",
            round(s50 / e50, 2),
            "×",
            "for reading",
        ],
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 runs each, small data")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    runs = 5 if args.quick else max(5, args.runs)

    sys.path.insert(0, str(ROOT))
    from demoworld.home import build_home

    rows: list[list[Any]] = []
    with tempfile.TemporaryDirectory(prefix="ui-start-") as tmp:
        home = Path(tmp) / "home"
        build_home(home, members=200 if args.quick else 2_000, now=NOW)
        app_env = {"CLERK_HOME": str(home), "CLERK_REPORT_READY": "exit"}
        children = {
            "empty": (["-c", EMPTY_CHILD], {}),
            "app": (["-m", "clerk.cli", "--lang", "zh_CN", "--layout", "desktop"], app_env),
            "signin": (["-c", SIGNIN_ONLY_CHILD], {}),
        }
        pycache = Path(tmp) / "pycache"
        rows += _rows(_measure(runs, pycache, children), "offscreen", runs)
        with xvfb_display() as display:
            if display is None:
                rows.append(["X11 (Xvfb)", "not run", "", "Xvfb is not installed"])
            else:
                x11 = {"QT_QPA_PLATFORM": "xcb", "DISPLAY": display}
                on_x = {name: (argv, {**env, **x11}) for name, (argv, env) in children.items()}
                rows += _rows(_measure(runs, pycache, on_x), "X11 (Xvfb)", runs)
    write(
        "ui_start",
        "App start (fresh processes)",
        rows,
        quick=args.quick,
        reference="an empty PySide6 QWidget shown, fresh process, same run and platform",
        targets={"ratio": 2.0},
        runs=runs,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
