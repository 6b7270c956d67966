"""The manager's dashboard against the hand-computed fixture day of tests/unit/test_reports.py.

Computation runs on the page's worker thread (asserted); results are awaited with
``qtbot.waitSignal``. Any Qt warning fails the test.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from clerk import audit, db
from clerk import outbox as outbox_mod
from clerk.errors import PermissionDeniedError
from clerk.outbox import open_outbox
from clerk.reports.kpis import day_summary
from clerk.staff import Session
from clerk.terminal import Terminal
from ui.controllers.dashboard_controller import DashboardController
from ui.i18n import fmt_money
from ui.models.dashboard_models import DashboardModels, duration
from ui.qt import QPointF, Qt, QtMsgType, qInstallMessageHandler
from ui.screens import dashboard_screen
from ui.views.dashboard_view import DashboardView
from ui.workers import TaskRunner

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before pytest-qt makes the app

# The offscreen platform says this on every top-level show(); nothing else is tolerated.
PLATFORM_NOTES = ("This plugin does not support propagateSizeHints()",)


@pytest.fixture(autouse=True)
def fail_on_qt_warnings() -> Iterator[list[str]]:
    """Any qWarning/qCritical during the test fails it (overrides tests/ui/conftest.py's
    fixture of the same name only to let the offscreen platform's note through)."""
    seen: list[str] = []
    previous: Any = None

    def handler(msg_type: QtMsgType, context: Any, message: str) -> None:
        if (
            msg_type in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
            and message not in PLATFORM_NOTES
        ):
            seen.append(message)
        if previous is not None:
            previous(msg_type, context, message)

    previous = qInstallMessageHandler(handler)
    try:
        yield seen
    finally:
        qInstallMessageHandler(previous)
    if seen:
        pytest.fail("Qt warnings:\n" + "\n".join(seen), pytrace=False)


def _load_fixture_module() -> ModuleType:
    """tests/unit/test_reports.py holds the fixture day (one source of truth for the numbers)."""
    path = Path(__file__).resolve().parents[2] / "unit" / "test_reports.py"
    spec = importlib.util.spec_from_file_location("_fixture_day_reports", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


fx = _load_fixture_module()
TZ, DAY, STORE = fx.TZ, fx.DAY, fx.STORE
MANAGER = Session("M01", "周建华", "manager", 0)
ASSOCIATE = Session("A01", "王芳", "associate", 0)
NOW = fx.at(20)  # 20:00 on the fixture day: "today"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return fx.build_fixture_day(tmp_path_factory.mktemp("dash-template"))


@pytest.fixture
def day(template: Any, tmp_path: Path) -> Any:
    return fx.copy_fixture_day(template, tmp_path / "day")


@pytest.fixture
def terminal(day: Any) -> Iterator[Terminal]:
    t = Terminal(day.directory, clock=lambda: NOW)
    try:
        yield t
    finally:
        t.close()


@pytest.fixture
def page(qtbot: Any, terminal: Terminal, tmp_path: Path) -> Iterator[DashboardController]:
    p = dashboard_screen(MANAGER, terminal, tz=TZ, choose_path=lambda name: str(tmp_path / name))
    qtbot.addWidget(p.view)
    p.view.resize(1280, 900)
    yield p
    p.shutdown()


def _show(qtbot: Any, page: DashboardController) -> Any:
    with qtbot.waitSignal(page.updated, timeout=10_000) as blocker:
        page.view.show()
    return blocker.args[0]


# -- managers only ----------------------------------------------------------------------------


def test_screen_refuses_to_build_without_a_manager(qtbot: Any, terminal: Terminal) -> None:
    for session in (ASSOCIATE, None):
        with pytest.raises(PermissionDeniedError):
            dashboard_screen(session, terminal, tz=TZ)


def test_controller_refuses_without_a_manager(qtbot: Any, terminal: Terminal) -> None:
    view = DashboardView(DashboardModels())
    qtbot.addWidget(view)
    source = terminal.dashboard(TZ)
    runner = TaskRunner("t", synchronous=True)
    with pytest.raises(PermissionDeniedError):
        DashboardController(ASSOCIATE, view, source, runner)
    # and the source's data functions check the session themselves
    with pytest.raises(PermissionDeniedError):
        source.export(ASSOCIATE, DAY, DAY, terminal.cache_path.parent / "x.csv")
    with pytest.raises(PermissionDeniedError):
        source.resolve(ASSOCIATE, "x", "accept")
    assert not (terminal.cache_path.parent / "x.csv").exists()


# -- the figures --------------------------------------------------------------------------------


def test_tiles_chart_and_tables_show_the_fixture_day(qtbot: Any, page: Any) -> None:
    main = threading.get_ident()
    threads: list[int] = []
    load = page.source.load
    page.source.load = lambda d: (threads.append(threading.get_ident()), load(d))[1]
    data = _show(qtbot, page)
    assert threads and threads[0] != main  # computed on the worker, not the GUI thread
    assert data.summary.kpis == fx.EXPECTED

    tiles = page.view.tiles
    value = {k: t.value.text() for k, t in tiles.items()}
    assert value == {
        "visits": "7",
        "identified": "5 / 2",
        "new": "3 / 4",
        "coupons": "3",
        "carts": "2",
        "length": duration(789),
        "points": "0 / 0",  # the fixture day earns and redeems none
        "worked": "—",  # and its visits recorded no talking points shown
    }
    assert duration(789) == "13 min"
    assert tiles["visits"].compare.text() == "Same day last week: 2 (+5)"
    assert tiles["identified"].compare.text() == "Same day last week: 1 / 1"
    assert tiles["new"].compare.text() == "Same day last week: 1 / 1"
    assert tiles["coupons"].detail.text() == fmt_money(28000)
    assert tiles["carts"].detail.text() == fmt_money(229800)
    assert tiles["length"].compare.text() == "Same day last week: 15 min"
    assert page.view.unsynced.text() == "Includes 8 record(s) not yet synced"

    assert page.view.chart.counts == data.summary.by_hour
    assert page.view.chart.bars.at(10) == 2 and page.view.chart.bars.at(18) == 1

    assoc = page.view.models.associates
    assert [(a.staff_id, a.visits) for a in assoc.rows] == [("A02", 4), ("A01", 3)]
    cell = assoc.index(1, assoc.column_index("amount")).data()
    assert cell == fmt_money(209900)
    products = page.view.models.products
    assert [(p.sku, p.count) for p in products.rows] == [("SW1", 3), ("HP1", 1)]
    assert products.index(0, 0).data() == "Smartwatch"
    # the drill-down starts with the whole day
    assert page.view.models.visits.rowCount() == 7
    # sync health: 9 rows waiting (8 of the day's figures + the audit record), oldest 10:20
    assert page.view.health_values["pending"].text() == "9 records, the oldest 9 h 40 min old"
    assert page.view.health_values["last_sync"].text() == "Never"


def test_follow_ups_per_associate_with_the_escalated_ones(
    qtbot: Any, page: Any, terminal: Terminal
) -> None:
    """The follow-ups card: per associate, clients in their book, open, overdue, escalated
    (24 h past due: the manager's) and done — from the cache and this terminal's records."""
    from clerk import cache as cache_mod
    from clerk import tasks
    from clerk.shared.interactions import Assign

    member = str(terminal.cache.execute("SELECT id FROM members ORDER BY id").fetchone()[0])
    terminal.cache.execute("UPDATE members SET consent_marketing = 1 WHERE id = ?", (member,))
    with terminal.cache:
        cache_mod.apply_changes(
            terminal.cache,
            [
                {
                    "entity": "task",
                    "op": "upsert",
                    "key": "T1",
                    "data": {
                        "id": "T1",
                        "store_id": "S001",
                        "member_id": member,
                        "title": "call her",
                        "reason": "inactive",
                        "facts": {},
                        "assignee": "A01",
                        "due_at": NOW - 2 * 86_400,
                        "state": "open",
                        "outreach": 1,
                        "created_at": NOW - 3 * 86_400,
                        "updated_at": NOW - 3 * 86_400,
                    },
                }
            ],
        )
    terminal.record("assign", member_id=member, staff_id="M01", payload=Assign.of("A01"))
    payload = tasks.new_task(terminal.cache, member, "size 38", NOW + 3600, assignee="A01")
    terminal.record("task", member_id=member, staff_id="A01", payload=payload)
    data = _show(qtbot, page)
    mine = next(f for f in data.followups if f.staff_id == "A01")
    assert (mine.clients, mine.open, mine.overdue, mine.escalated, mine.done) == (1, 2, 1, 1, 0)
    model = page.models.followups
    row = next(r for r in range(model.rowCount()) if model.rows[r].staff_id == "A01")
    cells = [model.index(row, c).data() for c in range(model.columnCount())]
    assert cells[1:] == ["1", "2", "1", "1", "0"]
    assert page.view.followups_card.isVisible()


def test_models_pass_the_model_tester(qtbot: Any, page: Any, qtmodeltester: Any) -> None:
    _show(qtbot, page)
    for model in page.view.models.all():
        qtmodeltester.check(model, force_py=True)


def test_click_a_bar_to_drill_down_the_hour(qtbot: Any, page: Any, day: Any) -> None:
    _show(qtbot, page)
    chart = page.view.chart
    scene_point = chart.chart.mapToPosition(QPointF(10, 1), chart.series)
    where = chart.view.mapFromScene(scene_point)
    with qtbot.waitSignal(chart.hour_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(chart.view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert blocker.args == [10]
    visits = page.view.models.visits
    assert [v.id for v in visits.rows] == [day.ids["L1"], day.ids["L5"]]
    assert visits.index(1, visits.column_index("member")).data() == "Walk-in (card:111)"
    assert visits.index(0, visits.column_index("length")).data() == "25 min"
    assert page.view.drill_card.title.text() == "Visits · 10:00–10:59"
    assert page.view.hour.currentIndex() == 11
    # keyboard path: the hour list
    page.view.hour.setCurrentIndex(16)  # item 0 is "All hours": 16 is 15:00
    page.view.hour.activated.emit(16)
    assert [v.id for v in visits.rows] == ["H1"]
    page.view.drill_clear.click()
    assert visits.rowCount() == 7


def test_click_an_associate_to_drill_down(qtbot: Any, page: Any, day: Any) -> None:
    _show(qtbot, page)
    table = page.view.associates_table
    index = table.model().index(0, 0)  # A02, most visits
    qtbot.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center()
    )
    rows = page.view.models.visits.rows
    assert [v.id for v in rows] == [day.ids["L5"], day.ids["L10"], "H1", day.ids["L17"]]
    assert all(v.staff_id == "A02" for v in rows)
    page.drill_hour(14)  # both filters together
    assert [v.id for v in page.view.models.visits.rows] == [day.ids["L10"]]


def test_another_day_and_the_stale_result_is_dropped(qtbot: Any, page: Any) -> None:
    _show(qtbot, page)
    with qtbot.waitSignal(page.updated, timeout=10_000) as blocker:
        page.view.date.setDate(page.view.date.date().addDays(-7))
    assert blocker.args[0].summary.kpis.visits == 2
    assert page.view.tiles["visits"].value.text() == "2"
    with qtbot.waitSignal(page.updated, timeout=10_000):
        page.view.today.click()
    assert page.view.tiles["visits"].value.text() == "7"


def test_export_button_writes_csv_and_audits(
    qtbot: Any, page: Any, tmp_path: Path, day: Any
) -> None:
    _show(qtbot, page)
    with qtbot.waitSignal(page.exported, timeout=10_000) as blocker:
        page.view.export.click()
    path, rows = blocker.args
    assert Path(path) == tmp_path / "visits-2025-11-20.csv" and rows == 7
    lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("date,time,visit_id") and len(lines) == 8
    conn = open_outbox(day.outbox_path)
    try:
        [row] = audit.rows(conn)
        assert (row.action, row.staff_id, row.detail["rows"]) == ("export", "M01", 7)
        assert audit.verify(conn).ok
    finally:
        conn.close()


def test_conflict_side_by_side_and_reverse(
    qtbot: Any, terminal: Terminal, day: Any, tmp_path: Path
) -> None:
    conn = open_outbox(day.outbox_path)
    try:
        outbox_mod.apply_results(
            conn,
            [
                {
                    "id": day.ids["L8"],
                    "status": "conflict",
                    "reason": "coupon_used",
                    "conflict_with": "H1",
                }
            ],
        )
    finally:
        conn.close()
    page = dashboard_screen(MANAGER, terminal, tz=TZ)
    qtbot.addWidget(page.view)
    try:
        _show(qtbot, page)
        model = page.view.models.conflicts
        assert model.rowCount() == 1
        assert model.index(0, model.column_index("member")).data() == "Bob"
        assert model.index(0, model.column_index("ours")).data() == "11-20 14:30 · A01"
        assert model.index(0, model.column_index("theirs")).data() == "11-20 15:00 · S001 · 陈浩然"
        assert not page.view.reverse.isEnabled()
        table = page.view.conflicts_table
        qtbot.mouseClick(
            table.viewport(),
            Qt.MouseButton.LeftButton,
            pos=table.visualRect(model.index(0, 0)).center(),
        )
        assert page.view.reverse.isEnabled()
        with (
            qtbot.waitSignal(page.updated, timeout=10_000),
            qtbot.waitSignal(page.resolved, timeout=10_000) as blocker,
        ):
            page.view.reverse.click()
        assert blocker.args == [day.ids["L8"], "reverse"]
        assert model.rowCount() == 0
    finally:
        page.shutdown()
    check = db.inspect(day.outbox_path)  # encrypted at rest
    try:
        rows = check.execute(
            "SELECT kind, staff_id, payload FROM interactions WHERE kind = 'resolve'"
        ).fetchall()
    finally:
        check.close()
    assert rows == [("resolve", "M01", f'{{"conflict_id":"{day.ids["L8"]}","decision":"reverse"}}')]


def test_parked_records_are_listed_beside_the_rejected_and_sent_again(
    qtbot: Any, terminal: Terminal, day: Any
) -> None:
    """What the hub failed on by itself reaches the manager: kind, member, time and the hub's
    answer in words, with "Send again" — which puts them back in the queue (the window then
    syncs: ``retried``) and takes them off the list. Nothing parked: the section is hidden."""
    page = dashboard_screen(MANAGER, terminal, tz=TZ)
    qtbot.addWidget(page.view)
    page.view.resize(1280, 900)
    try:
        _show(qtbot, page)
        view = page.view
        assert not view.parked_table.isVisible() and not view.retry_parked.isVisible()
        conn = open_outbox(day.outbox_path)
        try:
            outbox_mod.park(
                conn, day.ids["L4"], "http_500: the hub failed; the error is logged", now=NOW
            )
        finally:
            conn.close()
        with qtbot.waitSignal(page.updated, timeout=10_000):
            page.refresh()
        model = view.models.parked
        assert model.rowCount() == 1
        cells = {c.key: model.index(0, i).data() for i, c in enumerate(model.COLUMNS)}
        assert cells == {
            "when": "11-20 10:25",
            "kind": "Assisted sale",
            "member": "Alice",
            "answer": "the hub failed; the error is logged (http_500)",
            "tries": "0",
        }
        assert view.parked_table.isVisible() and view.retry_parked.isVisible()
        assert view.parked_title.text().startswith("Needs attention (1)")
        with (
            qtbot.waitSignal(page.retried, timeout=10_000) as retried,
            qtbot.waitSignal(page.updated, timeout=10_000),
        ):
            qtbot.mouseClick(view.retry_parked, Qt.MouseButton.LeftButton)
        assert retried.args == [1]
        assert model.rowCount() == 0 and not view.parked_table.isVisible()
    finally:
        page.shutdown()
    check = db.inspect(day.outbox_path)
    try:
        state = check.execute(
            "SELECT state FROM interactions WHERE id = ?", (day.ids["L4"],)
        ).fetchone()
    finally:
        check.close()
    assert state == ("pending",)  # sent with the next sync


def test_language_switch_rerenders(qtbot: Any, page: Any) -> None:
    _show(qtbot, page)
    page.view.retranslate()
    assert page.view.tiles["visits"].value.text() == "7"
    assert page.view.models.visits.headerData(0, Qt.Orientation.Horizontal) == "Time"


def test_refresh_failure_is_reported_not_raised(qtbot: Any, tmp_path: Path) -> None:
    terminal = Terminal(tmp_path / "t", clock=lambda: NOW)
    for path in terminal.home.glob("cache.db*"):  # the files gone from under the terminal
        path.unlink()
    page = dashboard_screen(MANAGER, terminal, tz=TZ)
    qtbot.addWidget(page.view)
    try:
        with qtbot.waitSignal(page.failed, timeout=10_000) as blocker:
            page.view.show()
        assert blocker.args[0].reason in ("storage", "cache_corrupt")
        assert page.view.status.text() == "Could not compute the figures."
    finally:
        page.shutdown()
        terminal.close()


def test_reports_day_summary_matches_what_the_page_shows(page: Any, qtbot: Any, day: Any) -> None:
    data = _show(qtbot, page)
    cache = db.inspect(day.cache_path)  # encrypted at rest
    ob = db.inspect(day.outbox_path)
    try:
        direct = day_summary(cache, ob, DAY, TZ, STORE)
    finally:
        cache.close()
        ob.close()
    assert direct == data.summary


def _click_row(qtbot: Any, table: Any, row: int) -> None:
    index = table.model().index(row, 0)
    table.scrollTo(index)
    qtbot.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center()
    )


def test_rejected_and_parked_records_are_fixed_withdrawn_or_dismissed(
    qtbot: Any, page: DashboardController, day: Any
) -> None:
    """Every record the hub did not take has an action: "Fix and resend" hands the record as
    kept to the customer page (``fix_requested``), "Withdraw" takes it back, "Dismiss" needs
    a reason; both audited, both leave the record in the "archived" filter, and the lists and
    their counts lose it."""
    l4, l5, l13 = day.ids["L4"], day.ids["L5"], day.ids["L13"]
    conn = open_outbox(day.outbox_path)
    try:
        outbox_mod.apply_results(conn, [{"id": l4, "status": "rejected", "reason": "bad_payload"}])
        outbox_mod.park(conn, l5, "http_500: the hub failed", now=NOW)
    finally:
        conn.close()
    _show(qtbot, page)
    view = page.view
    rejected, parked = view.models.rejected, view.models.parked
    assert {rejected.row_at(i).id for i in range(rejected.rowCount())} == {l4, l13}
    assert view.record_actions.isVisible()
    assert not (view.fix_record.isEnabled() or view.withdraw_record.isEnabled())
    # Fix and resend: L4 is a sale about Alice — its form opens on her page with the record
    row_l4 = [rejected.row_at(i).id for i in range(rejected.rowCount())].index(l4)
    _click_row(qtbot, view.rejected_table, row_l4)
    assert view.fix_record.isEnabled() and view.withdraw_record.isEnabled()
    assert not view.dismiss_record.isEnabled()  # no reason yet
    with qtbot.waitSignal(page.fix_requested, timeout=10_000) as asked:
        qtbot.mouseClick(view.fix_record, Qt.MouseButton.LeftButton)
    row, session = asked.args
    assert (row.id, row.kind, row.member_id, row.payload["amount_cents"]) == (
        l4, "sale", "M1", 179900
    )  # fmt: skip
    assert session == MANAGER
    # L13 is a visit: no form to fix it in — withdrawn instead
    _click_row(qtbot, view.rejected_table, 1 - row_l4)
    assert not view.fix_record.isEnabled() and view.withdraw_record.isEnabled()
    with (
        qtbot.waitSignal(page.closed, timeout=10_000) as closed,
        qtbot.waitSignal(page.updated, timeout=10_000),
    ):
        qtbot.mouseClick(view.withdraw_record, Qt.MouseButton.LeftButton)
    assert closed.args == [l13, "withdrawn"]
    assert [rejected.row_at(i).id for i in range(rejected.rowCount())] == [l4]
    # the parked L5: dismissed with a reason
    _click_row(qtbot, view.parked_table, 0)
    assert not view.rejected_table.selectionModel().hasSelection()  # one record at a time
    qtbot.keyClicks(view.dismiss_reason, "customer left, nothing to send")
    assert view.dismiss_record.isEnabled()
    with (
        qtbot.waitSignal(page.closed, timeout=10_000),
        qtbot.waitSignal(page.updated, timeout=10_000),
    ):
        qtbot.mouseClick(view.dismiss_record, Qt.MouseButton.LeftButton)
    assert parked.rowCount() == 0 and view.dismiss_reason.text() == ""
    # the archive: both kept, with who and why
    view.show_archived.setChecked(True)
    states = {
        rejected.row_at(i).id: rejected.index(i, rejected.column_index("state")).data()
        for i in range(rejected.rowCount())
    }
    assert states == {
        l13: "Withdrawn by M01",
        l5: "Dismissed by M01: customer left, nothing to send",
    }
    assert view.rejected_title.text().startswith("Archived")
    assert not view.withdraw_record.isEnabled()  # an archived record has no action
    view.show_archived.setChecked(False)
    check = db.inspect(day.outbox_path)
    try:
        got = [
            (r.action, r.staff_id, r.detail["interaction_id"])
            for r in audit.rows(check)
            if r.action.startswith("record_")
        ]
    finally:
        check.close()
    assert got == [("record_withdraw", "M01", l13), ("record_dismiss", "M01", l5)]


def test_a_manager_only_action_is_refused_to_an_associate(terminal: Terminal, day: Any) -> None:
    """Dismissing is a manager's, at the source and at the terminal: an associate is refused
    and nothing changes (withdrawing someone else's record too)."""
    conn = open_outbox(day.outbox_path)
    try:
        outbox_mod.apply_results(
            conn, [{"id": day.ids["L4"], "status": "rejected", "reason": "bad_payload"}]
        )
    finally:
        conn.close()
    source = terminal.dashboard(TZ)
    try:
        with pytest.raises(PermissionDeniedError):
            source.dismiss(ASSOCIATE, day.ids["L4"], "no")
        with pytest.raises(PermissionDeniedError):
            terminal.withdraw_record(day.ids["L4"], staff_id="A02")
    finally:
        source.close()
    assert terminal.left_for_a_person(day.ids["L4"]).state == "rejected"  # type: ignore[union-attr]


# -- the dashboard's states are visible (issue 19, item 7) -----------------------------------


def test_a_disabled_danger_button_looks_disabled_in_the_theme(qtbot: Any) -> None:
    """ "Reverse ours" disabled (no conflict chosen) must not look like it can be pressed."""
    from ui.qt import QWidget
    from ui.theme import style_sheet
    from ui.views.widgets import button

    host = QWidget()
    qtbot.addWidget(host)
    host.setStyleSheet(style_sheet())
    enabled = button("Reverse ours", kind="danger")
    disabled = button("Reverse ours", kind="danger")
    for b in (enabled, disabled):
        b.setParent(host)
        b.resize(160, 40)
    disabled.move(0, 60)
    disabled.setEnabled(False)
    host.resize(200, 120)
    host.show()
    qtbot.waitExposed(host)
    on = enabled.grab().toImage().pixelColor(8, 20)
    off = disabled.grab().toImage().pixelColor(8, 20)
    assert on.name() != off.name()
    assert off.lightness() > on.lightness() + 40  # washed out, as the theme's other disabled


def test_a_clicked_hour_scrolls_the_filtered_list_into_view(
    qtbot: Any, page: Any, day: Any
) -> None:
    page.view.resize(1280, 620)  # the dashboard's share of a 1280×800 window
    _show(qtbot, page)
    area = page.view.scroll_area
    card = page.view.drill_card

    def card_in_view() -> bool:
        top = card.mapTo(area.widget(), card.rect().topLeft()).y()
        top -= area.verticalScrollBar().value()
        return 0 <= top < area.viewport().height() - 80

    area.verticalScrollBar().setValue(0)
    qtbot.waitUntil(lambda: not card_in_view(), timeout=2_000)  # below the fold
    chart = page.view.chart
    where = chart.view.mapFromScene(chart.chart.mapToPosition(QPointF(10, 1), chart.series))
    qtbot.mouseClick(chart.view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.waitUntil(card_in_view, timeout=2_000)
    assert card.title.text() == "Visits · 10:00–10:59"  # says what filter is on
    assert page.view.drill_clear.isEnabled() and page.view.drill_clear.isVisible()


def test_export_says_where_the_file_went(qtbot: Any, terminal: Terminal, tmp_path: Path) -> None:
    from ui.messages import MessageBridge
    from ui.views.status_view import ToastArea

    bridge = MessageBridge()
    said: list[str] = []
    bridge.shown.connect(lambda _level, text, _key: said.append(text))
    bridge.offered.connect(lambda _level, text, _key, _action, _run: said.append(text))
    p = dashboard_screen(
        MANAGER, terminal, tz=TZ, bridge=bridge, choose_path=lambda n: str(tmp_path / n)
    )
    qtbot.addWidget(p.view)
    opened: list[Path] = []
    p.open_folder = opened.append  # type: ignore[method-assign]
    toasts = ToastArea(p.view)
    bridge.offered.connect(toasts.offer_toast)
    try:
        _show(qtbot, p)
        with qtbot.waitSignal(p.exported, timeout=10_000):
            p.view.export.click()
        assert any(str(tmp_path / "visits-2025-11-20.csv") in t for t in said), said
        [toast] = toasts.toasts()
        assert toast.action.isVisibleTo(toast) and toast.action.text() == "Open folder"
        qtbot.mouseClick(toast.action, Qt.MouseButton.LeftButton)
        assert opened == [tmp_path]
    finally:
        p.shutdown()


@pytest.mark.parametrize("width", [1280, 414])
def test_asked_about_is_never_clipped(qtbot: Any, page: Any, width: int) -> None:
    """The count column's header shows whole, inside the table; long product titles give
    way (elided, whole in the tooltip) instead of pushing it out."""
    page.view.resize(width, 800)
    _show(qtbot, page)
    table = page.view.products_table
    model = table.model()
    assert model.rowCount() > 0
    header = table.horizontalHeader()
    count = model.columnCount() - 1
    text = str(model.headerData(count, Qt.Orientation.Horizontal))
    assert text == "Asked about"

    from ui.qt import QStyle

    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)

    def whole() -> bool:  # the text and the style's margins on both sides
        need = header.fontMetrics().horizontalAdvance(text) + 2 * margin
        right = header.sectionViewportPosition(count) + header.sectionSize(count)
        return header.sectionSize(count) >= need and right <= header.viewport().width()

    qtbot.waitUntil(whole, timeout=2_000)
