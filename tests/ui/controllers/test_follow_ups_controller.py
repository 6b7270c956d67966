""" "Follow-ups": the open tasks read offline on the terminal runner (never on the GUI thread),
the overdue first, due dates in the UI's language; done / snooze / reassign through
``clerk.tasks.change`` — the right ``task_update`` records, "pending sync" until the hub's row
arrives — and reassigning to another associate refused for an associate."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from clerk import cache as cache_mod
from clerk.errors import PermissionDeniedError
from clerk.staff import Session
from ui.qt import Qt

NOW = 1_763_900_000  # tests/ui/conftest.py's clock
DAY = 86_400


def _task(task_id: str, member_id: str, assignee: str | None, due_at: int) -> dict[str, Any]:
    return {
        "entity": "task",
        "op": "upsert",
        "key": task_id,
        "data": {
            "id": task_id,
            "store_id": "S001",
            "member_id": member_id,
            "title": f"call back ({task_id})",
            "reason": "manual",
            "facts": {},
            "assignee": assignee,
            "due_at": due_at,
            "state": "open",
            "outreach": 1,
            "created_at": NOW - 3 * DAY,
            "updated_at": NOW - 3 * DAY,
        },
    }


@pytest.fixture
def staff(home: Any, terminal: Any) -> dict[str, Any]:
    """Tasks: T1 mine due tomorrow, T2 the store's 2 days overdue (escalated), T3 mine 1 h
    overdue, T4 another associate's."""
    roster = terminal.roster()
    associates = [m for m in roster if m.role == "associate"]
    first, second = associates[0], associates[1]
    manager = next(m for m in roster if m.role == "manager")
    conn = cache_mod.open_cache(home.home / "cache.db")
    try:
        with conn:
            cache_mod.apply_changes(
                conn,
                [
                    _task("T1", "M00000001", first.id, NOW + DAY),
                    _task("T2", "M00000002", None, NOW - 2 * DAY),
                    _task("T3", "M00000003", first.id, NOW - 3600),
                    _task("T4", "M00000004", second.id, NOW + 2 * DAY),
                ],
            )
    finally:
        conn.close()
    return {"first": first, "second": second, "manager": manager}


def _sign_in(window: Any, member: Any) -> None:
    window.start_session(Session(member.id, member.name, member.role, 0))


