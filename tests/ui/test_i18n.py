"""Languages: complete catalogues, runtime switching, locale formats, English fallback."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, get_args

import pytest

from clerk.identify import MESSAGES
from ui import texts
from ui.i18n import (
    I18N_DIR,
    Translations,
    fmt_date,
    fmt_money,
    normalize_language,
)
from ui.qt import QDateTime, Qt

ROOT = Path(__file__).resolve().parents[2]
HERO = "M00000001"
HERO_SKU = "SW00001"  # the hero's watch (clerk.demo)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _messages(path: Path) -> list[tuple[str, str, ET.Element]]:
    out = []
    for ctx in ET.parse(path).getroot().findall("context"):
        name = ctx.findtext("name") or ""
        for m in ctx.findall("message"):
            out.append((name, m.findtext("source") or "", m))
    return out


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_catalogues_are_complete(lang: str) -> None:
    ts = I18N_DIR / f"clerk_{lang}.ts"
    unfinished = []
    for ctx, source, m in _messages(ts):
        tr = m.find("translation")
        assert tr is not None
        forms = [f.text for f in tr.findall("numerusform")] or [tr.text]
        if tr.get("type") in ("unfinished", "vanished", "obsolete") or not all(forms):
            unfinished.append(f"{ctx}: {source}")
    assert unfinished == []
    if lang == "zh_CN":
        for ctx, source, m in _messages(ts):
            tr = m.find("translation")
            text = "".join(f.text or "" for f in tr.findall("numerusform")) or tr.text or ""
            # Every sentence has Chinese in it (a few brand/format strings may not).
            if len(source) > 20:
                assert CJK.search(text), f"{ctx}: {source!r} → {text!r}"


def test_ts_sources_match_the_code(tmp_path: Path) -> None:
    """Every translatable string in ui/ is in the .ts (run scripts/build_translations.sh)."""
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "ui").rglob("*.py"))
    subprocess.run(
        [
            str(ROOT / ".venv/bin/pyside6-lupdate"),
            "-silent",
            "-locations",
            "none",
            *sources,
            "-ts",
            str(fresh),
        ],
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    wanted = {(c, s) for c, s, _ in _messages(fresh)}
    have = {(c, s) for c, s, _ in _messages(I18N_DIR / "clerk_zh_CN.ts")}
    assert wanted - have == set()


def test_qm_catalogues_are_built() -> None:
    for lang in ("zh_CN", "en"):
        qm = I18N_DIR / f"clerk_{lang}.qm"
        assert qm.exists() and qm.stat().st_size > 1000


def test_runtime_switch(qtbot: Any, session: Any, home: Any, open_customer: Any) -> None:
    w = session.window
    assert w.screens.scan_view.title.text() == "Scan the member code"
    open_customer(home.code(HERO))
    w.set_language("zh_CN")
    assert w.windowTitle() == "全渠道导购台"
    assert w.screens.customer_view.buttons["redeem"].text() == "核销"
    assert w.screens.customer_view.header.tier.text() == "金卡"
    assert w.screens.customer_view.talking.title.text() == "沟通要点"
    point = w.screens.customer_models.talking.index(0, 0).data(0)
    assert point.startswith("加入线上购物车 3 天：智能手表 S3 ¥1,999")
    qtbot.waitUntil(lambda: w.status_bar.network.text.text() == "在线", timeout=5_000)
    qtbot.keyClick(w, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert w.translations.language == "en"
    assert w.screens.customer_view.buttons["redeem"].text() == "Redeem"
    assert w.screens.customer_models.talking.index(0, 0).data(0).startswith("In online cart 3 days")


def test_a_language_switch_needs_no_lookup(
    qtbot: Any, session: Any, home: Any, open_customer: Any, wait_idle: Any, terminal: Any
) -> None:
    """The view carries its texts in both languages: a switch re-renders, it does not re-read."""
    w = session.window
    open_customer(home.code(HERO))
    with qtbot.waitSignal(w.screens.customer.recorded, timeout=10_000):
        w.screens.customer.record("interest", {"sku": HERO_SKU, "action": "asked_about"})
    visits = w.screens.customer_models.visits
    qtbot.waitUntil(lambda: "Smartwatch S3" in visits.index(0, 0).data(0), timeout=5_000)
    wait_idle()
    reads: list[str] = []
    view, open_ = terminal.view, terminal.open_customer
    terminal.view = lambda *a, **k: (reads.append("view"), view(*a, **k))[1]
    terminal.open_customer = lambda *a, **k: (reads.append("open"), open_(*a, **k))[1]
    w.set_language("zh_CN")
    assert "智能手表 S3" in visits.index(0, 0).data(0)
    assert w.screens.customer_models.cart.index(0, 0).data(0) == "智能手表 S3"
    w.set_language("en")
    assert "Smartwatch S3" in visits.index(0, 0).data(0)
    wait_idle()
    assert reads == []


def test_language_choice_is_saved(qtbot: Any, session: Any, terminal: Any) -> None:
    w = session.window
    w.nav.show_settings()
    qtbot.mouseClick(w.screens.settings_view.language_buttons["zh_CN"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: terminal.settings.get("language") == "zh_CN", timeout=5_000)
    assert w.screens.settings_view.title.text() == "设置"


def test_every_identify_reason_has_a_chinese_next_step(translations: Any) -> None:
    translations.set_language("zh_CN")
    for reason in MESSAGES:
        text = texts.reason_message(reason)
        assert CJK.search(text), reason
        assert "—" in text, reason
        assert text != texts.reason_message("error") or reason == "error"
    translations.set_language("en")
    for reason, english in MESSAGES.items():
        assert texts.reason_message(reason) == english  # the same words as clerk/identify


def test_money_and_dates_follow_the_locale(translations: Any) -> None:
    day = QDateTime.fromString("2026-11-22T15:00:00", Qt.DateFormat.ISODate).toSecsSinceEpoch()
    translations.set_language("zh_CN")
    assert fmt_money(199_900) == "¥1,999.00"
    assert fmt_date(day) == "2026年11月22日"
    translations.set_language("en")
    assert fmt_money(199_900) == "¥1,999.00"
    assert fmt_money(20_000, short=True) == "¥200"
    assert fmt_date(day) == "22 Nov 2026"


def test_english_fallback_without_compiled_catalogues(qapp: Any, tmp_path: Path) -> None:
    t = Translations(directory=tmp_path)
    try:
        assert t.set_language("zh_CN") == "zh_CN"
        assert not any(tmp_path.iterdir())  # no catalogue to load
        assert texts.reason_message("expired").startswith("This code has expired")
        assert fmt_money(100) == "¥1.00"
    finally:
        t.set_language("en")


def test_language_names() -> None:
    assert normalize_language("zh_TW") == "zh_CN"
    assert normalize_language("zh") == "zh_CN"
    assert normalize_language("en_GB") == "en"
    assert normalize_language("fr") == "en"


def test_every_kind_has_its_words_and_every_hub_reason_its_phrase(translations: Any) -> None:
    """What the UI says about each kind of the vocabulary and each reason of the protocol:
    a kind added to clerk/shared/interactions.py (or a reason to sync/protocol.py) fails here
    until the UI has words for it."""
    from clerk.shared.interactions import HISTORY_KINDS, KINDS, MEMBER_KINDS
    from sync.protocol import ResultReason
    from ui.controllers.customer_controller import RECORDED_TEXT
    from ui.models.dashboard_models import KINDS as DASHBOARD_KINDS

    assert set(texts.KINDS) >= HISTORY_KINDS and set(texts.KIND_ICONS) >= HISTORY_KINDS
    assert set(RECORDED_TEXT) >= MEMBER_KINDS
    assert set(KINDS) <= set(DASHBOARD_KINDS)
    assert set(texts.HUB_REASONS) == set(get_args(ResultReason))
    translations.set_language("zh_CN")
    for reason in texts.HUB_REASONS:
        assert CJK.search(texts.hub_reason(reason)), reason
    translations.set_language("en")
    phrases = [texts.hub_reason(reason) for reason in texts.HUB_REASONS]
    assert len(set(phrases)) == len(phrases)
    assert not any("_" in p or CJK.search(p) for p in phrases)
