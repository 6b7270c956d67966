"""Keyboard-wedge scanners: a burst of keystrokes ending in Enter, wherever the focus is.

A USB or built-in scanner "types" the code: characters a few milliseconds apart, then Enter.
:class:`WedgeFilter` is an application-wide event filter that holds printable key presses
back for at most ``gap`` seconds: while keys keep coming faster than that it keeps holding
them; when Enter ends a burst of at least ``min_chars`` it emits ``scanned(text)`` and the
keys never reach the focused widget. A slower key (a person typing) releases the held keys,
in order, to the widget they were meant for, so human typing passes through unchanged (at
most one ``gap`` later). Keys with Ctrl/Alt/Meta, navigation keys and auto-repeat pass
straight through.

The clock is injected: tests press keys with controlled timestamps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ui.qt import (
    QApplication,
    QEvent,
    QKeyEvent,
    QObject,
    Qt,
    QTimer,
    QWidget,
    Signal,
    is_alive,
)

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


@dataclass
class _Held:
    target: QWidget
    key: int
    modifiers: Qt.KeyboardModifier
    text: str


class WedgeFilter(QObject):
    """Install with ``app.installEventFilter(filter)``; connect ``scanned``."""

    scanned = Signal(str)

    def __init__(
        self,
        *,
        gap: float = 0.030,
        min_chars: int = 6,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.gap = gap
        self.min_chars = min_chars
        self.clock = clock
        self.enabled = True
        self._held: list[_Held] = []
        self._last_at = 0.0
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)

    # --- the filter ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or not self.enabled:
            return False
        if event.type() != QEvent.Type.KeyPress:
            return False
        if not isinstance(watched, QWidget) or not isinstance(event, QKeyEvent):
            return False  # the window sees the key first; act once, on the widget
        return self._key_press(watched, event)

    def _is_char(self, event: QKeyEvent) -> bool:
        if event.isAutoRepeat() or event.modifiers() & _MODIFIERS:
            return False
        text = event.text()
        return len(text) == 1 and text.isprintable()

    def _key_press(self, target: QWidget, event: QKeyEvent) -> bool:
        now = self.clock()
        fast = bool(self._held) and now - self._last_at <= self.gap
        if self._held and not fast:
            self.flush()
        if event.key() in _ENTER and not event.modifiers() & _MODIFIERS:
            if fast and len(self._held) >= self.min_chars:
                text = "".join(h.text for h in self._held)
                self._held.clear()
                self._timer.stop()
                self.scanned.emit(text)
                return True
            self.flush()
            return False
        if not self._is_char(event):
            self.flush()
            return False
        self._held.append(_Held(target, event.key(), event.modifiers(), event.text()))
        self._last_at = now
        self._timer.start(max(1, round(self.gap * 1000)))
        return True

    # --- releasing held keys ---------------------------------------------------------------

    def _on_timeout(self) -> None:
        if not self._held:
            return
        if self.clock() - self._last_at <= self.gap:
            # Real time ran ahead of the (injected) clock: check again shortly.
            self._timer.start(max(1, round(self.gap * 1000)))
            return
        self.flush()

    def flush(self) -> None:
        """Send the held keys, in order, to the widgets they were pressed in."""
        held, self._held = self._held, []
        self._timer.stop()
        self._replaying = True
        try:
            for h in held:
                target: QWidget | None = h.target if is_alive(h.target) else None
                if target is None:
                    target = QApplication.focusWidget()
                if target is None:
                    continue
                press = QKeyEvent(QEvent.Type.KeyPress, h.key, h.modifiers, h.text)
                QApplication.sendEvent(target, press)
        finally:
            self._replaying = False

    @property
    def holding(self) -> str:
        return "".join(h.text for h in self._held)
