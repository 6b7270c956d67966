"""Keyboard-wedge scanners: a burst of keystrokes ending in a suffix, wherever the focus is.

A USB or built-in scanner "types" the code: characters a few milliseconds apart, then a
suffix — Enter or Tab (``suffix="auto"``, the default), only one of them, or characters of
its own (``suffix="#"``); some scanners also send a prefix first (``prefix="]Q1"``), which is
not part of the code. :class:`WedgeFilter` is an application-wide event filter that holds
printable key presses back for at most ``gap`` seconds: while keys keep coming faster than
that it keeps holding them; when the suffix ends a burst of at least ``min_chars`` it emits
``scanned(text)`` (prefix and suffix removed) and the keys never reach the focused widget —
a note editor, the sale form, a search field: its text is unchanged. A slower key (a person
typing) releases the held keys, in order, to the widget they were meant for, so human
typing passes through unchanged (at most one ``gap`` later).

On a real keyboard (X11, Windows) a scanner presses Shift around every uppercase letter and
symbol (and AltGr for some symbols on other layouts): key presses of modifiers alone (Shift,
Ctrl, Alt, AltGr, Meta, Caps Lock …) pass through and neither end nor break a burst. Keys
with Ctrl/Meta (a shortcut), navigation keys and auto-repeat pass straight through and end
a burst. Gaps are measured between the events' own timestamps when the platform gives them
(X11: the X server's time of each key, so a GUI thread that was busy for a moment does not
turn a scan into typing), else with the injected ``clock``; before held keys are released
for being slow, input already queued is processed first, and a release timer that fires late
(by a quarter of the gap or more: the GUI thread, or Qt's X reader, was held up) waits one
more gap — at most ``late_waits`` times — for the keys still on their way, rather than
splitting a burst on a busy moment.

The same filter stamps the time of the last user input for the idle auto-lock
(:attr:`WedgeFilter.last_input`, on ``input_clock``: any key press, click, mouse move, wheel or
touch, wherever it goes and whether or not the wedge is enabled), which the signed-in session's
guard reads when its timer fires: one application-wide Python filter, not one per concern —
every event of the application (~470 per customer opened: paints, layout requests, timers …)
goes through each such filter as a Python call, and ends at its first test, one set lookup.

The clocks are injected: tests press keys with controlled timestamps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from clerk.errors import ClerkError
from ui.qt import (
    QApplication,
    QEvent,
    QEventLoop,
    QKeyEvent,
    QMouseEvent,
    QObject,
    Qt,
    QTimer,
    QTouchEvent,
    QWheelEvent,
    QWidget,
    Signal,
    is_alive,
)

if TYPE_CHECKING:
    from clerk.ports import TerminalPort

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_TAB = (Qt.Key.Key_Tab,)
_KEY_PRESS = QEvent.Type.KeyPress
# The wrapper classes of the events the filter looks at (PySide gives an event the wrapper of
# its own class): anything else — paints, layout requests, timers, hover … — ends at the
# filter's first test, one set lookup, no method called and no enum built.
_INPUT_CLASSES = frozenset({QKeyEvent, QMouseEvent, QWheelEvent, QTouchEvent})
# The user input that resets the idle auto-lock: a key, a click, a mouse move, the wheel, a touch.
INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
    }
)
# A shortcut, not text: Ctrl, Alt or Meta held (but AltGr arrives as Ctrl+Alt on Windows:
# see _is_altgr).
_SHORTCUT = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)
_MODIFIER_KEYS = frozenset(
    {
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_Meta,
        Qt.Key.Key_Super_L,
        Qt.Key.Key_Super_R,
        Qt.Key.Key_Hyper_L,
        Qt.Key.Key_Hyper_R,
        Qt.Key.Key_CapsLock,
        Qt.Key.Key_NumLock,
        Qt.Key.Key_ScrollLock,
        Qt.Key.Key_Mode_switch,
    }
)
SUFFIXES = ("auto", "enter", "tab")


@dataclass
class _Held:
    target: QWidget
    key: int
    modifiers: Qt.KeyboardModifier
    text: str


class WedgeFilter(QObject):
    """Install with ``app.installEventFilter(filter)``; connect ``scanned``; read
    ``last_input`` (``input_clock``'s time of the last user input, ``-inf`` before any)."""

    scanned = Signal(str)

    def __init__(
        self,
        *,
        gap: float = 0.030,
        min_chars: int = 6,
        suffix: str = "auto",
        prefix: str = "",
        clock: Callable[[], float] = time.monotonic,
        late_waits: int = 3,
        input_clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.input_clock = input_clock
        self.last_input = float("-inf")
        self.gap = gap
        self.late_waits = late_waits
        self.min_chars = min_chars
        self.clock = clock
        self.enabled = True
        self.suffix = "auto"
        self.prefix = ""
        self.configure(suffix=suffix, prefix=prefix)
        self._held: list[_Held] = []
        self._last_at = 0.0  # clock time of the last held key
        self._last_stamp = 0  # its event timestamp (ms), 0 when the platform gives none
        self._replaying = False
        self._draining = False
        self._due = 0.0  # clock time the release timer is due
        self._waited_late = 0  # late release timers waited out for the held keys
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)

    def configure(self, *, suffix: str = "auto", prefix: str = "") -> None:
        """The scanner's suffix ("auto": Enter or Tab; "enter"; "tab"; or its own characters)
        and prefix (characters it sends first; "" for none) — the ``scanner_suffix`` and
        ``scanner_prefix`` settings."""
        self.suffix = suffix or "auto"
        self.prefix = prefix

    # --- the filter ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # On every event of the application: the cheapest test first (the class of the
        # event's wrapper in a set), so anything but input costs one lookup.
        if type(event) not in _INPUT_CLASSES:
            return False
        kind = event.type()
        if kind in INPUT_EVENTS:
            self.last_input = self.input_clock()  # for the idle lock
        if kind != _KEY_PRESS or self._replaying or not self.enabled:
            return False
        if not isinstance(watched, QWidget):
            return False  # the window sees the key first; act once, on the widget
        return self._key_press(watched, cast(QKeyEvent, event))  # a KeyPress's class

    def _is_char(self, event: QKeyEvent) -> bool:
        if event.isAutoRepeat():
            return False
        mods = event.modifiers()
        if mods & _SHORTCUT and not _is_altgr(mods):
            return False
        text = event.text()
        return len(text) == 1 and text.isprintable()

    def _is_suffix_key(self, event: QKeyEvent) -> bool:
        if event.modifiers() & _SHORTCUT or self.suffix not in SUFFIXES:
            return False
        key = event.key()
        if self.suffix in ("auto", "enter") and (key in _ENTER or event.text() in ("\r", "\n")):
            return True  # Return, keypad Enter, or a line feed
        return self.suffix in ("auto", "tab") and key in _TAB

    def _gap_ok(self, event: QKeyEvent, now: float) -> bool:
        """Is this key within ``gap`` of the last held one (by event time when there is one)?"""
        stamp = int(event.timestamp())
        if stamp and self._last_stamp and stamp >= self._last_stamp:
            return (stamp - self._last_stamp) / 1000.0 <= self.gap
        return now - self._last_at <= self.gap

    def _key_press(self, target: QWidget, event: QKeyEvent) -> bool:
        if event.key() in _MODIFIER_KEYS:
            return False  # Shift, AltGr …: part of typing a character, never a burst's end
        now = self.clock()
        fast = bool(self._held) and self._gap_ok(event, now)
        if self._held and not fast:
            self.flush()
        if self._is_suffix_key(event):
            if fast and self._emit_scan():
                return True
            self.flush()
            return False
        if not self._is_char(event):
            self.flush()
            return False
        self._held.append(_Held(target, event.key(), event.modifiers(), event.text()))
        self._last_at = now
        self._last_stamp = int(event.timestamp())
        self._waited_late = 0
        if self._own_suffix_ended() and self._emit_scan():
            return True
        self._start_timer()
        return True

    def _start_timer(self) -> None:
        self._due = self.clock() + self.gap
        self._timer.start(max(1, round(self.gap * 1000)))

    def _own_suffix_ended(self) -> bool:
        own = self.suffix not in SUFFIXES
        return own and self.holding.endswith(self.suffix)

    def _emit_scan(self) -> bool:
        """The held burst is a scan if long enough: emit it (prefix and own suffix removed)."""
        text = self.holding
        if self.suffix not in SUFFIXES:
            text = text.removesuffix(self.suffix)
        if self.prefix:
            text = text.removeprefix(self.prefix)
        if len(text) < self.min_chars:
            return False
        self._held.clear()
        self._timer.stop()
        self.scanned.emit(text)
        return True

    # --- releasing held keys ---------------------------------------------------------------

    def _on_timeout(self) -> None:
        if not self._held or self._draining:
            return
        # Keys already queued (the GUI thread was busy) belong to this burst: take them in
        # before deciding the burst is over.
        # Late by a quarter of the gap or more: a Qt timer is otherwise within a millisecond or
        # two, so the process was held up (a popup closing, a busy machine) and the burst's
        # next keys may be on their way still.
        late = self.clock() - self._due > self.gap / 4
        held_before = len(self._held)
        self._draining = True
        try:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        finally:
            self._draining = False
        if not self._held:
            return  # the burst ended (a scan, or released) while draining
        if len(self._held) != held_before or self.clock() - self._last_at <= self.gap:
            # More keys came (or real time ran ahead of the injected clock): check again.
            self._start_timer()
            return
        if late and self._waited_late < self.late_waits:
            # The process was held up, and the burst's next keys may not have reached the
            # queue yet: wait one more gap. Their own time stamps decide.
            self._waited_late += 1
            self._start_timer()
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


def scanner_settings(terminal: TerminalPort) -> dict[str, str]:
    """``suffix`` and ``prefix`` for a WedgeFilter from the terminal's ``scanner_suffix`` and
    ``scanner_prefix`` settings (defaults where a setting cannot be read)."""
    out = {"suffix": "auto", "prefix": ""}
    for name, key in (("scanner_suffix", "suffix"), ("scanner_prefix", "prefix")):
        try:
            value = terminal.settings.get(name)
        except (ClerkError, KeyError):
            value = None
        if isinstance(value, str):
            out[key] = value or out[key]
    return out


def _is_altgr(mods: Qt.KeyboardModifier) -> bool:
    """AltGr as Windows reports it (Ctrl+Alt) — a character key, not a shortcut."""
    both = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    return (mods & both) == both and not mods & Qt.KeyboardModifier.MetaModifier
