"""Two layouts: handheld portrait (one column, big touch targets) and desktop (columns),
chosen by window size or by the setting."""

from __future__ import annotations

from typing import Any

import pytest

from ui.controllers.layout_controller import DESKTOP_MIN, mode_for
from ui.qt import QAbstractButton, QSize, Qt

HERO = "M00000001"


@pytest.mark.parametrize(
    ("size", "mode"),
    [
        ((360, 640), "handheld"),
        ((720, 1280), "handheld"),
        ((414, 896), "handheld"),
        ((1280, 800), "desktop"),
        ((1920, 1080), "desktop"),
        ((1024, 768), "desktop"),
    ],
)
def test_auto_layout_by_window_size(size: tuple[int, int], mode: str) -> None:
    assert mode_for("auto", QSize(*size)) == mode
    # The setting holds wherever its layout fits; the desktop layout does not fit narrower
    # than its minimum width, so those windows stay handheld (tests/ui/test_window_fit.py).
    fits_desktop = size[0] >= DESKTOP_MIN.width()
    assert mode_for("desktop", QSize(*size)) == ("desktop" if fits_desktop else "handheld")
    assert mode_for("handheld", QSize(*size)) == "handheld"


def _visible_buttons(w: Any) -> list[Any]:
    return [b for b in w.findChildren(QAbstractButton) if b.isVisible()]


def test_handheld_is_one_column_with_big_targets(
    qtbot: Any, session: Any, home: Any, open_customer: Any
) -> None:
    w = session.window
    w.set_layout_setting("auto")
    w.resize(360, 640)
    qtbot.waitUntil(lambda: w.layout_ctl.mode == "handheld", timeout=2_000)
    open_customer(home.code(HERO))
    page = w.screens.customer_view
    assert page.stack.currentWidget() is page.handheld
    lefts = {p.mapTo(w, p.rect().topLeft()).x() for p in page.panels if p.isVisible()}
    assert len(lefts) == 1  # one column
    viewport = page.h_col.parentWidget().parentWidget()
    # Once laid out, nothing is wider than the screen.
    qtbot.waitUntil(lambda: page.header.width() <= viewport.width(), timeout=2_000)
    assert all(p.width() <= viewport.width() for p in page.panels)
    small = [
        (b.objectName() or b.text(), b.height())
        for b in _visible_buttons(w)
        if b.height() < 44 and b.window() is w
    ]
    assert small == []
    for panel in page.panels:
        lst = panel.list
        for row in range(lst.model().rowCount()):
            assert lst.sizeHintForRow(row) >= 44


def test_desktop_has_columns(qtbot: Any, session: Any, home: Any, open_customer: Any) -> None:
    w = session.window
    w.set_layout_setting("auto")
    w.resize(1280, 800)
    qtbot.waitUntil(lambda: w.layout_ctl.mode == "desktop", timeout=2_000)
    open_customer(home.code(HERO))
    page = w.screens.customer_view
    assert page.stack.currentWidget() is page.desktop
    lefts = {p.mapTo(w, p.rect().topLeft()).x() for p in page.panels if p.isVisible()}
    assert len(lefts) == 3


def test_layout_setting_overrides_size_and_is_saved(
    qtbot: Any, session: Any, terminal: Any
) -> None:
    w = session.window
    w.resize(1366, 860)
    w.nav.show_settings()
    qtbot.mouseClick(w.screens.settings_view.layout_buttons["handheld"], Qt.MouseButton.LeftButton)
    assert w.layout_ctl.mode == "handheld"
    qtbot.waitUntil(lambda: terminal.settings.get("layout") == "handheld", timeout=5_000)
    qtbot.mouseClick(w.screens.settings_view.layout_buttons["auto"], Qt.MouseButton.LeftButton)
    assert w.layout_ctl.mode == "desktop"


def test_handheld_status_bar_shows_the_associate_whole(
    qtbot: Any, session: Any, home: Any, open_customer: Any
) -> None:
    w = session.window
    bar = w.status_bar
    w.set_layout_setting("auto")
    w.resize(360, 640)
    qtbot.waitUntil(lambda: w.layout_ctl.mode == "handheld", timeout=2_000)
    open_customer(home.code(HERO))
    item = bar.associate
    assert item.text.text() == "王芳 (A01)"  # the name alone: the icon says who
    assert item.accessibleName() == "Associate: 王芳 (A01)"  # the screen reader hears all
    # Laid out, nothing of the status bar is cut off at the screen's edge.
    qtbot.waitUntil(lambda: item.mapTo(w, item.rect().topRight()).x() <= w.width(), timeout=2_000)
    assert item.text.width() >= item.text.sizeHint().width()
    # A long state (Chinese, a conflict waiting) shortens with "…" instead of pushing the
    # associate off the screen; the whole sentence stays its tooltip and accessible name.
    long = "记录已全部同步 · 1 条需店长处理 · 3 条被拒绝 · 最早一条 2 天前"
    bar.pending.set_text(long)
    qtbot.waitUntil(lambda: bar.pending.text.shown_text().endswith("…"), timeout=2_000)
    assert bar.pending.text.toolTip() == long and bar.pending.accessibleName() == long
    assert item.mapTo(w, item.rect().topRight()).x() <= w.width()
    assert item.text.width() >= item.text.sizeHint().width()

    w.resize(1366, 860)
    qtbot.waitUntil(lambda: w.layout_ctl.mode == "desktop", timeout=2_000)
    assert item.text.text() == "Associate: 王芳 (A01)"
