"""The outreach message (issue 17 item 6) on the Follow-ups screen: drafted from the cached
template in the UI's language with the member's name and the reason, copied to the clipboard,
refused (Message disabled, the reason said) without marketing consent, Share hidden (a terminal
holds no phone number or e-mail), and Mark contacted records one ``contacted`` for the task."""

from __future__ import annotations

from typing import Any

import pytest

from clerk import cache as cache_mod
from clerk.staff import Session
from ui.qt import Qt, clipboard_text

NOW = 1_763_900_000  # tests/ui/conftest.py's clock
DAY = 86_400


def _task(task_id: str, member_id: str, assignee: str, title: str) -> dict[str, Any]:
    data = {
        "id": task_id,
        "store_id": "S001",
        "member_id": member_id,
        "title": title,
        "reason": "manual",
        "facts": {},
        "assignee": assignee,
        "due_at": NOW + DAY,
        "state": "open",
        "outreach": 1,
        "created_at": NOW - DAY,
        "updated_at": NOW - DAY,
    }
    return {"entity": "task", "op": "upsert", "key": task_id, "data": data}


def _template(tid: str, reason: str, zh: str, en: str) -> dict[str, Any]:
    data = {"id": tid, "reason": reason, "text_zh": zh, "text_en": en, "updated_at": NOW}
    return {"entity": "template", "op": "upsert", "key": tid, "data": data}


@pytest.fixture
def first(home: Any, terminal: Any) -> Any:
    member = next(m for m in terminal.roster() if m.role == "associate")
    conn = cache_mod.open_cache(home.home / "cache.db")
    try:
        with conn:
            cache_mod.apply_changes(
                conn,
                [
                    _task("T1", "M00000001", member.id, "the watch repair"),
                    _task("T3", "M00000003", member.id, "call back"),
                    _template(
                        "manual",
                        "manual",
                        "{name}，您好！关于{reason}。",
                        "Hi {name}, about {reason}.",
                    ),
                    _template("any", "any", "{name}，您好！", "Hi {name}!"),
                ],
            )
            conn.execute("UPDATE members SET consent_marketing = 1 WHERE id = 'M00000001'")
            conn.execute("UPDATE members SET consent_marketing = 0 WHERE id = 'M00000003'")
    finally:
        conn.close()
    return member


def _name(home: Any, member_id: str) -> str:
    conn = cache_mod.open_cache(home.home / "cache.db")
    try:
        return str(
            conn.execute("SELECT name FROM members WHERE id = ?", (member_id,)).fetchone()[0]
        )
    finally:
        conn.close()


def _select(w: Any, task_id: str) -> None:
    view = w.screens.follow_ups_view
    ids = [view.model.row_at(i).id for i in range(view.model.rowCount())]
    view.list.setCurrentIndex(view.model.index(ids.index(task_id), 0))


def test_message_drafted_copied_and_marked_contacted(
    qtbot: Any, session: Any, home: Any, first: Any, outbox_rows: Any, wait_idle: Any
) -> None:
    w = session.window
    w.start_session(Session(first.id, first.name, first.role, 0))
    controller = w.screens.follow_ups
    with qtbot.waitSignal(controller.loaded, timeout=10_000):
        qtbot.keyClick(w, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    view = w.screens.follow_ups_view
    panel = view.message_panel
    name = _name(home, "M00000001")

    _select(w, "T3")  # no marketing consent: Message disabled, the line says why
    qtbot.waitUntil(lambda: controller.message.prepared is not None, timeout=5_000)
    assert not view.message.isEnabled()
    assert "No marketing consent" in view.message_why.text()

    _select(w, "T1")
    qtbot.waitUntil(lambda: view.message.isEnabled(), timeout=5_000)
    assert view.message_why.text() == ""
    qtbot.mouseClick(view.message, Qt.MouseButton.LeftButton)
    assert panel.isVisible()
    assert panel.message() == f"Hi {name}, about the watch repair."
    assert name in panel.title.text()
    assert not panel.share.isVisible()  # no phone number or e-mail here: copy it
    assert "copy" in panel.hint.text()
    qtbot.mouseClick(panel.copy, Qt.MouseButton.LeftButton)
    assert clipboard_text() == panel.message()

    w.set_language("zh_CN")
    qtbot.mouseClick(view.message, Qt.MouseButton.LeftButton)
    assert panel.message() == f"{name}，您好！关于the watch repair。"
    assert panel.copy.text() != "Copy"
    panel.text.setPlainText(panel.message() + " 谢谢")  # the associate may edit it
    qtbot.mouseClick(panel.copy, Qt.MouseButton.LeftButton)
    assert clipboard_text().endswith("谢谢")

    with qtbot.waitSignal(controller.loaded, timeout=10_000):
        qtbot.mouseClick(panel.contacted, Qt.MouseButton.LeftButton)
    wait_idle()
    contacted = [r for r in outbox_rows() if r["kind"] == "contacted"]
    assert [(c["member_id"], c["payload"]) for c in contacted] == [
        ("M00000001", {"task_id": "T1", "template": "manual"})
    ]
    assert not panel.isVisible()


def test_my_customers_message_for_the_first_open_task(
    qtbot: Any, session: Any, home: Any, first: Any, outbox_rows: Any, wait_idle: Any
) -> None:
    conn = cache_mod.open_cache(home.home / "cache.db")
    try:
        with conn:
            cache_mod.apply_changes(
                conn,
                [
                    {
                        "entity": "assignment",
                        "op": "upsert",
                        "key": "M00000001",
                        "data": {
                            "member_id": "M00000001",
                            "store_id": "S001",
                            "staff_id": first.id,
                            "assigned_at": NOW - DAY,
                        },
                    }
                ],
            )
    finally:
        conn.close()
    w = session.window
    w.start_session(Session(first.id, first.name, first.role, 0))
    controller = w.screens.client_book
    with qtbot.waitSignal(controller.loaded, timeout=10_000):
        qtbot.keyClick(w, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    view = w.screens.client_book_view
    ids = [view.model.row_at(i).member_id for i in range(view.model.rowCount())]
    view.list.setCurrentIndex(view.model.index(ids.index("M00000001"), 0))
    qtbot.waitUntil(lambda: view.message.isEnabled(), timeout=5_000)
    qtbot.mouseClick(view.message, Qt.MouseButton.LeftButton)
    name = _name(home, "M00000001")
    assert view.message_panel.message() == f"Hi {name}, about the watch repair."
    with qtbot.waitSignal(controller.loaded, timeout=10_000):
        qtbot.mouseClick(view.message_panel.contacted, Qt.MouseButton.LeftButton)
    wait_idle()
    contacted = [r for r in outbox_rows() if r["kind"] == "contacted"]
    assert [(c["member_id"], c["payload"]) for c in contacted] == [
        ("M00000001", {"task_id": "T1", "template": "manual"})
    ]
