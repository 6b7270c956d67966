"""The client book's assignment from the customer page: a manager assigns (or takes back) the
member to an associate — an ``assign`` record; an associate sees the action disabled with the
reason, and its shortcut only says why."""

from __future__ import annotations

from typing import Any

from clerk.staff import Session
from ui.qt import Qt

HERO = "M00000001"


def _sign_in(window: Any, role: str) -> Any:
    member = next(m for m in window.terminal.roster() if m.role == role)
    window.start_session(Session(member.id, member.name, member.role, 0))
    return member


def test_a_manager_assigns_the_customer_to_an_associate(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any, wait_idle: Any
) -> None:
    w = session.window
    manager = _sign_in(w, "manager")
    open_customer(home.code(HERO))
    view = w.screens.customer_view
    assert view.buttons["assign"].isEnabled()
    qtbot.keyClick(w, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    form = view.composer.assign
    qtbot.waitUntil(lambda: form.staff.isEnabled() and form.staff.count() > 1, timeout=5_000)
    assert view.composer.form == "assign"
    associate = next(m for m in w.terminal.roster() if m.role == "associate")
    form.staff.setCurrentIndex(form.staff.findData(associate.id))
    qtbot.mouseClick(view.composer.save, Qt.MouseButton.LeftButton)
    wait_idle()
    assign = [r for r in outbox_rows() if r["kind"] == "assign"]
    assert len(assign) == 1
    assert assign[0]["member_id"] == HERO and assign[0]["staff_id"] == manager.id
    assert assign[0]["payload"]["staff_id"] == associate.id
    # The associate's book has them at once (the record laid over the cache until synced).
    book = w.terminal.client_book(associate.id, manager.id)
    assert [c.member_id for c in book] == [HERO]


def test_nobody_takes_the_customer_out_of_every_book(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any, wait_idle: Any
) -> None:
    w = session.window
    _sign_in(w, "manager")
    open_customer(home.code(HERO))
    w.screens.customer.action("assign")
    form = w.screens.customer_view.composer.assign
    qtbot.waitUntil(lambda: form.staff.isEnabled(), timeout=5_000)
    form.staff.setCurrentIndex(0)
    w.screens.customer.save()
    wait_idle()
    assign = [r for r in outbox_rows() if r["kind"] == "assign"]
    assert [a["payload"].get("staff_id") for a in assign] == [None]


def test_an_associate_sees_assign_disabled_with_the_reason(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    w = session.window
    _sign_in(w, "associate")
    open_customer(home.code(HERO))
    view = w.screens.customer_view
    button = view.buttons["assign"]
    assert not button.isEnabled()
    assert "Managers only" in button.toolTip()
    assert view.buttons["task"].isEnabled()
    shown: list[str] = []
    w.screens.bridge.shown.connect(lambda _level, text, _key: shown.append(text))
    qtbot.keyClick(w, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert view.composer.form == ""
    assert shown and "Managers only" in shown[-1]
    assert not [r for r in outbox_rows() if r["kind"] == "assign"]
