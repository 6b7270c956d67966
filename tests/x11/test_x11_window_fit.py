"""Windows fit the screen, on real X servers of the issue's sizes with a real window manager
(openbox: title bar, borders, maximizing, the work area): the app started as ``clerk`` starts
it (``ui.app.run_app``, tests/x11/fit_app.py) opens with its frame inside the screen — seen
from the X server itself (``xwininfo -frame``), not only by Qt — and every page (sign-in,
enrolment, scan, the customer alone and with each form open, settings, the manager's
dashboard) fits: nothing outside the window, the status bar whole, the frame on the screen.

Today's code opened a 1366×860 window on a 1280×800 screen: the right column and the status
bar fell off it (issue 15). The same pages in more sizes, offscreen: tests/ui/test_window_fit.py.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from x11_harness import ROOT, frame_of, missing_tools, window_manager, xvfb

from demoworld.home import DemoHome

FIT_APP = Path(__file__).resolve().parent / "fit_app.py"
PAGES = [
    "signin",
    "enrolment",
    "scan",
    "customer",
    "customer+note",
    "customer+interest",
    "customer+redeem",
    "customer+points_redeem",
    "customer+sale",
    "customer+consent",
    "customer+task",
    "customer+assign",
    "customer+unknown",
    "customer+link",
    "settings",
    "clientbook",
    "followups",
    "dashboard",
]
# screen → (Xvfb screen, QT_SCALE_FACTOR, the layout the app picks, opens maximized)
SCREENS = {
    "1280x800": ("1280x800x24", None, "desktop", True),
    "1366x768": ("1366x768x24", None, "desktop", True),
    "1920x1080": ("1920x1080x24", None, "desktop", False),
    "720x1280": ("720x1280x24", None, "handheld", True),
    "720x1280@2x": ("720x1280x24", "2", "handheld", True),  # a phone's pixel density
}


@pytest.fixture(scope="module")
def tools() -> None:
    missing = missing_tools("openbox", "xwininfo", "xprop")
    if missing:
        pytest.skip(
            f"{' and '.join(missing)} not installed: the window-fit tests need them "
            "(make test installs them: scripts/sysdeps.sh --test)"
        )


class Driver:
    """tests/x11/fit_app.py on ``display``: its JSON events, read on a thread."""

    def __init__(self, display: str, home: Path, now: int, code: str, scale: str | None) -> None:
        env = {
            **os.environ,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "PYTHONPATH": str(ROOT),
            "CLERK_HOME": str(home),
        }
        env.pop("QT_QPA_PLATFORMTHEME", None)
        env.pop("QT_SCALE_FACTOR", None)
        if scale:
            env["QT_SCALE_FACTOR"] = scale
        self.proc = subprocess.Popen(
            [sys.executable, str(FIT_APP), str(home), str(now), code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.errors: list[str] = []
        self.threads = [
            threading.Thread(target=self._read_out, daemon=True),
            threading.Thread(target=self._read_err, daemon=True),
        ]
        for t in self.threads:
            t.start()

    def _read_out(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("{"):
                self.events.put(json.loads(line))
        self.events.put({"event": "exited"})

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.errors.append(line.rstrip())

    def next(self, timeout: float = 60.0) -> dict[str, Any]:
        try:
            got = self.events.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no event in {timeout} s; stderr: {self.errors[-8:]}") from None
        if got["event"] == "exited":
            raise RuntimeError(f"the app exited; stderr: {self.errors[-8:]}")
        return got

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def close(self) -> int:
        """Wait for the app to end (it quits after the last page; a test that stopped early
        ends its wait for "go" by closing stdin)."""
        try:
            if self.proc.stdin is not None and not self.proc.stdin.closed:
                self.proc.stdin.close()
            code = self.proc.wait(timeout=60)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=20)
            for t in self.threads:
                t.join(timeout=10)
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()
        return code


@pytest.fixture
def fit_home(x_home_template: DemoHome, tmp_path: Path) -> Iterator[DemoHome]:
    target = tmp_path / "home"
    shutil.copytree(x_home_template.home, target)
    yield DemoHome(
        home=target,
        now=x_home_template.now,
        private_key_hex=x_home_template.private_key_hex,
        code_ids=x_home_template.code_ids,
        cards=x_home_template.cards,
        phones=x_home_template.phones,
        hero=x_home_template.hero,
    )


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_app_and_every_page_fit_a_real_screen(
    tools: None, fit_home: DemoHome, screen: str
) -> None:
    size, scale, mode, maximized = SCREENS[screen]
    width, height = (int(n) for n in size.split("x")[:2])
    with xvfb(size) as display, window_manager(display):
        app = Driver(display, fit_home.home, fit_home.now, fit_home.code(fit_home.hero), scale)
        try:
            placed = app.next()
            assert placed["event"] == "placed"
            assert placed["maximized"] is maximized
            # From the X server: the window with its frame lies on the screen.
            x, y, w, h = frame_of(display, placed["wid"])
            assert x >= 0 and y >= 0 and x + w <= width and y + h <= height, (x, y, w, h)
            if not maximized:  # it got its preferred size, centred
                assert abs((x + w / 2) - width / 2) <= 2, (x, w)
            app.go()
            seen = []
            while (event := app.next())["event"] == "page":
                seen.append(event["page"])
                problems = event["overflow"] + event["status_bar"] + event["frame_problems"]
                assert problems == [], (event["page"], problems)
                assert event["mode"] == mode, event["page"]
            assert event["event"] == "done"
            assert seen == PAGES
        finally:
            code = app.close()
        assert code == 0, app.errors[-8:]
