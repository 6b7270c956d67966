"""The doorbell (ui/doorbell.py): a second launch rings, the running window comes forward —
restored, raised, active — and only then is the caller answered. ``ring`` (the second
launch's end) runs in a process of its own, as it does for real.

Two real processes: tests/e2e/test_second_launch.py; on a real X server with a window
manager: tests/x11/test_x11_second_launch.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clerk import instance
from ui.qt import QLocalSocket, QWidget


def _socket_path(name: str) -> Path:
    """Where Qt puts the doorbell's socket file on POSIX."""
    return Path(name) if Path(name).is_absolute() else Path(tempfile.gettempdir()) / name


class Ringer:
    """``ring(name)`` in another process — as a second launch does (``ring`` blocks, and
    PySide6 keeps Python's lock while it waits: on a thread of this process the GUI thread
    could not answer)."""

    def __init__(self, name: str, timeout_ms: int = 5000) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", RING, name, str(timeout_ms)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )

    def done(self) -> bool:
        return self.proc.poll() is not None

    @property
    def answer(self) -> bool:
        return self.proc.wait(timeout=30) == 0


ROOT = Path(__file__).resolve().parents[2]
RING = (
    "import sys; from ui.doorbell import ring;"
    " sys.exit(0 if ring(sys.argv[1], int(sys.argv[2])) else 1)"
)


@pytest.fixture
def name(tmp_path: Path) -> Iterator[str]:
    bell = instance.doorbell_name(tmp_path / "home")
    yield bell
    _socket_path(bell).unlink(missing_ok=True)


@pytest.fixture
def window(qtbot: Any) -> QWidget:
    w = QWidget()
    w.setWindowTitle("Omni Clerk")
    qtbot.addWidget(w)
    w.resize(400, 300)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_a_ring_brings_a_minimized_window_back_and_is_answered_once_it_is_active(
    qtbot: Any, window: QWidget, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    from ui.doorbell import Doorbell, FrontDoor

    bell = Doorbell(name, parent=window)
    FrontDoor(window, bell)
    assert bell.listen()
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized, timeout=5_000)
    caplog.set_level("INFO", logger="ui.doorbell")
    ringer = Ringer(name)
    qtbot.waitUntil(ringer.done, timeout=10_000)
    assert ringer.answer is True
    assert not window.isMinimized() and window.isVisible()
    assert window.isActiveWindow()
    assert "window raised and active after a second launch" in caplog.text


def test_nobody_home_is_no_answer(name: str) -> None:
    from ui.doorbell import ring

    assert ring(name, timeout_ms=500) is False


def test_a_stale_socket_file_of_a_crashed_app_is_removed_before_listening(
    qtbot: Any, window: QWidget, name: str
) -> None:
    """A killed app leaves its socket file; the next app (holding the lock, so owning the
    name) takes it over, and rings reach it."""
    from ui.doorbell import Doorbell, FrontDoor

    path = _socket_path(name)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))
    stale.close()  # no unlink: what a crash leaves behind
    assert path.exists()
    bell = Doorbell(name, parent=window)
    FrontDoor(window, bell)
    assert bell.listen()
    ringer = Ringer(name)
    qtbot.waitUntil(ringer.done, timeout=10_000)
    assert ringer.answer is True


def test_a_stranger_on_the_socket_is_hung_up_on(
    qtbot: Any, window: QWidget, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    from ui.doorbell import Doorbell, FrontDoor

    bell = Doorbell(name, parent=window)
    door = FrontDoor(window, bell)
    rung: list[object] = []
    bell.rung.connect(rung.append)
    assert bell.listen()
    caplog.set_level("WARNING", logger="ui.doorbell")
    sock = QLocalSocket()
    sock.connectToServer(name)
    assert sock.waitForConnected(5000)
    sock.write(b"open the till\n")
    sock.flush()
    qtbot.waitUntil(
        lambda: sock.state() == QLocalSocket.LocalSocketState.UnconnectedState, timeout=5_000
    )
    assert rung == [] and door.waiting == []
    assert "doorbell: unknown message" in caplog.text