def _open(qtbot: Any, window: Any) -> None:
    with qtbot.waitSignal(window.screens.follow_ups.loaded, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    assert window.nav.page == "followups"


def _ids(window: Any) -> list[str]:
    model = window.screens.follow_ups_view.model
    return [model.row_at(i).id for i in range(model.rowCount())]


def _select(window: Any, task_id: str) -> None:
    view = window.screens.follow_ups_view
    view.list.setCurrentIndex(view.model.index(_ids(window).index(task_id), 0))


def test_mine_and_the_stores_overdue_first_read_on_the_worker(
    qtbot: Any, session: Any, staff: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    w = session.window
    terminal = w.screens.terminal
    real = terminal.follow_ups
    threads: list[bool] = []

    def spy(signed_in: str | None) -> Any:
        threads.append(threading.current_thread() is threading.main_thread())
        return real(signed_in)

    monkeypatch.setattr(terminal, "follow_ups", spy)
    _sign_in(w, staff["first"])
    _open(qtbot, w)
    assert threads == [False]
    assert _ids(w) == ["T2", "T3", "T1"]  # not another associate's T4
    model = w.screens.follow_ups_view.model
    rows = [model.display(i) for i in range(3)]
    assert [r.chip for r in rows] == ["Escalated", "Overdue", ""]
    assert rows[0].detail == "For the store"
    assert "林*雯" in rows[2].subtitle and "due " in rows[2].subtitle
    view = w.screens.follow_ups_view
    # The list has the focus, the most urgent task current: the actions are for it.
    assert view.list.hasFocus() and w.screens.follow_ups.selected().id == "T2"
    assert view.done.isEnabled()
    view.list.setCurrentIndex(model.index(-1, 0))
    assert not view.done.isEnabled()  # nothing selected: nothing to act on
    w.set_language("zh_CN")
    assert "due " not in model.display(2).subtitle  # the due date in Chinese
    assert view.title.text() != "Follow-ups"


def test_a_manager_sees_every_task(qtbot: Any, session: Any, staff: dict[str, Any]) -> None:
    w = session.window
    _sign_in(w, staff["manager"])
    _open(qtbot, w)
    assert _ids(w) == ["T2", "T3", "T1", "T4"]


def test_done_snooze_reassign_record_the_changes_pending_until_synced(
    qtbot: Any, session: Any, staff: dict[str, Any], outbox_rows: Any, wait_idle: Any
) -> None:
    w = session.window
    first = staff["first"]
    _sign_in(w, first)
    _open(qtbot, w)
    view = w.screens.follow_ups_view
    controller = w.screens.follow_ups

    _select(w, "T3")
    view.outcome.setCurrentIndex(view.outcome.findData("no_answer"))
    with qtbot.waitSignal(controller.loaded, timeout=10_000):
        qtbot.mouseClick(view.snooze, Qt.MouseButton.LeftButton)
    _select(w, "T1")
    view.outcome.setCurrentIndex(view.outcome.findData("came_in"))
    with qtbot.waitSignal(controller.loaded, timeout=10_000):
        qtbot.mouseClick(view.done, Qt.MouseButton.LeftButton)
    _select(w, "T2")
    view.assignee.setCurrentIndex(0)  # the store: anyone may
    with qtbot.waitSignal(controller.loaded, timeout=10_000):
        qtbot.mouseClick(view.reassign, Qt.MouseButton.LeftButton)
    wait_idle()
    updates = [r for r in outbox_rows() if r["kind"] == "task_update"]
    assert [(u["payload"]["task_id"], u["payload"]["action"]) for u in updates] == [
        ("T3", "snooze"),
        ("T1", "done"),
        ("T2", "reassign"),
    ]
    assert all(u["staff_id"] == first.id for u in updates)
    assert updates[0]["payload"]["outcome"] == "no_answer"
    assert updates[1]["payload"]["outcome"] == "came_in"
    assert updates[0]["payload"]["due_at"] > NOW
    assert "assignee" not in updates[2]["payload"]  # to the store
    # T1 is done (gone from the open list); the others show pending sync.
    assert "T1" not in _ids(w)
    model = view.model
    chips = {model.row_at(i).id: model.display(i).chip for i in range(model.rowCount())}
    assert chips["T3"] == chips["T2"] == "Pending sync"


def test_an_associate_cannot_hand_a_task_to_another_associate(
    terminal: Any, staff: dict[str, Any]
) -> None:
    first, second = staff["first"].id, staff["second"].id
    with pytest.raises(PermissionDeniedError):
        terminal.change_task("T1", "reassign", first, assignee=second)
    rec = terminal.change_task("T1", "reassign", staff["manager"].id, assignee=second)
    assert rec.payload == {"task_id": "T1", "action": "reassign", "assignee": second}
    with pytest.raises(PermissionDeniedError):
        terminal.follow_ups(None)


def test_an_associate_is_offered_only_the_store(
    qtbot: Any, session: Any, staff: dict[str, Any]
) -> None:
    w = session.window
    _sign_in(w, staff["first"])
    _open(qtbot, w)
    view = w.screens.follow_ups_view
    qtbot.waitUntil(lambda: view.assignee.count() == 1, timeout=5_000)
    assert view.assignee.itemData(0) == ""


def test_enter_opens_the_tasks_customer(qtbot: Any, session: Any, staff: dict[str, Any]) -> None:
    w = session.window
    _sign_in(w, staff["first"])
    _open(qtbot, w)
    _select(w, "T1")
    with qtbot.waitSignal(w.screens.follow_ups.opened, timeout=10_000):
        qtbot.keyClick(w.screens.follow_ups_view.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.nav.page == "customer", timeout=5_000)
    assert w.screens.customer.member_id == "M00000001"


def test_mark_contacted_closes_the_task_and_is_refused_without_consent(
    qtbot: Any, session: Any, home: Any, staff: dict[str, Any], outbox_rows: Any, wait_idle: Any
) -> None:
    conn = cache_mod.open_cache(home.home / "cache.db")
    try:
        with conn:
            conn.execute("UPDATE members SET consent_marketing = 1 WHERE id = 'M00000001'")
            conn.execute("UPDATE members SET consent_marketing = 0 WHERE id = 'M00000003'")
    finally:
        conn.close()
    w = session.window
    _sign_in(w, staff["first"])
    _open(qtbot, w)
    view = w.screens.follow_ups_view
    controller = w.screens.follow_ups
    shown: list[str] = []
    w.screens.bridge.shown.connect(lambda _level, text, _key: shown.append(text))
    _select(w, "T3")  # no marketing consent: refused, nothing recorded
    with qtbot.waitSignal(controller.loaded, timeout=10_000):
        qtbot.mouseClick(view.contacted, Qt.MouseButton.LeftButton)
    assert shown and "No marketing consent" in shown[-1]
    assert "T3" in _ids(w)
    _select(w, "T1")
    with qtbot.waitSignal(controller.loaded, timeout=10_000):
        qtbot.mouseClick(view.contacted, Qt.MouseButton.LeftButton)
    wait_idle()
    contacted = [r for r in outbox_rows() if r["kind"] == "contacted"]
    assert [(c["member_id"], c["payload"]) for c in contacted] == [("M00000001", {"task_id": "T1"})]
    assert "T1" not in _ids(w)  # done here at once, pending sync
