""" "My customers": the signed-in associate's client book read offline on the terminal runner
(never on the GUI thread), masked, with the reason to reach out translated and the open
follow-ups; Enter opens a customer (audited ``via: clientbook``); a manager picks whose book
shows, an associate sees only their own."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from clerk import audit
from clerk import cache as cache_mod
from clerk.db import connect
from clerk.errors import PermissionDeniedError
from clerk.staff import Session
from ui.qt import Qt

NOW = 1_763_900_000  # tests/ui/conftest.py's clock
DAY = 86_400


def _assign(member_id: str, staff_id: str) -> dict[str, Any]:
    return {
        "entity": "assignment",
        "op": "upsert",
        "key": member_id,
        "data": {
            "member_id": member_id,
            "store_id": "S001",
            "staff_id": staff_id,
            "assigned_at": NOW - DAY,
        },
    }


def _task(task_id: str, member_id: str, assignee: str | None) -> dict[str, Any]:
    return {
        "entity": "task",
        "op": "upsert",
        "key": task_id,
        "data": {
            "id": task_id,
            "store_id": "S001",
            "member_id": member_id,
            "title": "call when size 38 arrives",
            "reason": "manual",
            "facts": {},
            "assignee": assignee,
            "due_at": NOW - DAY,
            "state": "open",
            "outreach": 1,
            "created_at": NOW - 2 * DAY,
            "updated_at": NOW - 2 * DAY,
        },
    }


@pytest.fixture
def book(home: Any, terminal: Any) -> dict[str, Any]:
    """Two customers in the first associate's book (one with an open follow-up), one in the
    second's; the staff who are who."""
    roster = terminal.roster()
    associates = [m for m in roster if m.role == "associate"]
    manager = next(m for m in roster if m.role == "manager")
    first, second = associates[0], associates[1]
    conn = cache_mod.open_cache(home.home / "cache.db")
    try:
        with conn:
            cache_mod.apply_changes(
                conn,
                [
                    _assign("M00000001", first.id),
                    _assign("M00000002", first.id),
                    _assign("M00000003", second.id),
                    _task("T1", "M00000001", first.id),
                ],
            )
        names = {
            str(r[0]): str(r[1])
            for r in conn.execute("SELECT id, name FROM members WHERE id LIKE 'M0000000_'")
        }
    finally:
        conn.close()
    return {"first": first, "second": second, "manager": manager, "names": names}


def _sign_in(window: Any, member: Any) -> None:
    window.start_session(Session(member.id, member.name, member.role, 0))


def _rows(window: Any) -> list[Any]:
    model = window.screens.client_book_view.model
    return [model.display(i) for i in range(model.rowCount())]


def _open_book(qtbot: Any, window: Any) -> None:
    controller = window.screens.client_book
    with qtbot.waitSignal(controller.loaded, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert window.nav.page == "clientbook"


def test_an_associate_sees_their_book_masked_with_the_reasons_read_on_the_worker(
    qtbot: Any, session: Any, book: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    w = session.window
    terminal = w.screens.terminal
    real = terminal.client_book
    threads: list[bool] = []

    def spy(staff_id: str, signed_in: str | None) -> Any:
        threads.append(threading.current_thread() is threading.main_thread())
        return real(staff_id, signed_in)

    monkeypatch.setattr(terminal, "client_book", spy)
    _sign_in(w, book["first"])
    assert w.top_bar.client_book_button.isVisible()
    _open_book(qtbot, w)
    assert threads == [False]
    view = w.screens.client_book_view
    assert not view.associate.isVisibleTo(view)  # an associate: their own book only
    rows = _rows(w)
    assert len(rows) == 2
    hero = book["names"]["M00000001"]
    assert rows[0].title == hero[0] + "*" * (len(hero) - 2) + hero[-1]
    assert hero not in {r.title for r in rows}
    assert "Follow-up open" in rows[0].detail
    assert rows[0].chip == "1 follow-up"
    assert rows[1].chip == ""
    assert view.list.hasFocus()


def test_enter_opens_the_customer_audited_as_from_the_client_book(
    qtbot: Any, session: Any, home: Any, book: dict[str, Any]
) -> None:
    w = session.window
    _sign_in(w, book["first"])
    _open_book(qtbot, w)
    lst = w.screens.client_book_view.list
    lst.setCurrentIndex(lst.model().index(0, 0))
    with qtbot.waitSignal(w.screens.client_book.opened, timeout=10_000):
        qtbot.keyClick(lst, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.nav.page == "customer", timeout=5_000)
    assert w.screens.customer.member_id == "M00000001"
    conn = connect(home.home / "outbox.db", synchronous="NORMAL", readonly=True)
    try:
        found = [(r.action, r.detail) for r in audit.rows(conn)]
        visits = conn.execute("SELECT count(*) FROM interactions WHERE kind = 'visit'")
        assert visits.fetchone()[0] == 0  # a client book proves nobody's presence
    finally:
        conn.close()
    assert ("view_customer", {"member_id": "M00000001", "via": "clientbook"}) in found


def test_a_manager_picks_whose_book_shows(qtbot: Any, session: Any, book: dict[str, Any]) -> None:
    w = session.window
    _sign_in(w, book["manager"])
    _open_book(qtbot, w)
    view = w.screens.client_book_view
    qtbot.waitUntil(lambda: view.associate.count() > 0, timeout=5_000)
    assert view.associate.isVisibleTo(view)
    assert _rows(w) == []  # the manager's own book is empty
    index = view.associate.findData(book["second"].id)
    view.associate.setCurrentIndex(index)
    with qtbot.waitSignal(w.screens.client_book.loaded, timeout=10_000):
        view.associate.activated.emit(index)
    assert w.screens.client_book.showing == book["second"].id
    assert [r.title[0] for r in _rows(w)] == [book["names"]["M00000003"][0]]


def test_the_terminal_refuses_an_associate_another_associates_book(
    terminal: Any, book: dict[str, Any]
) -> None:
    first, second = book["first"].id, book["second"].id
    assert [c.member_id for c in terminal.client_book(first, first)] == [
        "M00000001",
        "M00000002",
    ]
    with pytest.raises(PermissionDeniedError):
        terminal.client_book(second, first)
    with pytest.raises(PermissionDeniedError):
        terminal.client_book(first, None)
    assert len(terminal.client_book(second, book["manager"].id)) == 1


def test_the_book_in_chinese(qtbot: Any, session: Any, book: dict[str, Any]) -> None:
    w = session.window
    _sign_in(w, book["first"])
    w.set_language("zh_CN")
    _open_book(qtbot, w)
    rows = _rows(w)
    assert "Follow-up open" not in rows[0].detail and rows[0].detail
    assert w.screens.client_book_view.title.text() != "My customers"
