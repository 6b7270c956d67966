"""The recording forms on a real X server, with a real pointer and keyboard (XTEST through
xdotool): what is selected is what the confirmation shows, and what is confirmed is saved."""

from __future__ import annotations

import time
from typing import Any

from x11_harness import AppOnX, type_keys, xdotool

from demoworld.home import DemoHome


def _where(x_app: AppOnX, target: str) -> dict[str, Any]:
    x_app.send("where", target=target)
    return x_app.wait("where")


def _click(x_display: str, at: list[int]) -> None:
    xdotool(x_display, "mousemove", "--sync", str(at[0]), str(at[1]), "click", "1")


def test_a_single_click_on_another_coupon_is_what_is_redeemed(
    x_app: AppOnX, x_display: str, x_home: DemoHome, focus: Any
) -> None:
    focus("search")
    x_app.open(x_home.code(x_home.hero))
    coupons = _where(x_app, "coupons")
    usable = [r for r in coupons["rows"] if r["redeemable"]]
    assert len(usable) >= 2
    _click(x_display, usable[0]["at"])  # a single click opens its confirmation
    shown = _where(x_app, "coupons")
    assert shown["form"] == "redeem" and shown["shown"] == usable[0]["title"]
    _click(x_display, usable[1]["at"])  # a single click on another one: it is shown
    shown = _where(x_app, "coupons")
    assert shown["shown"] == usable[1]["title"]
    assert shown["rows"][shown["current"]]["id"] == usable[1]["id"]
    x_app.drain()
    _click(x_display, shown["save"])
    recorded = x_app.wait("recorded")
    assert recorded["kind"] == "redeem"
    assert recorded["payload"] == {"coupon_id": usable[1]["id"]}


def test_arrow_keys_in_the_coupons_move_the_confirmation(
    x_app: AppOnX, x_display: str, x_home: DemoHome, focus: Any
) -> None:
    focus("search")
    x_app.open(x_home.code(x_home.hero))
    coupons = _where(x_app, "coupons")
    rows = coupons["rows"]
    _click(x_display, rows[0]["at"])
    for row in range(1, len(rows)):
        xdotool(x_display, "key", "Down")
        shown = _where(x_app, "coupons")
        assert shown["current"] == row
        assert shown["shown"] == rows[row]["title"]
        assert shown["save_enabled"] == rows[row]["redeemable"]
    target = max(i for i, r in enumerate(rows) if r["redeemable"])
    for _ in range(len(rows) - 1 - target):
        xdotool(x_display, "key", "Up")
    shown = _where(x_app, "coupons")
    assert shown["shown"] == rows[target]["title"] and shown["save_enabled"]
    x_app.drain()
    _click(x_display, shown["save"])
    recorded = x_app.wait("recorded")
    assert recorded["payload"] == {"coupon_id": rows[target]["id"]}


def _sale_state(x_app: AppOnX, until: Any, timeout: float = 10.0) -> dict[str, Any]:
    """The sale form's state once ``until(state)`` holds (the worker answers a search)."""
    deadline = time.monotonic() + timeout
    while True:
        got = _where(x_app, "sale")
        if until(got) or time.monotonic() > deadline:
            return got


def test_a_sale_typed_and_clicked_is_what_is_saved(
    x_app: AppOnX, x_display: str, x_home: DemoHome, focus: Any
) -> None:
    """The sale form with a real keyboard and pointer: Ctrl+S opens it with nothing on it, a
    product searched by name and picked with Enter, its quantity typed, a cart suggestion
    clicked, a product's sku scanned in (a line, not a customer), Save clicked: what the
    form showed is what is recorded."""
    focus("search")
    x_app.open(x_home.code(x_home.hero))
    xdotool(x_display, "key", "ctrl+s")
    sale = _sale_state(x_app, lambda s: s["form"] == "sale")
    assert sale["form"] == "sale" and sale["lines"] == [] and sale["amount"] == ""
    assert sale["save_visible"]
    type_keys(x_display, "Jeans", 90, then=None)  # a person typing: the search field
    found = _sale_state(x_app, lambda s: s["search"] == "Jeans" and bool(s["picks"]))
    first = found["picks"][0]["sku"]
    xdotool(x_display, "key", "Return")  # Enter picks the first found
    sale = _sale_state(x_app, lambda s: bool(s["lines"]))
    assert [line[0] for line in sale["lines"]] == [first]
    type_keys(x_display, "2", 90, then=None)  # the quantity has the focus, its text selected
    sale = _sale_state(x_app, lambda s: s["lines"][0][1] == 2)
    assert sale["lines"][0][1] == 2
    cart = _sale_state(x_app, lambda s: s["clickable"] and s["search"] == "")
    assert cart["clickable"]
    hero_sku = cart["picks"][0]["sku"]  # the online cart, suggested
    _click(x_display, cart["picks"][0]["at"])
    sale = _sale_state(x_app, lambda s: len(s["lines"]) == 2)
    assert [line[0] for line in sale["lines"]] == [first, hero_sku]
    x_app.drain()
    type_keys(x_display, hero_sku, 5)  # a scanner burst of the product's sku
    sale = _sale_state(x_app, lambda s: len(s["lines"]) == 2 and s["lines"][1][1] == 2)
    assert sale["lines"][1][1] == 2  # one more of it; no customer opened
    assert [e for e in x_app.drain() if e["event"] == "opened"] == []
    subtotal = sum(qty * price for _sku, qty, price in sale["lines"])
    expected = round(float(sale["amount"].replace(",", "")) * 100)
    if sale["discount"]:  # a coupon redeemed here (an earlier test) comes off
        assert 0 <= expected < subtotal
    else:
        assert expected == subtotal
    _click(x_display, sale["save"])
    recorded = x_app.wait("recorded")
    assert recorded["kind"] == "sale"
    assert [[i["sku"], i["qty"], i["price_cents"]] for i in recorded["payload"]["items"]] == (
        sale["lines"]
    )
    assert recorded["payload"]["amount_cents"] == expected
