"""The associate's main path: scan → customer → record → next customer, on a real cache."""

from __future__ import annotations

from typing import Any

import pytest

from ui.models.rows_model import Roles
from ui.qt import QApplication, QEvent, QObject, Qt, QWidget

HERO = "M00000001"


def test_typed_member_code_opens_the_customer_and_records_the_visit(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    w = session.window
    assert w.nav.page == "scan"
    assert w.screens.scan_view.field.hasFocus()
    open_customer(home.code(HERO))
    header = w.screens.customer_view.header
    assert header.name.text() == "林晓雯"
    assert header.tier.text() == "Gold"
    assert "pending" in header.freshness.text()
    assert w.screens.customer_models.cart.rowCount() == 1
    assert w.screens.customer_models.cart.data(
        w.screens.customer_models.cart.index(0, 0), Roles.Title
    ) == ("Smartwatch S3")
    first_point = w.screens.customer_models.talking.index(0, 0).data(Roles.Title)
    assert first_point.startswith("In online cart 3 days: Smartwatch S3 ¥1,999")
    assert "coupon ¥200 off expires" in first_point
    rows = outbox_rows()
    assert [(r["kind"], r["member_id"]) for r in rows] == [("visit", HERO)]


def test_esc_goes_back_to_scan_and_a_new_scan_switches_customer(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    w = session.window
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert w.nav.page == "scan"
    assert w.screens.scan_view.field.hasFocus()
    open_customer(home.code(HERO))
    other = "M00000004"
    # A card scanned while the first customer is open switches to the other customer.
    w.top_bar.quick_field.setText(home.cards[other])
    with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
        qtbot.keyClick(w.top_bar.quick_field, Qt.Key.Key_Return)
    assert w.nav.page == "customer"
    assert w.screens.customer.member_id == other
    kinds = [(r["kind"], r["member_id"]) for r in outbox_rows()]
    assert kinds == [("visit", HERO), ("visit", other)]  # the first visit stays recorded


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("   ", "empty"),
        ("12345", "malformed"),
        ("6200000000000001", "bad_check_digit"),
        ("1380013800", "bad_phone"),
        ("12800138000", "bad_phone"),
        ("https://example.com/x", "not_member_url"),
        ("WIFI:S:shop;T:WPA;P:secret;;", "not_member_wifi"),
        ("hello there", "not_member_other"),
        ("9" * 5000, "too_long"),
    ],
)
def test_identify_errors_say_what_to_do_next(
    qtbot: Any, session: Any, outbox_rows: Any, text: str, reason: str
) -> None:
    from ui import texts

    w = session.window
    w.screens.scan_view.field.setMaxLength(10_000)
    w.screens.scan_view.field.setText(text)
    qtbot.keyClick(w.screens.scan_view.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(w.toasts.toasts()), timeout=5_000)
    shown = w.toasts.toasts()[-1].text.text()
    assert shown == texts.reason_message(reason)
    assert "—" in shown  # says what happened and what to do next
    assert w.nav.page == "scan"
    assert outbox_rows() == []
    if text.strip():  # said at the field too (a mobile number typed wrong …)
        scan = w.screens.scan_view
        typed = text.strip() if len(text.strip()) <= 40 else text.strip()[:39] + "…"
        assert scan.error.isVisible() and scan.error.text() == f"“{typed}”: {shown}"
        assert scan.field.property("invalid") is True
        qtbot.keyClicks(scan.field, "1")  # editing clears it
        qtbot.waitUntil(lambda: not scan.error.isVisible(), timeout=2_000)


