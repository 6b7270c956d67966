"""The keyboard-wedge scanner: bursts ending in Enter are scans, wherever the focus is;
slower keys are a person typing and reach the focused widget unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from ui.qt import (
    QApplication,
    QEvent,
    QKeyEvent,
    QLineEdit,
    QMouseEvent,
    QObject,
    QPoint,
    QPointF,
    Qt,
    QTouchEvent,
    QWheelEvent,
    QWidget,
)
from ui.wedge import INPUT_EVENTS, WedgeFilter

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


def test_every_input_the_idle_lock_counts_is_stamped_and_nothing_else(qapp: Any) -> None:
    stamp = FakeClock()
    wedge = WedgeFilter(input_clock=stamp)
    wedge.enabled = False  # the scanner part off: the idle lock still hears every input
    assert wedge.last_input == float("-inf")
    # The events go to a plain object (a widget would get a touch update only after accepting
    # the touch's begin: Qt's rule, not the filter's), its filter the wedge.
    receiver = QObject()
    receiver.installEventFilter(wedge)

    def stamped(event: QEvent) -> bool:
        stamp.advance(1.0)
        before = wedge.last_input
        QApplication.sendEvent(receiver, event)
        return wedge.last_input != before and wedge.last_input == stamp.t

    at = QPointF(5, 5)
    no_mod = Qt.KeyboardModifier.NoModifier
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    M = QEvent.Type
    inputs = [
        QKeyEvent(M.KeyPress, Qt.Key.Key_A, no_mod, "a"),
        QKeyEvent(M.KeyPress, Qt.Key.Key_Shift, Qt.KeyboardModifier.ShiftModifier),
        QMouseEvent(M.MouseButtonPress, at, at, left, left, no_mod),
        QMouseEvent(M.MouseMove, at, at, none, none, no_mod),
        QWheelEvent(
            at, at, QPoint(), QPoint(0, 120), none, no_mod, Qt.ScrollPhase.NoScrollPhase, False
        ),
        QTouchEvent(M.TouchBegin),
        QTouchEvent(M.TouchUpdate),
    ]
    assert {e.type() for e in inputs} == INPUT_EVENTS
    for event in inputs:
        assert stamped(event), event.type().name
    others = [
        QKeyEvent(M.KeyRelease, Qt.Key.Key_A, no_mod, "a"),
        QMouseEvent(M.MouseButtonRelease, at, at, left, none, no_mod),
        QTouchEvent(M.TouchEnd),
        QEvent(M.LayoutRequest),
        QEvent(M.UpdateRequest),
    ]
    for event in others:
        assert not stamped(event), event.type().name
    wedge.input_clock = lambda: 5.0  # the clock it was given (the idle lock's)
    assert stamped(QKeyEvent(M.KeyPress, Qt.Key.Key_B, no_mod, "b")) is False
    assert wedge.last_input == 5.0
    receiver.removeEventFilter(wedge)


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


# --- a real keyboard: Shift (and other modifier keys) between the characters ----------------

SHIFTED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ$%*+:")  # US layout: typed with Shift held


def _send(widget: QWidget, press: bool, key: int, text: str, mods: Any, stamp: int) -> None:
    from ui.qt import QApplication, QEvent, QKeyEvent

    kind = QEvent.Type.KeyPress if press else QEvent.Type.KeyRelease
    event = QKeyEvent(kind, key, mods, text)
    if stamp:
        event.setTimestamp(stamp)
    QApplication.sendEvent(widget, event)


def _keyboard(
    widget: QWidget,
    clock: FakeClock,
    text: str,
    gap: float,
    *,
    suffix: int | None = Qt.Key.Key_Return,
    extra_modifier: int | None = None,
    stamp_gap_ms: int = 0,
) -> None:
    """Type ``text`` as a USB scanner (or a person) does on a real keyboard: Shift pressed
    before and released after every uppercase letter and symbol — the events X11 delivers.
    ``extra_modifier``: another modifier key pressed and released between characters.
    ``stamp_gap_ms``: give the events platform timestamps this far apart."""
    no, shift = Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier
    stamp = 1_000_000 if stamp_gap_ms else 0
    for ch in text:
        clock.advance(gap)
        stamp += stamp_gap_ms
        shifted = ch in SHIFTED
        if extra_modifier is not None:
            _send(widget, True, extra_modifier, "", no, stamp)
            _send(widget, False, extra_modifier, "", no, stamp)
        if shifted:
            _send(widget, True, Qt.Key.Key_Shift, "", shift, stamp)
        key = ord(ch.upper())
        _send(widget, True, key, ch, shift if shifted else no, stamp)
        _send(widget, False, key, ch, shift if shifted else no, stamp)
        if shifted:
            _send(widget, False, Qt.Key.Key_Shift, "", no, stamp)
    if suffix is not None:
        clock.advance(gap)
        stamp += stamp_gap_ms
        _send(widget, True, suffix, "\r" if suffix == Qt.Key.Key_Return else "\t", no, stamp)
        _send(widget, False, suffix, "", no, stamp)


@pytest.mark.parametrize("gap", [0.001, 0.005, 0.010])
def test_an_uppercase_code_with_shift_between_the_characters_is_one_scan(
    qtbot: Any, session: Any, home: Any, clock: FakeClock, open_customer: Any, gap: float
) -> None:
    w = session.window
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    note = w.screens.customer_view.composer.note.text
    note.setPlainText("likes the blue one")
    assert note.hasFocus()
    other = "M00000007"
    code = home.code(other)
    assert set(code) & SHIFTED
    with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
        _keyboard(note, clock, code, gap)
    assert w.screens.customer.member_id == other
    assert note.toPlainText() == "likes the blue one"


@pytest.mark.parametrize(
    "modifier",
    [
        Qt.Key.Key_Shift,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_Meta,
        Qt.Key.Key_CapsLock,
    ],
)
def test_modifier_only_key_presses_do_not_break_a_burst(
    qtbot: Any, bare: Any, modifier: int
) -> None:
    field, _wedge, clock, scans = bare
    field.setText("kept")
    _keyboard(field, clock, "MC1:AB$%*+-./ 12", 0.004, extra_modifier=modifier)
    assert scans == ["MC1:AB$%*+-./ 12"]
    assert field.text() == "kept"


def test_a_digits_card_needs_no_shift_and_is_still_a_scan(qtbot: Any, bare: Any) -> None:
    field, _wedge, clock, scans = bare
    _keyboard(field, clock, "6200123456789012", 0.010)
    assert scans == ["6200123456789012"] and field.text() == ""


def test_a_person_typing_with_shift_passes_through(qtbot: Any, bare: Any) -> None:
    field, wedge, clock, scans = bare
    returned: list[str] = []
    field.returnPressed.connect(lambda: returned.append(field.text()))
    _keyboard(field, clock, "Wang Fang 138", 0.12)
    assert scans == [] and returned == ["Wang Fang 138"] and wedge.holding == ""


def test_tab_ends_a_scan_too(qtbot: Any, bare: Any) -> None:
    field, _wedge, clock, scans = bare
    _keyboard(field, clock, "6200123456789012", 0.004, suffix=Qt.Key.Key_Tab)
    assert scans == ["6200123456789012"] and field.text() == ""


def test_only_the_configured_suffix_ends_a_scan(qtbot: Any, bare: Any) -> None:
    field, wedge, clock, scans = bare
    wedge.configure(suffix="enter")
    _keyboard(field, clock, "6200123456789012", 0.004, suffix=Qt.Key.Key_Tab)
    clock.advance(1.0)
    qtbot.waitUntil(lambda: wedge.holding == "", timeout=2_000)
    assert scans == []  # released to the field, like typing
    assert field.text() == "6200123456789012"


def test_a_scanners_own_suffix_and_prefix(qtbot: Any, bare: Any) -> None:
    field, wedge, clock, scans = bare
    wedge.configure(suffix="#", prefix="]Q1")
    _keyboard(field, clock, "]Q1MC1:ABC123#", 0.004, suffix=None)
    assert scans == ["MC1:ABC123"]
    _keyboard(field, clock, "6200123456789012#", 0.004, suffix=None)  # prefix is optional
    assert scans == ["MC1:ABC123", "6200123456789012"]
    assert field.text() == ""


def test_a_shortcut_inside_a_burst_ends_it(qtbot: Any, bare: Any) -> None:
    field, _wedge, clock, scans = bare
    _keyboard(field, clock, "abcdef", 0.004, suffix=None)
    clock.advance(0.004)
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # select all
    assert scans == [] and field.text() == "abcdef"


def test_event_timestamps_keep_a_scan_whole_when_the_gui_thread_was_busy(
    qtbot: Any, bare: Any
) -> None:
    """The keys came 5 ms apart (their platform timestamps) but were handled 80 ms apart
    (the GUI thread was busy painting): still one scan."""
    field, _wedge, clock, scans = bare
    _keyboard(field, clock, "MC1:ABCDEF", 0.080, stamp_gap_ms=5)
    assert scans == ["MC1:ABCDEF"] and field.text() == ""


def test_a_release_timer_that_fires_late_waits_for_the_rest_of_the_burst(
    qtbot: Any, bare: Any
) -> None:
    """The burst's keys are 5 ms apart by their time stamps, but the process was held up for
    200 ms in the middle (the release timer fires late, and nothing new is queued yet): the
    held keys wait for the rest, which arrive later still within the gap by their stamps — one
    scan, nothing in the field. A timer that fires on time releases a person's keys, and late
    waits are bounded."""
    field, wedge, clock, scans = bare
    _keyboard(field, clock, "MC1:ABC", 0.005, suffix=None, stamp_gap_ms=5)
    clock.advance(0.200)
    wedge._on_timeout()  # the timer, late
    assert field.text() == "" and wedge.holding == "MC1:ABC"
    stamp = 1_000_000 + 7 * 5
    for ch in "DEF":
        stamp += 5
        _send(field, True, ord(ch), ch, Qt.KeyboardModifier.ShiftModifier, stamp)
    _send(field, True, Qt.Key.Key_Return, "\r", Qt.KeyboardModifier.NoModifier, stamp + 5)
    assert scans == ["MC1:ABCDEF"] and field.text() == ""

    _keyboard(field, clock, "ab", 0.150, suffix=None)
    clock.advance(0.031)
    wedge._on_timeout()  # on time: a person's keys are released
    assert field.text() == "ab"
    _keyboard(field, clock, "x", 0.150, suffix=None)
    clock.advance(0.030 + 0.010)  # 10 ms late (over a quarter of the gap): one more gap
    wedge._on_timeout()
    assert field.text() == "ab" and wedge.holding == "x"
    clock.advance(0.031)
    wedge._on_timeout()  # then on time: released
    assert field.text() == "abx"

    _keyboard(field, clock, "c", 0.150, suffix=None)
    for _ in range(wedge.late_waits):
        clock.advance(0.200)
        wedge._on_timeout()
        assert field.text() == "abx"
    clock.advance(0.200)
    wedge._on_timeout()
    assert field.text() == "abxc"


@pytest.mark.parametrize("target", ["search", "sale"])
def test_a_scan_with_focus_in_the_search_field_or_the_sale_form(
    qtbot: Any, session: Any, home: Any, clock: FakeClock, open_customer: Any, target: str
) -> None:
    w = session.window
    if target == "search":
        field = w.screens.scan_view.field
        field.setFocus()
    else:
        open_customer(home.code(HERO))
        w.screens.customer_view.composer.open_form("sale")
        field = w.screens.customer_view.composer.sale.amount
        field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=2_000)
    before = field.text()
    with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
        _keyboard(field, clock, home.code("M00000007"), 0.004)
    assert w.screens.customer.member_id == "M00000007"
    assert field.text() == before


# --- product barcodes (EAN-13 / UPC-A) ------------------------------------------------------

HERO_EAN = "6900000000014"  # the hero product's (SW00001) EAN-13 in the demo world


def _toast(w: Any) -> str:
    toasts = w.toasts.toasts()
    return toasts[-1].text.text() if toasts else ""


def test_a_product_barcode_on_the_scan_screen_names_the_product_not_a_member(
    qtbot: Any, session: Any, clock: FakeClock, outbox_rows: Any, wait_idle: Any
) -> None:
    w = session.window
    opened: list[Any] = []
    w.screens.scan.opened.connect(opened.append)
    field = w.screens.scan_view.field
    field.setFocus()
    with qtbot.waitSignal(w.screens.scan.product_named, timeout=10_000) as named:
        _keyboard(field, clock, HERO_EAN, 0.004)
    code, product = named.args
    assert (code, product.sku) == (HERO_EAN, "SW00001")
    assert "Smartwatch S3" in _toast(w) and "SW00001" in _toast(w)
    # a bad check digit: refused in words, no lookup of anyone
    _keyboard(field, clock, HERO_EAN[:-1] + "5", 0.004)
    wait_idle()
    qtbot.waitUntil(lambda: "check digit" in _toast(w), timeout=5_000)
    assert "barcode" in _toast(w)
    assert opened == [] and w.nav.page == "scan" and outbox_rows() == []
    assert field.text() == ""


def test_a_product_barcode_scanned_into_the_open_sale_adds_its_line(
    qtbot: Any, session: Any, home: Any, clock: FakeClock, open_customer: Any, wait_idle: Any
) -> None:
    w = session.window
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    sale = w.screens.customer_view.composer.sale
    field = sale.amount
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=2_000)
    _keyboard(field, clock, HERO_EAN, 0.004)
    qtbot.waitUntil(lambda: [v.sku for v in sale.values()] == ["SW00001"], timeout=5_000)
    assert sale.values()[0].price_cents == 199_900
    # a wrong check digit adds nothing and looks up no one
    _keyboard(field, clock, HERO_EAN[:-1] + "5", 0.004)
    wait_idle()
    qtbot.waitUntil(lambda: "check digit" in _toast(w), timeout=5_000)
    assert [v.sku for v in sale.values()] == ["SW00001"]
    assert w.screens.customer.member_id == HERO and w.screens.customer_view.composer.form == "sale"
