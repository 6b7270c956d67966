"""One instance, one window (issue 15, item 7): a second ``clerk`` on the same data directory
brings the running app's window forward and exits 0 with one line on stderr — two real app
processes (offscreen). The first says in its log that it was raised and made active.

A crash (kill -9) leaves the doorbell's socket file behind: the next app takes the name over
(it holds the instance lock) and a launch after it reaches it. A holder without a doorbell
(``clerk sync``) still refuses a second app as before (tests/ui/test_app.py). On a real X
server with a window manager: tests/x11/test_x11_second_launch.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from clerk import instance
from demoworld.home import build_home

ROOT = Path(__file__).resolve().parents[2]
CLERK = [sys.executable, "-m", "clerk.cli"]
NOW = 1_763_900_000


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("launch") / "home"
    build_home(home, members=20, seed=3, now=NOW, products=100)
    return home


@pytest.fixture
def home(template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "home"
    shutil.copytree(template, target)
    return target


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "CLERK_HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        "QT_LOGGING_RULES": "qt.multimedia.*=false",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("CLERK_REPORT_READY", None)
    return {**env, **extra}


def _socket_file(home: Path) -> Path:
    name = instance.doorbell_name(home)
    return Path(name) if Path(name).is_absolute() else Path(tempfile.gettempdir()) / name


class RunningApp:
    """``clerk`` (the app) on ``home``, up once it printed READY (its first screen painted)."""

    def __init__(self, home: Path) -> None:
        self.proc = subprocess.Popen(
            CLERK,
            env=_env(home, CLERK_REPORT_READY="1"),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # blocks until the first screen is up
        assert line.strip() == "READY", line

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def running(home: Path) -> Iterator[RunningApp]:
    app = RunningApp(home)
    try:
        yield app
    finally:
        app.kill()


def second_launch(home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        CLERK, env=_env(home), capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )


def _log(home: Path) -> str:
    return (home / "logs" / "terminal.log").read_text(encoding="utf-8")


def test_a_second_launch_raises_the_running_window_and_exits_0(
    home: Path, running: RunningApp
) -> None:
    second = second_launch(home)
    assert second.returncode == 0, second.stderr
    assert second.stderr.strip().splitlines() == [
        "clerk: Omni Clerk is already open on this data directory; "
        "its window was brought to the front"
    ]
    assert running.proc.poll() is None  # the first runs on
    log = _log(home)  # the first wrote these before it answered
    assert "a second launch rang: window brought to the front" in log
    assert "window raised and active after a second launch" in log
    assert f"already open (process {running.proc.pid})" in log  # the second's own line


def test_after_a_crash_the_next_app_takes_the_doorbell_over(home: Path) -> None:
    first = RunningApp(home)
    assert second_launch(home).returncode == 0  # its doorbell is up
    first.kill()  # kill -9: the lock goes with the process, the socket file stays
    assert _socket_file(home).exists()
    again = RunningApp(home)
    try:
        before = _log(home).count("window raised and active after a second launch")
        second = second_launch(home)
        assert second.returncode == 0, second.stderr
        assert _log(home).count("window raised and active after a second launch") == before + 1
    finally:
        again.kill()
