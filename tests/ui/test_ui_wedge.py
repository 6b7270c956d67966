"""The keyboard-wedge scanner: bursts ending in Enter are scans, wherever the focus is;
slower keys are a person typing and reach the focused widget unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from ui.qt import QLineEdit, Qt, QWidget
from ui.wedge import WedgeFilter

HERO = "M00000001"


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def _type(qtbot: Any, widget: QWidget, clock: FakeClock, text: str, gap: float) -> None:
    for ch in text:
        clock.advance(gap)
        qtbot.keyClick(widget, ch)


def _enter(qtbot: Any, widget: QWidget, clock: FakeClock, gap: float) -> None:
    clock.advance(gap)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


@pytest.fixture
def clock(session: Any) -> FakeClock:
    c = FakeClock()
    session.wedge.clock = c
    return c


@pytest.fixture
def bare(qtbot: Any) -> Any:
    """A line edit with its own wedge filter (no app window)."""
    clock = FakeClock()
    wedge = WedgeFilter(clock=clock)
    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    field.setFocus()
    field.installEventFilter(wedge)
    scans: list[str] = []
    wedge.scanned.connect(scans.append)
    return field, wedge, clock, scans


def test_scanner_burst_is_a_scan_and_never_reaches_the_field(qtbot: Any, bare: Any) -> None:
    field, _wedge, clock, scans = bare
    _type(qtbot, field, clock, "6200123456789012", gap=0.004)
    _enter(qtbot, field, clock, gap=0.004)
    assert scans == ["6200123456789012"]
    assert field.text() == ""


def test_human_typing_passes_through_in_order(qtbot: Any, bare: Any) -> None:
    field, wedge, clock, scans = bare
    _type(qtbot, field, clock, "13812345678", gap=0.18)
    clock.advance(1.0)
    qtbot.waitUntil(lambda: field.text() == "13812345678", timeout=2_000)
    assert wedge.holding == ""
    _enter(qtbot, field, clock, gap=0.3)
    assert scans == []


def test_a_short_fast_burst_is_typing(qtbot: Any, bare: Any) -> None:
    field, _wedge, clock, scans = bare
    returned: list[str] = []
    field.returnPressed.connect(lambda: returned.append(field.text()))
    _type(qtbot, field, clock, "12345", gap=0.005)
    _enter(qtbot, field, clock, gap=0.005)
    assert scans == []
    assert returned == ["12345"]  # held keys were released before the Enter


def test_a_pause_inside_a_burst_releases_the_first_part(qtbot: Any, bare: Any) -> None:
    field, _wedge, clock, scans = bare
    _type(qtbot, field, clock, "ab", gap=0.005)
    clock.advance(0.5)  # a person paused
    _type(qtbot, field, clock, "6200123456789012", gap=0.005)
    _enter(qtbot, field, clock, gap=0.005)
    assert scans == ["6200123456789012"]
    assert field.text() == "ab"


def test_modified_keys_pass_straight_through(qtbot: Any, bare: Any) -> None:
    field, _wedge, clock, scans = bare
    field.setText("hello")
    field.selectAll()
    clock.advance(0.005)
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    assert field.text() == ""
    assert scans == []


def test_scan_with_focus_anywhere_opens_the_customer(
    qtbot: Any, session: Any, home: Any, clock: FakeClock
) -> None:
    w = session.window
    lst = w.screens.scan_view.recent.list
    lst.setFocus()
    with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
        _type(qtbot, lst, clock, home.cards[HERO], gap=0.003)
        _enter(qtbot, lst, clock, gap=0.003)
    qtbot.waitUntil(lambda: w.nav.page == "customer", timeout=5_000)
    assert w.screens.customer.member_id == HERO


def test_scan_while_typing_a_note_switches_customer_without_touching_the_note(
    qtbot: Any, session: Any, home: Any, clock: FakeClock, open_customer: Any
) -> None:
    w = session.window
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    note = w.screens.customer_view.composer.note.text
    assert note.hasFocus()
    other = "M00000007"
    with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
        _type(qtbot, note, clock, home.code(other), gap=0.002)
        _enter(qtbot, note, clock, gap=0.002)
    assert w.screens.customer.member_id == other
    assert note.toPlainText() == ""
