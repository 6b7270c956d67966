"""Scanner bursts on a real X server: synthetic key presses through XTEST (xdotool) into the
real app window — Shift pressed and released around every uppercase letter and symbol, as a
USB scanner on a US keyboard layout sends them. A burst at scanner speed (1, 5, 10 ms a key)
ending in Return (or Tab) is one scan wherever the focus is, and the focused widget's text is
unchanged; a person typing (80–200 ms a key) reaches the widget as typed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from x11_harness import AppOnX, keysyms, scanner_burst, type_keys

from demoworld.home import DemoHome

OTHER = "M00000007"
SCANNER_MS = [1, 5, 10]


def _scan(
    x_app: AppOnX,
    x_display: str,
    text: str,
    delay_ms: int,
    setup: Callable[[], object],
    then: str = "Return",
) -> Any:
    """``setup()``, then ``text`` scanned (sent again after ``setup()`` if the X server did not
    get it at scanner speed: see ``scanner_burst``); the wedge's scan and the page painted."""
    scanner_burst(x_app, x_display, [*keysyms(text), then], delay_ms, setup=setup)
    scanned = x_app.wait("scanned")
    painted = x_app.wait("painted")
    return scanned, painted


def _settled(x_app: AppOnX, timeout: float = 5.0) -> dict[str, Any]:
    """The app's state once the wedge holds no key back (a person's keys are released one
    gap after the last)."""
    deadline = time.monotonic() + timeout
    while True:
        state = x_app.state()
        if state["holding"] == "" or time.monotonic() > deadline:
            return state


@pytest.mark.parametrize("delay_ms", SCANNER_MS)
def test_a_member_code_into_the_note_editor_opens_the_customer_note_unchanged(
    x_app: AppOnX, x_display: str, x_home: DemoHome, focus: Any, delay_ms: int
) -> None:
    def setup() -> None:
        x_app.open(x_home.code(x_home.hero))
        focus("note")

    code = x_home.code(OTHER)
    assert any(ch.isupper() for ch in code)  # typed with Shift
    scanned, painted = _scan(x_app, x_display, code, delay_ms, setup)
    assert scanned["text"] == code
    assert painted["member_id"] == OTHER
    state = _settled(x_app)
    assert state["member_id"] == OTHER
    assert state["note"] == "likes the blue one"


@pytest.mark.parametrize("delay_ms", SCANNER_MS)
@pytest.mark.parametrize("target", ["sale", "search", "quick"])
def test_a_card_number_without_shift_is_a_scan_wherever_the_focus_is(
    x_app: AppOnX,
    x_display: str,
    x_home: DemoHome,
    focus: Any,
    target: str,
    delay_ms: int,
) -> None:
    before: dict[str, Any] = {}

    def setup() -> None:
        x_app.open(x_home.code(x_home.hero))
        focus(target)
        before.update(_settled(x_app))

    card = x_home.cards[OTHER]
    scanned, painted = _scan(x_app, x_display, card, delay_ms, setup)
    assert scanned["text"] == card and painted["member_id"] == OTHER
    after = _settled(x_app)
    assert after[target] == before[target], f"{target} changed by the scan"


def test_a_member_code_into_the_search_field_with_tab_at_the_end(
    x_app: AppOnX, x_display: str, x_home: DemoHome, focus: Any
) -> None:
    code = x_home.code(OTHER)
    scanned, painted = _scan(x_app, x_display, code, 5, lambda: focus("search"), then="Tab")
    assert scanned["text"] == code and painted["member_id"] == OTHER
    assert _settled(x_app)["search"] == ""


@pytest.mark.parametrize("delay_ms", [80, 200])
def test_a_person_typing_reaches_the_field_as_typed(
    x_app: AppOnX, x_display: str, x_home: DemoHome, focus: Any, delay_ms: int
) -> None:
    focus("search")
    phone = "13800138000"
    type_keys(x_display, phone, delay_ms, then=None)
    state = _settled(x_app)
    assert state["search"] == phone
    assert [e for e in x_app.drain() if e["event"] == "scanned"] == []


def test_a_person_typing_a_note_with_shift_reaches_the_note(
    x_app: AppOnX, x_display: str, x_home: DemoHome, focus: Any
) -> None:
    x_app.open(x_home.code(x_home.hero))
    focus("note")
    type_keys(x_display, " Wants SIZE M", 90, then=None)
    state = _settled(x_app)
    assert state["note"] == "likes the blue one Wants SIZE M"
    assert [e for e in x_app.drain() if e["event"] == "scanned"] == []


