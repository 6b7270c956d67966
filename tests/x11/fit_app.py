"""The app started as ``clerk`` starts it (``ui.app.run_app``) on a real X server, walked
through every page, reporting whether each fits (tests/x11/test_x11_window_fit.py).

    DISPLAY=:N python tests/x11/fit_app.py HOME NOW

Once the first screen (sign-in) is up it prints ``{"event": "placed", "wid": …}`` and waits
for a line on stdin (the test looks at the window from outside, through the X server); then
one ``{"event": "page", …}`` line per page (tests/ui/window_fit.py ``report``: the window's
size and frame, what reaches outside, the status bar, the frame against the screen's
available geometry) and ``{"event": "done"}``; the app then quits.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ["QT_QPA_PLATFORM"] = "xcb"
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false;qt.qpa.*=false")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "ui"))

from window_fit import overflow, report, status_bar_problems, walk  # noqa: E402

from clerk.errors import ClerkError  # noqa: E402
from clerk.terminal import Terminal  # noqa: E402
from ui.app import run_app  # noqa: E402
from ui.controllers.access_controller import AccessController  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.qt import QApplication, QEventLoop, QTimer  # noqa: E402

SETTLE_S = 3.0  # what a page may take to lay itself out (and the window manager to frame it)


def emit(event: str, **data: Any) -> None:
    sys.stdout.write(json.dumps({"event": event, **data}, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def wait_until(condition: Any, timeout: float = 20.0) -> bool:
    """Run the event loop until ``condition()`` (or the timeout); True if it came true."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    return True


def no_hub() -> Any:
    raise ClerkError("no hub in this test", reason="offline")


def main() -> int:
    home, now = Path(sys.argv[1]), int(sys.argv[2])
    terminal = Terminal(home, clock=lambda: float(now))
    code = sys.argv[3]

    def drive() -> None:
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        access = window.findChild(AccessController)
        assert access is not None
        wait_until(lambda: window.isVisible(), SETTLE_S)
        # the window manager's frame drawn, the window where it will stay
        wait_until(lambda: window.frameGeometry() != window.geometry(), SETTLE_S)
        wait_until(lambda: not report(window, "signin")["frame_problems"], SETTLE_S)
        emit("placed", wid=int(window.winId()), maximized=window.isMaximized())
        sys.stdin.readline()

        def check(page: str) -> None:
            wait_until(
                lambda: (
                    not overflow(window)
                    and not status_bar_problems(window)
                    and not report(window, page)["frame_problems"]
                ),
                SETTLE_S,
            )
            emit("page", **report(window, page), mode=window.layout_ctl.mode)

        walk(window, access, code, wait_until, check)
        emit("done")
        QApplication.quit()

    try:
        return run_app(
            terminal,
            no_hub,
            lang="en",
            layout="auto",
            after_first_paint=[lambda: QTimer.singleShot(0, drive)],
        )
    finally:
        terminal.close()


if __name__ == "__main__":
    sys.exit(main())
