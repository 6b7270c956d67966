"""Which layout the window uses: the setting (handheld / desktop), or by window size (auto)."""

from __future__ import annotations

from ui.qt import QObject, QSize, Signal

# Narrower than this, or portrait and narrower than DESKTOP_MIN_WIDTH: handheld.
HANDHELD_MAX_WIDTH = 760
DESKTOP_MIN_WIDTH = 1100
LAYOUTS = ("auto", "handheld", "desktop")


def mode_for(setting: str, size: QSize) -> str:
    if setting in ("handheld", "desktop"):
        return setting
    w, h = size.width(), size.height()
    if w < HANDHELD_MAX_WIDTH or (h > w and w < DESKTOP_MIN_WIDTH):
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