def test_a_scan_while_search_results_are_shown_opens_its_customer(
    x_app: AppOnX, x_display: str, x_home: DemoHome, focus: Any
) -> None:
    """A person types a name (the store's matches listed under the field), then the customer's
    card is scanned after all: the scan opens that customer, the field keeps what was typed."""

    def setup() -> None:
        focus("search")
        type_keys(x_display, "lin", 120, then=None)
        deadline = time.monotonic() + 10
        state = _settled(x_app)
        while not state["results"] and time.monotonic() < deadline:
            state = x_app.state()
        assert state["search"] == "lin" and x_home.hero in state["results"]

    card = x_home.cards[OTHER]
    scanned, painted = _scan(x_app, x_display, card, 5, setup)
    assert scanned["text"] == card and painted["member_id"] == OTHER
    after = _settled(x_app)
    assert after["member_id"] == OTHER and after["results"] is None


@pytest.mark.parametrize("delay_ms", SCANNER_MS)
def test_a_product_barcode_into_the_open_sale_form_adds_its_line(
    x_app: AppOnX, x_display: str, x_home: DemoHome, focus: Any, delay_ms: int
) -> None:
    """An EAN-13 scanned on a real X server while the sale form is open: its product's line
    is added, the customer stays, no member is looked up."""
    from demoworld.catalogue import HERO_SKU, barcode_of

    def setup() -> None:
        x_app.open(x_home.code(x_home.hero))
        focus("sale")
        # The window settled first: right after the previous test's search results closed,
        # keys sent at 1 ms while the window was still being activated reached no window.
        assert _settled(x_app)["focus"] == "saleAmount"

    ean = barcode_of(HERO_SKU)
    scanner_burst(x_app, x_display, [*keysyms(ean), "Return"], delay_ms, setup=setup)
    assert x_app.wait("scanned")["text"] == ean
    deadline = time.monotonic() + 5.0
    state = _settled(x_app)
    while state["sale_lines"] != [HERO_SKU] and time.monotonic() < deadline:
        state = _settled(x_app)
    assert state["sale_lines"] == [HERO_SKU]
    assert state["page"] == "customer" and state["member_id"] == x_home.hero


def _chooser_open(x_app: AppOnX, x_display: str, x_home: DemoHome, focus: Any) -> None:
    """Offline, the hero's phone typed by a person while a second cached member shares its
    last four digits and bucket: the menu offering both is open (a Qt popup, which grabs the
    keyboard on X)."""
    phone = x_home.phones[x_home.hero]
    x_app.send("twin", phone=phone)
    x_app.wait("twin")
    focus("search")
    type_keys(x_display, phone, 80, then="Return")
    deadline = time.monotonic() + 10
    state = _settled(x_app)
    while not state["chooser"] and time.monotonic() < deadline:
        state = x_app.state()
    assert state["chooser"] and state["popup"] == "QMenu", state
    assert state["page"] == "scan"


@pytest.mark.parametrize("delay_ms", SCANNER_MS)
def test_a_scan_while_the_phone_chooser_is_open_opens_the_scanned_customer(
    x_app: AppOnX, x_display: str, x_home: DemoHome, focus: Any, delay_ms: int
) -> None:
    """The card scanned instead of a pick: every key reaches the wedge (none is eaten by the
    menu's grab, and its Return picks no candidate), the card's customer opens, the menu
    closes — a person's next Return cannot pick from a menu about someone else."""
    card = x_home.cards[OTHER]
    scanned, painted = _scan(
        x_app, x_display, card, delay_ms, lambda: _chooser_open(x_app, x_display, x_home, focus)
    )
    assert scanned["text"] == card and painted["member_id"] == OTHER
    after = _settled(x_app)
    assert after["member_id"] == OTHER and after["page"] == "customer"
    assert not after["chooser"] and after["popup"] is None
    assert [e for e in x_app.drain() if e["event"] == "opened"] == []  # no second open


@pytest.mark.parametrize("delay_ms", SCANNER_MS)
def test_a_scan_right_after_the_chooser_is_closed_loses_no_key(
    x_app: AppOnX, x_display: str, x_home: DemoHome, focus: Any, delay_ms: int
) -> None:
    """Escape closes the menu and the scanner fires at once (the same burst of X input, no
    pause): the popup's keyboard grab ends and focus goes back to the window while keys keep
    coming — none of them is lost on the way."""
    card = x_home.cards[OTHER]
    scanner_burst(
        x_app,
        x_display,
        ["Escape", *keysyms(card), "Return"],
        delay_ms,
        setup=lambda: _chooser_open(x_app, x_display, x_home, focus),
    )
    assert x_app.wait("scanned")["text"] == card
    assert x_app.wait("painted")["member_id"] == OTHER
    after = _settled(x_app)
    assert after["member_id"] == OTHER and not after["chooser"]
