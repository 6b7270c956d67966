"""The one message bridge: every user-facing message goes through here.

Controllers and workers never show a message themselves; they call the bridge, and only the
main window listens (it shows a non-blocking toast). Modelled on qutebrowser's
``utils/message.py``. Texts arrive already translated.
"""

from __future__ import annotations

import enum
import logging

from ui.qt import QObject, Signal

log = logging.getLogger(__name__)


class Level(enum.IntEnum):
    INFO = 0
    SUCCESS = 1
    WARNING = 2
    ERROR = 3


class MessageBridge(QObject):
    """``shown(level, text, key)``: ``key`` lets a newer message replace an older one."""

    shown = Signal(int, str, str)
    updated = Signal(str, str)  # text, key: replaces the text of a message still shown
    # level, text, key, action label, callback: a message with one action (e.g. "Open folder")
    offered = Signal(int, str, str, str, object)

    def offer(self, level: Level, text: str, key: str, action: str, run: object) -> None:
        """A message with one action the person may take (``run()`` when it is clicked)."""
        log.log(logging.WARNING if level >= Level.WARNING else logging.INFO, "%s", text)
        self.offered.emit(int(level), text, key, action, run)

    def update(self, text: str, key: str) -> None:
        """A message still shown under ``key`` now says ``text`` (nothing new is shown)."""
        log.info("%s", text)
        self.updated.emit(text, key)

    def info(self, text: str, key: str = "") -> None:
        self._show(Level.INFO, text, key)

    def success(self, text: str, key: str = "") -> None:
        self._show(Level.SUCCESS, text, key)

    def warning(self, text: str, key: str = "") -> None:
        self._show(Level.WARNING, text, key)

    def error(self, text: str, key: str = "") -> None:
        self._show(Level.ERROR, text, key)

    def _show(self, level: Level, text: str, key: str) -> None:
        log.log(logging.WARNING if level >= Level.WARNING else logging.INFO, "%s", text)
        self.shown.emit(int(level), text, key)