def test_member_not_cached_offline_is_recorded_only_when_the_associate_says_so(
    qtbot: Any,
    session: Any,
    home: Any,
    open_customer: Any,
    wait_idle: Any,
    outbox_rows: Any,
) -> None:
    """Offline, a card this terminal does not know: nothing is recorded until the associate
    says what it is — here a member, for the hub to match when back online."""
    from clerk.identify import luhn_check_digit

    body = "620000000000123"
    card = body + luhn_check_digit(body)
    w = session.window
    view = w.screens.customer_view
    open_customer(card)
    assert w.screens.customer.member_id is None
    assert view.unknown.isVisible() and view.unknown.member_button.isVisible()
    assert "offline" in view.unknown.text.text()
    wait_idle()
    assert outbox_rows() == []
    assert not view.buttons["note"].isEnabled()
    qtbot.mouseClick(view.unknown.member_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.buttons["note"].isEnabled(), timeout=5_000)
    assert not view.unknown.member_button.isVisible()
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert view.composer.form == "note"
    note = view.composer.note.text
    qtbot.keyClicks(note, "Wants the blue strap")
    # Typed keys pass the wedge filter (held at most one inter-key gap) into the field.
    qtbot.waitUntil(lambda: note.toPlainText() == "Wants the blue strap", timeout=2_000)
    qtbot.mouseClick(view.composer.save, Qt.MouseButton.LeftButton)
    wait_idle()
    rows = outbox_rows()
    assert [(r["kind"], r["member_ref"]) for r in rows] == [
        ("visit", f"card:{card}"),
        ("note", f"card:{card}"),
    ]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unknown_card_served_as_a_walk_in(
    qtbot: Any,
    session: Any,
    home: Any,
    open_customer: Any,
    wait_idle: Any,
    outbox_rows: Any,
    terminal: Any,
    lang: str,
) -> None:
    """A non-member recorded a visit the hub rejected, and Note, Sale and Consent stayed
    enabled (issue 19): now the associate is asked; a walk-in is a visit naming no one (the
    hub accepts it), counted as a walk-in, and the member-only actions are disabled with the
    reason — tooltip and inline."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from clerk.identify import luhn_check_digit

    body = "620000000000123"
    card = body + luhn_check_digit(body)
    w = session.window
    session.translations.set_language(lang)
    view = w.screens.customer_view
    open_customer(card)
    assert view.unknown.isVisible() and view.unknown.walk_in_button.isVisible()
    assert view.unknown.signup.isVisible()  # sign-up: said where it happens, no dead button
    for name in ("note", "interest", "redeem", "points_redeem", "sale", "consent"):
        assert not view.buttons[name].isEnabled(), name
        assert view.buttons[name].toolTip() == view.member_only_reason()
    for key in (Qt.Key.Key_S, Qt.Key.Key_P):  # the shortcuts too
        qtbot.keyClick(w, key, Qt.KeyboardModifier.ControlModifier)
        assert view.composer.form == ""
        assert w.toasts.toasts()[-1].text.text() == view.member_only_reason()
    qtbot.mouseClick(view.unknown.walk_in_button, Qt.MouseButton.LeftButton)
    wait_idle()
    [row] = outbox_rows()
    assert (row["kind"], row["member_id"], row["member_ref"]) == ("visit", None, None)
    assert row["payload"] == {"via": "walk_in"}
    # The inline line: served as a walk-in, and what needs a member.
    assert view.unknown.isVisible() and not view.unknown.walk_in_button.isVisible()
    assert view.unknown.text.text() == (
        "Served as a walk-in: the visit is counted, in no member's history. Notes, interest, "
        "sales, coupons and consent need a member."
        if lang == "en"
        else "按非会员接待：到店已计入，不进入任何会员的记录。"
        "备注、兴趣、成交、优惠券和授权需要会员。"
    )
    day = datetime.fromtimestamp(terminal.clock(), ZoneInfo("Asia/Shanghai")).date()
    source = terminal.dashboard(ZoneInfo("Asia/Shanghai"))
    try:
        kpis = source.load(day).summary.kpis
    finally:
        source.close()
    assert (kpis.visits, kpis.walk_ins) == (1, 1)


def test_recent_customers_list_opens_a_customer(
    qtbot: Any,
    session: Any,
    home: Any,
    open_customer: Any,
    wait_idle: Any,
    outbox_rows: Any,
) -> None:
    w = session.window
    open_customer(home.code(HERO))
    w.nav.next_customer()
    wait_idle()
    qtbot.waitUntil(lambda: w.screens.recent_model.rowCount() == 1, timeout=5_000)
    assert w.screens.recent_model.index(0, 0).data(Roles.Title) == "林晓雯"
    lst = w.screens.scan_view.recent.list
    with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
        lst.setFocus()
        lst.setCurrentIndex(w.screens.recent_model.index(0, 0))
        qtbot.keyClick(lst, Qt.Key.Key_Return)
    assert w.screens.customer.member_id == HERO


def test_no_modal_dialog_on_the_main_path(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    w = session.window
    open_customer(home.code(HERO))
    for name in ("note", "interest", "redeem", "sale", "consent"):
        w.screens.customer.action(name)
        assert w.screens.customer_view.composer.isVisible()
        assert QApplication.activeModalWidget() is None
        visible = [t for t in QApplication.topLevelWidgets() if t.isVisible()]
        assert all(isinstance(t, QWidget) and not t.isModal() for t in visible)
        w.screens.customer.cancel()


def test_only_the_main_window_is_ever_a_window(
    qtbot: Any, session: Any, home: Any, open_customer: Any
) -> None:
    """No widget flashes up as a window of its own while pages are built and switched."""
    w = session.window
    shown: list[str] = []

    class Watch(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if (
                event.type() == QEvent.Type.Show
                and isinstance(obj, QWidget)
                and obj.isWindow()
                and obj is not w
            ):
                shown.append(f"{type(obj).__name__}#{obj.objectName()}")
            return False

    watch = Watch()
    QApplication.instance().installEventFilter(watch)
    try:
        open_customer(home.code(HERO))
        for name in ("note", "sale", "redeem"):
            w.screens.customer.action(name)
        w.nav.show_settings()
        w.nav.go_back()
        w.set_layout_setting("handheld")
        w.set_layout_setting("desktop")
    finally:
        QApplication.instance().removeEventFilter(watch)
    assert shown == []


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Rebuilding the customer cache (it was damaged) — scan again"),
        ("zh_CN", "正在重建客户缓存（缓存已损坏）— 请重新扫码"),
    ],
)
def test_a_lookup_meeting_a_damaged_cache_says_it_is_being_rebuilt(
    qtbot: Any,
    session: Any,
    home: Any,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    expected: str,
) -> None:
    """The terminal answers CacheRebuildingError (clerk/terminal.py; the real damaged page is
    tests/integration/test_cache_damage.py): the associate reads it, translated — no
    traceback, and the scan page stays ready for the next scan."""
    from clerk.errors import CacheRebuildingError

    def damaged(*_args: Any, **_kwargs: Any) -> Any:
        raise CacheRebuildingError("rebuilding the customer cache: cache.db was damaged")

    w = session.window
    session.translations.set_language(lang)
    monkeypatch.setattr(session.window.screens.scan.terminal, "open_customer", damaged)
    w.screens.scan_view.field.setText(home.cards[home.hero])
    qtbot.keyClick(w.screens.scan_view.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(w.toasts.toasts()), timeout=5_000)
    assert w.toasts.toasts()[-1].text.text().startswith(expected)
    assert w.nav.page == "scan"
