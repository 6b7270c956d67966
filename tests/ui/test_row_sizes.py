"""Rows size to their content after any language or layout switch.

A customer with long notes (both languages) is shown; after each switch (language, layout,
window width) every history row is measured: the height the list laid it out at must hold the
text the delegate paints — the title wrapped at the row's text width with the delegate's own
font — and rows never overlap nor run past the list's bottom (which the page scrolls).
"""

from __future__ import annotations

from typing import Any

from ui.qt import QFontMetrics, QRect, QStyleOptionViewItem, Qt

HERO = "M00000001"
LONG_EN = (
    "Asked about the Smartwatch S3 in blue and the strap sizes, wants to come back on Friday "
    "with her daughter to compare it with the kids' watch; call her when the blue one is in. "
) * 3
LONG_ZH = "询问蓝色智能手表S3和表带尺寸，周五想带女儿来比较儿童手表；蓝色到货后请给她打电话。" * 4


def _record_note(qtbot: Any, w: Any, text: str) -> None:
    view = w.screens.customer_view
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    view.composer.note.text.setPlainText(text)
    qtbot.mouseClick(view.composer.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.composer.form != "note", timeout=5_000)


def _check_rows(qtbot: Any, w: Any, stage: str) -> None:
    """Once the event loop has laid the page out (a switch relayouts on the next turns)."""

    def settled() -> bool:
        try:
            _rows_fit(w, stage)
        except AssertionError:
            return False
        return True

    try:
        qtbot.waitUntil(settled, timeout=3_000)
    except Exception:
        _rows_fit(w, stage)  # says what is wrong
        raise


def _rows_fit(w: Any, stage: str) -> None:
    from ui.views.delegates import PAD_X

    panel = w.screens.customer_view.visits
    lst = panel.list
    model = lst.model()
    delegate = lst.row_delegate
    width = lst.viewport().width()
    bottom = -1
    for r in range(model.rowCount()):
        index = model.index(r, 0)
        d = model.display(r)
        rect = lst.visualRect(index)
        # What the delegate paints: the title wrapped in the text column, with its font.
        text_w = rect.width() - 2 * PAD_X - delegate._trailing_width(d) - 12 - (34 + 12)
        fm = QFontMetrics(delegate.title_font)
        need = fm.boundingRect(QRect(0, 0, text_w, 100_000), int(Qt.TextFlag.TextWordWrap), d.title)
        assert rect.width() == width, stage
        assert rect.height() >= need.height() + 2 * (10 - 3), (stage, r, d.title[:30])
        assert rect.height() == delegate.sizeHint(QStyleOptionViewItem(), index).height(), stage
        assert rect.top() > bottom, (stage, "rows overlap", r)
        bottom = rect.bottom()
    assert bottom < lst.height(), (stage, "last row clipped")


def test_history_rows_fit_their_notes_after_every_switch(
    qtbot: Any, session: Any, home: Any, open_customer: Any
) -> None:
    w = session.window
    w.resize(1280, 800)
    open_customer(home.code(HERO))
    _record_note(qtbot, w, LONG_EN)
    _record_note(qtbot, w, LONG_ZH)
    visits = w.screens.customer_models.visits
    qtbot.waitUntil(lambda: visits.rowCount() >= 3, timeout=5_000)
    _check_rows(qtbot, w, "en 1280")
    steps = [
        ("zh", "desktop", (1280, 800)),
        ("zh", "handheld", (414, 800)),
        ("en", "handheld", (414, 800)),
        ("en", "desktop", (1920, 1080)),
        ("zh", "desktop", (1920, 1080)),
        ("en", "desktop", (1280, 800)),
    ]
    for lang, layout, size in steps:
        session.translations.set_language(lang)
        w.set_layout_setting(layout)
        w.resize(*size)
        _check_rows(qtbot, w, f"{lang} {layout} {size}")
