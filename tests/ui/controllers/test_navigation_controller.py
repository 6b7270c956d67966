"""Keyboard-only operation on desktop and accessible names on every control."""

from __future__ import annotations

from typing import Any

from ui.qt import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    Qt,
    QWidget,
)
from ui.theme import style_sheet

HERO = "M00000001"
CTRL = Qt.KeyboardModifier.ControlModifier
CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QPlainTextEdit)


def _unnamed(root: QWidget) -> list[str]:
    out = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, CONTROLS) or not w.isVisible():
            continue
        parent = w.parentWidget()
        if isinstance(parent, QLineEdit | QComboBox) or w.objectName().startswith("qt_"):
            continue  # Qt's own parts of a control (clear button, popup)
        if not w.accessibleName():
            out.append(f"{type(w).__name__}#{w.objectName()} {getattr(w, 'text', lambda: '')()!r}")
    return out


def test_every_control_has_an_accessible_name(
    qtbot: Any, session: Any, home: Any, open_customer: Any
) -> None:
    w = session.window
    assert _unnamed(w) == []
    open_customer(home.code(HERO))
    assert _unnamed(w) == []
    for form in ("note", "interest", "redeem", "sale", "consent"):
        w.screens.customer.action(form)
        assert _unnamed(w) == [], form
        w.screens.customer.cancel()
    w.nav.show_settings()
    assert _unnamed(w) == []


def test_keyboard_only_round_trip(qtbot: Any, session: Any, home: Any, outbox_rows: Any) -> None:
    w = session.window
    w.screens.scan_view.recent.list.setFocus()
    qtbot.keyClick(w, Qt.Key.Key_F2)
    assert w.screens.scan_view.field.hasFocus()
    w.screens.scan_view.field.setText(home.cards[HERO])
    with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
        qtbot.keyClick(w.screens.scan_view.field, Qt.Key.Key_Return)
    assert w.nav.page == "customer"
    # Talking points first, then the actions, reachable with Tab.
    assert w.screens.customer_view.talking.list.hasFocus()
    qtbot.keyClick(w, Qt.Key.Key_R, CTRL)
    assert w.screens.customer_view.composer.save.hasFocus()
    qtbot.keyClick(w.screens.customer_view.composer.save, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(outbox_rows()) == 2, timeout=5_000)
    qtbot.keyClick(w, Qt.Key.Key_F, CTRL)
    assert w.top_bar.quick_field.hasFocus()  # the next member can be typed without leaving
    qtbot.keyClick(w.top_bar.quick_field, Qt.Key.Key_Escape)
    assert w.nav.page == "scan"
    assert w.screens.scan_view.field.hasFocus()


def test_tab_order_on_the_scan_screen(qtbot: Any, session: Any) -> None:
    w = session.window
    w.screens.scan_view.field.setFocus()
    seen = []
    for _ in range(6):
        qtbot.keyClick(w.focusWidget(), Qt.Key.Key_Tab)
        seen.append(w.focusWidget().objectName())
    for name in ("lookUp", "cameraToggle", "openImage", "paste"):
        assert name in seen


def test_focus_ring_in_the_theme() -> None:
    qss = style_sheet()
    for selector in ("QPushButton:focus", "QLineEdit:focus", "QToolButton:focus"):
        assert selector in qss
    assert "#2563eb" in qss  # the focus colour


def test_theme_images_resolve_to_files_wherever_the_app_starts() -> None:
    import re
    from pathlib import Path

    qss = style_sheet()
    assert "@ICONS@" not in qss
    urls = re.findall(r"url\(([^)]+)\)", qss)
    assert urls  # the drop-down arrow of every combo box at least
    for url in urls:
        assert Path(url).is_absolute() and Path(url).is_file(), url


def test_combo_boxes_show_their_drop_down_arrow(qtbot: Any, session: Any) -> None:
    """A combo box styled without its arrow reads as a text field (settings, dashboard)."""
    from ui.qt import QComboBox

    combo = QComboBox(session.window)
    combo.addItems(["System default camera", "USB camera"])
    combo.resize(320, 44)
    combo.show()
    qtbot.waitExposed(combo)
    image = combo.grab().toImage()
    # Inside the box's right-hand 28 px (its border aside), the arrow is the only ink.
    ink = [
        (x, y)
        for x in range(image.width() - 28, image.width() - 4)
        for y in range(4, image.height() - 4)
        if max(image.pixelColor(x, y).getRgb()[:3]) < 230
    ]
    assert len(ink) >= 8, ink
