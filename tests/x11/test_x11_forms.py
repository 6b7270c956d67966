"""The recording forms on a real X server, with a real pointer and keyboard (XTEST through
xdotool): what is selected is what the confirmation shows, and what is confirmed is saved."""

from __future__ import annotations

from typing import Any

from x11_harness import AppOnX, xdotool

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
