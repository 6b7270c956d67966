"""One instance, one window, on a real X server with a window manager (openbox): a second
``clerk`` on the same data directory brings the running app's window back — from behind
another window, or minimized — on top of the others and active, as the X server and the
window manager see it (``_NET_ACTIVE_WINDOW``, ``_NET_CLIENT_LIST_STACKING``), then exits 0.

Two real processes of the app; the offscreen twin: tests/e2e/test_second_launch.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from x11_harness import ROOT, missing_tools, window_manager, xdotool, xvfb

from demoworld.home import DemoHome

CLERK = [sys.executable, "-m", "clerk.cli"]
# A window of another application that takes the focus (what the person was doing).
OTHER_APP = (
    "import sys\n"
    "from PySide6.QtWidgets import QApplication, QWidget\n"
    "app = QApplication([])\n"
    "w = QWidget(); w.setWindowTitle('another app'); w.resize(900, 700); w.show()\n"
    "w.activateWindow()\n"
    "sys.stdin.readline()\n"
)


def _env(display: str, home: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "QT_LOGGING_RULES": "qt.multimedia.*=false;qt.qpa.*=false",
        "PYTHONPATH": str(ROOT),
        "CLERK_HOME": str(home),
    }
    for name in ("QT_QPA_PLATFORMTHEME", "QT_SCALE_FACTOR", "CLERK_REPORT_READY"):
        env.pop(name, None)
    return {**env, **extra}


def _x(display: str, *args: str) -> str:
    return subprocess.run(
        list(args),
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def active_window(display: str) -> int:
    """The window manager's active window (``_NET_ACTIVE_WINDOW``)."""
    return int(_x(display, "xdotool", "getactivewindow").strip())


def topmost(display: str) -> int:
    """The top of the window manager's stacking order (``_NET_CLIENT_LIST_STACKING``)."""
    out = _x(display, "xprop", "-root", "_NET_CLIENT_LIST_STACKING")
    return int(out.rsplit("#", 1)[1].split(",")[-1].strip(), 16)


def mapped(display: str, wid: int) -> bool:
    return "IsViewable" in _x(display, "xwininfo", "-id", str(wid))


def until(condition: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    """Whether ``condition`` (an X query: each try is a process) holds within ``timeout_s``:
    the window manager carries a request out after ``xdotool --sync`` returned, under load."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
    return True


@pytest.fixture(scope="module")
def desktop() -> Iterator[str]:
    missing = missing_tools("openbox", "xprop", "xwininfo")
    if missing:
        pytest.skip(
            f"{' and '.join(missing)} not installed: the real-X second-launch tests need "
            "them (make test installs them: scripts/sysdeps.sh --test)"
        )
    with xvfb("1280x800x24") as display, window_manager(display):
        yield display


class App:
    """The app (``clerk``) on ``display``, up once its first screen painted (READY)."""

    def __init__(self, display: str, home: Path) -> None:
        self.display, self.home = display, home
        self.proc = subprocess.Popen(
            CLERK,
            env=_env(display, home, CLERK_REPORT_READY="1"),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "READY"
        found = _x(
            display,
            "xdotool",
            "search",
            "--sync",
            "--onlyvisible",  # not Qt's hidden client-leader window of the same name
            "--pid",
            str(self.proc.pid),
            "--name",
            "^Omni Clerk$",
        )
        self.wid = int(found.split()[0])

    def second_launch(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            CLERK,
            env=_env(self.display, self.home),
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            check=False,
        )

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def app(desktop: str, x_home_template: DemoHome, tmp_path: Path) -> Iterator[App]:
    home = tmp_path / "home"
    shutil.copytree(x_home_template.home, home)
    running = App(desktop, home)
    try:
        assert running.second_launch().returncode == 0  # its doorbell is up
        yield running
    finally:
        running.close()


def _raised(app: App) -> None:
    second = app.second_launch()
    assert second.returncode == 0, second.stderr
    assert "its window was brought to the front" in second.stderr
    assert mapped(app.display, app.wid)
    assert active_window(app.display) == app.wid
    assert topmost(app.display) == app.wid
    log = (app.home / "logs" / "terminal.log").read_text(encoding="utf-8")
    assert log.count("window raised and active after a second launch") == 2


def test_a_second_launch_brings_the_window_back_from_behind_another_app(app: App) -> None:
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_APP],
        env=_env(app.display, app.home),
        stdin=subprocess.PIPE,
        text=True,
    )
    try:
        found = _x(
            app.display,
            "xdotool",
            "search",
            "--sync",
            "--pid",
            str(other.pid),
            "--name",
            "another app",
        )
        other_wid = int(found.split()[0])
        xdotool(app.display, "windowactivate", "--sync", str(other_wid))
        assert active_window(app.display) == other_wid  # the person is elsewhere
        _raised(app)
    finally:
        assert other.stdin is not None
        other.stdin.close()
        other.wait(timeout=30)


def test_a_second_launch_brings_a_minimized_window_back(app: App) -> None:
    xdotool(app.display, "windowminimize", "--sync", str(app.wid))
    assert until(lambda: not mapped(app.display, app.wid))
    _raised(app)
