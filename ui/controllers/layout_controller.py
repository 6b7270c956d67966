"""Which layout the window uses: the setting (handheld / desktop), or by window size (auto).

Each layout has a minimum size it works at (every screen fits it: tests/ui/test_window_fit.py).
The window never gets smaller than the handheld's; the desktop layout needs
``DESKTOP_MIN.width()`` — narrower, the window shows the handheld layout, whatever the
setting (a desktop layout squeezed to a phone's width would cut its columns off).
"""

from __future__ import annotations

from ui.qt import QObject, QSize, Signal

HANDHELD_MIN = QSize(360, 480)  # the window's minimum size
DESKTOP_MIN = QSize(1024, 480)  # three columns and the composer's forms fit from here
# Auto: the desktop layout from DESKTOP_MIN's width, unless portrait and narrower than this.
DESKTOP_PORTRAIT_MIN_WIDTH = 1100
LAYOUTS = ("auto", "handheld", "desktop")


def mode_for(setting: str, size: QSize) -> str:
    w, h = size.width(), size.height()
    if setting == "handheld" or w < DESKTOP_MIN.width():
        return "handheld"
    if setting == "desktop":
        return "desktop"
    if h > w and w < DESKTOP_PORTRAIT_MIN_WIDTH:
        return "handheld"
    return "desktop"


class LayoutController(QObject):
    mode_changed = Signal(str)

    def __init__(self, setting: str = "auto", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setting = setting if setting in LAYOUTS else "auto"
        self.mode = ""
        self._size = QSize(1280, 800)

    def set_setting(self, setting: str) -> None:
        self.setting = setting if setting in LAYOUTS else "auto"
        self._apply()

    def resized(self, size: QSize) -> None:
        self._size = size
        self._apply()

    def _apply(self) -> None:
        mode = mode_for(self.setting, self._size)
        if mode != self.mode:
            self.mode = mode
            self.mode_changed.emit(mode)
