"""Screenshots of each view through ui.demo.run_demo (what `clerk demo --screenshot` runs),
and no untranslated text on the Chinese screens."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ui.demo import image_variance, run_demo
from ui.models.rows_model import Roles
from ui.qt import QAbstractButton, QImage, QLabel, QLineEdit

HERO = "M00000001"


@pytest.mark.parametrize(
    ("view", "lang", "layout"),
    [
        ("scan", "en", "desktop"),
        ("customer", "zh_CN", "desktop"),
        ("redeem", "en", "handheld"),
        ("offline", "zh_CN", "handheld"),
    ],
)
def test_each_view_renders_a_real_picture(
    qtbot: Any, terminal: Any, home: Any, tmp_path: Path, view: str, lang: str, layout: str
) -> None:
    shot = tmp_path / f"{view}.png"
    code = run_demo(
        terminal,
        None,
        screenshot=shot,
        exit_after=30,
        lang=lang,
        layout=layout,
        view=view,
        member_code_text=home.code(HERO),
        staff_id="A01",
    )
    assert code == 0
    image = QImage(str(shot))
    assert not image.isNull()
    assert image.width() >= 360 and image.height() >= 640
    assert image_variance(image) > 200  # not a blank window


# Words that are the same in Chinese UI: product/brand data, keys, units.
ALLOWED = {
    "App",
    "EN",
    "PIN",
    "CSV",
    "Ctrl",
    "Esc",
    "Enter",
    "Tab",
    "Omni",
    "Clerk",
    "Lin",
    "Xiaowen",
}
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def _latin_words(text: str) -> set[str]:
    return {w for w in LATIN_WORD.findall(text) if w not in ALLOWED}


def test_no_untranslated_text_on_chinese_screens(
    qtbot: Any, session: Any, home: Any, open_customer: Any
) -> None:
    w = session.window
    w.set_language("zh_CN")
    open_customer(home.code(HERO))
    w.screens.customer.action("redeem")
    qtbot.waitUntil(lambda: w.status.status is not None, timeout=5_000)
    w.status.render()
    found: dict[str, set[str]] = {}
    for widget in w.findChildren(QLabel) + w.findChildren(QAbstractButton):
        if widget.isVisible():
            words = _latin_words(widget.text())
            if words:
                found[widget.objectName() or type(widget).__name__] = words
    for field in w.findChildren(QLineEdit):
        if field.isVisible() and _latin_words(field.placeholderText()):
            found[field.objectName()] = _latin_words(field.placeholderText())
    m = w.screens.customer_models
    product_words = {
        word for line in m.cart.rows for word in LATIN_WORD.findall(line.product.title_zh)
    } | {word for b in m.browsing.rows for word in LATIN_WORD.findall(b.product.title_zh)}
    product_words |= {  # the products a recommendation names (its own and the one it goes with)
        word
        for p in m.talking.rows
        for key in ("title_zh", "because_title_zh")
        for word in LATIN_WORD.findall(str(p.facts.get(key, "")))
    }
    for model in (m.talking, m.cart, m.coupons, m.browsing, m.visits):
        for row in range(model.rowCount()):
            index = model.index(row, 0)
            for role in (
                Roles.Title,
                Roles.Subtitle,
                Roles.Detail,
                Roles.Trailing,
                Roles.TrailingSub,
                Roles.Chip,
            ):
                words = _latin_words(str(index.data(role) or "")) - product_words
                if words:
                    found[f"{type(model).__name__}[{row}]"] = words
    # Widget texts from the data (the header's name and the redeem panel's coupon) are
    # Chinese in the demo world; the English name is shown on purpose.
    assert found == {}
