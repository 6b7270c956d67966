"""A failed lookup does not leave its text in the way of the next number.

Typed at the keyboard, in both languages and at the three window sizes: the error names what
was looked up, the field's text is selected, so the next number typed replaces it instead of
being appended to it.
"""

from __future__ import annotations

from typing import Any

import pytest

from ui.qt import Qt


@pytest.mark.parametrize("size", [(1280, 800), (414, 800), (1920, 1080)])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_next_number_replaces_a_failed_one(
    qtbot: Any, session: Any, home: Any, lang: str, size: tuple[int, int]
) -> None:
    w = session.window
    session.translations.set_language(lang)
    w.resize(*size)
    scan = w.screens.scan_view
    scan.field.setFocus()
    # Typed as a person types (slower than the wedge's scanner bursts).
    qtbot.keyClicks(scan.field, "1380013800", delay=50)  # one digit short of a mobile number
    qtbot.waitUntil(lambda: scan.field.text() == "1380013800", timeout=2_000)
    qtbot.keyClick(scan.field, Qt.Key.Key_Return, delay=50)
    qtbot.waitUntil(lambda: scan.error.isVisible(), timeout=5_000)
    assert "1380013800" in scan.error.text()  # still visible: in the message
    assert scan.field.selectedText() == "1380013800"
    qtbot.keyClicks(scan.field, "13800138000", delay=50)
    qtbot.waitUntil(lambda: len(scan.field.text()) >= 11, timeout=2_000)
    assert scan.field.text() == "13800138000"
    assert not scan.error.isVisible()
