"""One instance, one window: the doorbell between a running app and a second launch.

The instance lock (``clerk.instance``) decides who runs; this is only how the second launch
asks the running app to come forward. The running app listens on a local socket named after
its data directory (``clerk.instance.doorbell_name``: a socket file on POSIX, a named pipe on
Windows) — :class:`Doorbell`; a second launch on the same directory connects, says
``raise``, and exits once the app answered — :func:`ring`.

    doorbell = Doorbell(instance.doorbell_name(home), parent=window)
    FrontDoor(window, doorbell)             # the app: the window to the front, then answer
    doorbell.listen()
    ...
    ring(instance.doorbell_name(home))      # the second launch: True once the app answered

A socket file left behind by a crash is removed before listening: whoever holds the instance
lock owns the name. The socket is the user's alone (``UserAccessOption``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ui.qt import (
    QEvent,
    QLocalServer,
    QLocalSocket,
    QObject,
    Qt,
    QTimer,
    QWidget,
    Signal,
    is_alive,
)

log = logging.getLogger(__name__)

RAISE = b"raise\n"
RAISED = b"raised\n"
MAX_MESSAGE = 64  # bytes: a ring is one short line


class Doorbell(QObject):
    """The running app's end: a ``QLocalServer`` on ``name``. ``rung(answer)`` is emitted on
    the GUI thread for each ``raise``; the handler calls ``answer()`` once the window is
    forward (the second launch waits for it, then exits)."""

    rung = Signal(object)  # answer: Callable[[], None]

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._connected)

    def listen(self) -> bool:
        """Listen on the name (a stale socket file of a crashed app removed first); False,
        logged, when it cannot (the app works on without a doorbell)."""
        QLocalServer.removeServer(self.name)
        if self.server.listen(self.name):
            log.info("doorbell listening: %s", self.server.fullServerName())
            return True
        log.warning("no doorbell (%s): %s", self.name, self.server.errorString())
        return False

    def close(self) -> None:
        self.server.close()

    def _connected(self) -> None:
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            if sock is None:
                return
            sock.setParent(self)
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(sock.deleteLater)
            if sock.bytesAvailable():
                self._read(sock)

    def _read(self, sock: QLocalSocket) -> None:
        if not sock.canReadLine():
            if sock.bytesAvailable() > MAX_MESSAGE:
                sock.abort()  # not one of ours
            return
        line = bytes(sock.readLine(MAX_MESSAGE).data())
        if line != RAISE:
            log.warning("doorbell: unknown message %r", line[:32])
            sock.abort()
            return
        self.rung.emit(lambda: _answer(sock))


def _answer(sock: QLocalSocket) -> None:
    if is_alive(sock) and sock.state() == QLocalSocket.LocalSocketState.ConnectedState:
        sock.write(RAISED)
        sock.flush()
        sock.disconnectFromServer()


class FrontDoor(QObject):
    """Answers the doorbell for ``window``: brings it to the front (restored if minimized,
    raised, activated) and answers once it is the active window — or after ``wait_ms`` (a
    window manager may keep the focus where the person is; the window is raised anyway)."""

    def __init__(self, window: QWidget, doorbell: Doorbell, wait_ms: int = 2000) -> None:
        super().__init__(window)
        self.target = window
        self.wait_ms = wait_ms
        self.waiting: list[Callable[[], None]] = []
        doorbell.rung.connect(self.ring)
        window.installEventFilter(self)

    def ring(self, answer: Callable[[], None]) -> None:
        window = self.target
        state = window.windowState() & ~Qt.WindowState.WindowMinimized
        window.setWindowState(state | Qt.WindowState.WindowActive)
        window.show()
        window.raise_()
        window.activateWindow()
        log.info("a second launch rang: window brought to the front")
        if window.isActiveWindow():
            self._answered(answer, active=True)
            return
        self.waiting.append(answer)
        QTimer.singleShot(self.wait_ms, self, lambda: self._timed_out(answer))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.target and event.type() == QEvent.Type.WindowActivate:
            waiting, self.waiting = self.waiting, []
            for answer in waiting:
                self._answered(answer, active=True)
        return False

    def _timed_out(self, answer: Callable[[], None]) -> None:
        if answer in self.waiting:
            self.waiting.remove(answer)
            self._answered(answer, active=False)

    def _answered(self, answer: Callable[[], None], *, active: bool) -> None:
        if active:
            log.info("window raised and active after a second launch")
        else:
            log.info("window raised; not made active (the window manager kept the focus)")
        answer()


def ring(name: str, timeout_ms: int = 3000) -> bool:
    """The second launch's end (no event loop needed): connect to the doorbell ``name``,
    ask for the window, wait for the answer. False when nobody answers."""
    sock = QLocalSocket()
    try:
        sock.connectToServer(name)
        if not sock.waitForConnected(timeout_ms):
            return False
        sock.write(RAISE)
        if sock.bytesToWrite():  # (False when nothing was left to wait for)
            sock.waitForBytesWritten(timeout_ms)
        answer = b""
        while not answer.endswith(b"\n") and len(answer) < MAX_MESSAGE:
            if not sock.bytesAvailable() and not sock.waitForReadyRead(timeout_ms):
                break
            answer += bytes(sock.readAll().data())
        return answer == RAISED
    finally:
        sock.abort()
