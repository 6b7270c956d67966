"""Finding a customer without a code on the scan screen: letters or four digits typed in the
scan field search this store's members on the terminal runner (never on the GUI thread); the
results, masked, show under the field; Up/Down/Enter or a click open one (audited as found by
search); other digits keep the scan/phone path, and a scanner burst still opens its customer
while results are shown."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtGui import QInputMethodEvent

from clerk import audit
from clerk.db import connect
from ui.models.search_results_model import SearchResultsModel
from ui.qt import QApplication, Qt

HERO = "M00000001"  # 林晓雯 (Lin Xiaowen) of S001, the demo's store


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def searches(session: Any, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Every search the screen asks the terminal for: (text, ran on the GUI thread)."""
    terminal = session.window.screens.scan.terminal
    real = terminal.search
    seen: list[tuple[str, bool]] = []

    def spy(text: str, staff_id: str | None) -> Any:
        seen.append((text, threading.current_thread() is threading.main_thread()))
        return real(text, staff_id)

    monkeypatch.setattr(terminal, "search", spy)
    return seen


def _type(qtbot: Any, session: Any, text: str) -> None:
    """Type like a person (the wedge lets slow keys through), then wait for the results."""
    w = session.window
    field = w.screens.scan_view.field
    field.setFocus()
    clock = FakeClock()
    session.wedge.clock = clock
    for ch in text:
        clock.t += 0.3
        if ch.isascii():
            qtbot.keyClick(field, ch)
        else:  # hanzi come from the input method, committed one by one
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QApplication.sendEvent(field, event)
    clock.t += 0.3
    QApplication.processEvents()
    qtbot.waitUntil(lambda: w.screens.scan_view.results.isVisible(), timeout=5_000)
    qtbot.waitUntil(lambda: not w.screens.scan.searching(), timeout=5_000)


def _rows(session: Any) -> list[tuple[str, str]]:
    model = session.window.screens.search_model
    return [
        (model.index(i, 0).data(SearchResultsModel.MemberId), model.display(i).title)
        for i in range(model.rowCount())
    ]


def _audit(home: Any) -> list[tuple[str, dict[str, Any]]]:
    conn = connect(home.home / "outbox.db", synchronous="NORMAL", readonly=True)
    try:
        return [(r.action, r.detail) for r in audit.rows(conn)]
    finally:
        conn.close()


def test_typing_a_name_in_pinyin_lists_the_customer_masked_on_the_worker(
    qtbot: Any, session: Any, searches: list[tuple[str, bool]]
) -> None:
    _type(qtbot, session, "lin xiao")
    rows = _rows(session)
    assert rows and rows[0][0] == HERO
    assert rows[0][1] == "林*雯 · L*n X*****n"
    assert searches and all(not on_gui for _text, on_gui in searches)
    assert searches[-1][0] == "lin xiao"
    # debounced: not one search per key
    assert len(searches) < len("lin xiao")


def test_up_down_enter_open_the_chosen_customer_audited_as_found_by_search(
    qtbot: Any, session: Any, home: Any, searches: Any
) -> None:
    w = session.window
    _type(qtbot, session, "lin")
    rows = _rows(session)
    assert len(rows) >= 2
    field = w.screens.scan_view.field
    lst = w.screens.scan_view.results.list
    qtbot.keyClick(field, Qt.Key.Key_Down)
    qtbot.keyClick(field, Qt.Key.Key_Down)
    qtbot.keyClick(field, Qt.Key.Key_Up)
    assert lst.currentIndex().row() == 0 and field.hasFocus()
    qtbot.keyClick(field, Qt.Key.Key_Down)
    with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
        qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.nav.page == "customer", timeout=5_000)
    assert w.screens.customer.member_id == rows[1][0]
    assert ("view_customer", {"member_id": rows[1][0], "via": "search"}) in _audit(home)
    assert not w.screens.scan_view.results.isVisibleTo(w.screens.scan_view)


def test_a_click_on_a_result_opens_it(qtbot: Any, session: Any, searches: Any) -> None:
    w = session.window
    _type(qtbot, session, "林晓")
    lst = w.screens.scan_view.results.list
    rect = lst.visualRect(w.screens.search_model.index(0, 0))
    with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
        qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert w.screens.customer.member_id == HERO


def test_four_digits_offer_the_last_four_matches(
    qtbot: Any, session: Any, home: Any, searches: Any
) -> None:
    last4 = home.phones[HERO][-4:]
    _type(qtbot, session, last4)
    rows = _rows(session)
    assert HERO in [mid for mid, _ in rows]
    model = session.window.screens.search_model
    assert {model.index(i, 0).data(SearchResultsModel.Match) for i in range(len(rows))} == {"phone"}


def test_other_digits_keep_the_scan_and_phone_path(
    qtbot: Any, session: Any, home: Any, searches: Any
) -> None:
    w = session.window
    field = w.screens.scan_view.field
    card = home.cards[HERO]
    field.setFocus()
    clock = FakeClock()
    session.wedge.clock = clock
    for ch in card:
        clock.t += 0.3
        qtbot.keyClick(field, ch)
    clock.t += 0.3
    assert not w.screens.scan.searching() and searches == []
    with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert w.screens.customer.member_id == HERO


def test_a_scanner_burst_opens_its_customer_while_results_are_shown(
    qtbot: Any, session: Any, home: Any, searches: Any
) -> None:
    w = session.window
    _type(qtbot, session, "wang")
    field = w.screens.scan_view.field
    clock = session.wedge.clock
    with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
        for ch in home.cards["M00000007"]:
            clock.t += 0.004
            qtbot.keyClick(field, ch)
        clock.t += 0.004
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert w.screens.customer.member_id == "M00000007"
    assert field.text() in ("wang", "")  # the burst never reached the field
    assert not w.screens.scan_view.results.isVisibleTo(w.screens.scan_view)


def test_no_match_says_so_and_escape_clears(qtbot: Any, session: Any, searches: Any) -> None:
    w = session.window
    _type(qtbot, session, "zzzz")
    assert _rows(session) == []
    assert w.screens.scan_view.results.empty.isVisible()
    qtbot.keyClick(w.screens.scan_view.field, Qt.Key.Key_Escape)
    assert not w.screens.scan_view.results.isVisibleTo(w.screens.scan_view)


def test_results_in_the_handheld_layout_and_in_chinese(
    qtbot: Any, session: Any, searches: Any
) -> None:
    w = session.window
    w.set_layout_setting("handheld")
    w.set_language("zh_CN")
    assert w.screens.scan_view.mode == "handheld"
    _type(qtbot, session, "lxw")
    view = w.screens.scan_view
    assert view.results.isVisible()
    assert not view.recent.isVisible()  # a handheld shows the results in its place
    assert view.results.title.text() == "本店顾客"
    model = w.screens.search_model
    assert model.index(0, 0).data(SearchResultsModel.MemberId) == HERO
    assert model.display(0).chip == "姓名"
    qtbot.keyClick(view.field, Qt.Key.Key_Escape)
    assert view.recent.isVisible() and not view.results.isVisible()
