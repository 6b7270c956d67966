"""The wired app (``ui.app.build_app``): sign-in in front, the staff session on every record,
the idle lock forgetting the customer, the manager-only dashboard, the settings screen.

PINs are checked on the sign-in page's worker (``qtbot.waitSignal``); one fake clock drives
the idle lock (checked every 20 ms). Any Qt warning fails the test (tests/ui/conftest.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from clerk import db
from clerk.cache import apply_changes, open_cache
from clerk.db import Transaction
from clerk.shared.pins import hash_pin
from ui.qt import Qt

HERO = "M00000001"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PINS = {"A01": "1234", "A02": "2345", "M01": "246810"}
CTRL = Qt.KeyboardModifier.ControlModifier


class FakeClock:
    def __init__(self) -> None:
        self.t = 1_000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def set_pins(home: Any, pins: dict[str, str]) -> None:
    """Give the demo home's staff PINs (the hub would send their hashes)."""
    cache = open_cache(home / "cache.db")
    try:
        rows = cache.execute("SELECT id, name, role FROM staff").fetchall()
        with Transaction(cache):
            apply_changes(
                cache,
                [
                    {
                        "entity": "staff",
                        "op": "upsert",
                        "key": r["id"],
                        "data": {
                            "id": r["id"],
                            "name": r["name"],
                            "role": r["role"],
                            "pin_hash": hash_pin(pins[r["id"]], r["role"], FAST)
                            if r["id"] in pins
                            else None,
                            "active": True,
                            "updated_at": 0,
                        },
                    }
                    for r in rows
                ],
            )
    finally:
        cache.close()


def audit_rows(home: Any) -> list[tuple[str, str | None, dict[str, Any]]]:
    conn = db.inspect(home / "outbox.db")
    try:
        return [
            (r[0], r[1], json.loads(r[2]))
            for r in conn.execute("SELECT action, staff_id, detail FROM audit_log ORDER BY seq")
        ]
    finally:
        conn.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(qtbot: Any, home: Any, clock: FakeClock) -> Iterator[Any]:
    from clerk.terminal import Terminal
    from demoworld.home import DemoHome
    from ui.app import build_app

    assert isinstance(home, DemoHome)
    set_pins(home.home, PINS)
    terminal = Terminal(home.home, clock=lambda: home.now)
    s = build_app(
        terminal,
        None,
        lang="en",
        layout="desktop",
        idle_clock=clock,
        idle_check_ms=20,
        cameras=lambda: [("cam-usb-1", "USB Camera")],
        diagnostics=lambda path: f"diagnostics of {path.name}",
    )
    qtbot.addWidget(s.window)
    s.window.resize(1366, 860)
    s.window.show()
    qtbot.waitExposed(s.window)
    page = s.access.signin
    qtbot.waitUntil(lambda: page.view.staff_model.rowCount() == 4, timeout=5_000)
    try:
        yield s
    finally:
        s.runners.wait()
        s.close()  # its catalogues go with it
        terminal.close()


def sign_in(qtbot: Any, app: Any, staff_id: str) -> Any:
    """Pick ``staff_id`` in the list, tap the PIN on the pad, press Sign in."""
    page = app.access.signin
    view = page.view
    row = view.staff_model.row_of(staff_id)
    rect = view.staff_list.visualRect(view.staff_model.index(row, 0))
    qtbot.mouseClick(view.staff_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    for digit in PINS[staff_id]:
        qtbot.mouseClick(view.pad.keys[digit], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(app.window.session_started, timeout=10_000) as blocker:
        qtbot.mouseClick(view.submit, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def type_into(qtbot: Any, editor: Any, text: str) -> None:
    """Type like a person (the app's scanner filter holds fast keys back for a moment)."""
    editor.clear()
    qtbot.keyClicks(editor, text)
    qtbot.waitUntil(lambda: editor.text() == text, timeout=2_000)


def open_customer(qtbot: Any, app: Any, text: str) -> None:
    w = app.window
    w.screens.scan_view.field.setText(text)
    with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
        qtbot.keyClick(w.screens.scan_view.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.nav.page == "customer", timeout=5_000)


def save_note(qtbot: Any, app: Any, text: str) -> Any:
    w = app.window
    w.screens.customer.action("note")
    w.screens.customer_view.composer.note.text.setPlainText(text)
    with qtbot.waitSignal(w.screens.customer.recorded, timeout=10_000) as blocker:
        qtbot.mouseClick(w.screens.customer_view.composer.save, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_starts_locked_on_sign_in(qtbot: Any, app: Any, home: Any, outbox_rows: Any) -> None:
    w = app.window
    assert w.pages.currentWidget() is app.access.signin.view
    assert w.nav.locked and w.nav.page == "other"
    assert not w.top_bar.settings_button.isVisible() and not w.top_bar.dashboard_button.isVisible()
    assert w.status_bar.associate.text.text() == "No associate signed in"
    before = len(outbox_rows())
    w.inputs.on_wedge_scan(home.code(HERO))  # a scanner burst at the locked terminal
    for key in (Qt.Key.Key_F10, Qt.Key.Key_F2, Qt.Key.Key_Escape):
        qtbot.keyClick(w, key)
    w.nav.show_scan()
    w.nav.show_settings()
    app.runners.wait()
    assert w.pages.currentWidget() is app.access.signin.view
    assert len(outbox_rows()) == before  # nothing looked up, no visit recorded


def test_sign_in_then_every_record_carries_the_staff_id(
    qtbot: Any, app: Any, home: Any, outbox_rows: Any
) -> None:
    w = app.window
    session = sign_in(qtbot, app, "A01")
    assert (session.staff_id, session.role) == ("A01", "associate")
    assert w.nav.page == "scan" and not w.nav.locked
    assert w.status_bar.associate.text.text() == "Associate: 王芳 (A01)"
    assert w.top_bar.lock_button.isVisible() and not w.top_bar.dashboard_button.isVisible()
    open_customer(qtbot, app, home.code(HERO))
    save_note(qtbot, app, "Asked about the blue strap")
    rows = outbox_rows()
    assert [(r["kind"], r["staff_id"]) for r in rows[-2:]] == [("visit", "A01"), ("note", "A01")]

    # Another associate takes over the terminal: their id from now on, not a fixed one.
    with qtbot.waitSignal(app.access.ended, timeout=5_000):
        qtbot.mouseClick(w.top_bar.lock_button, Qt.MouseButton.LeftButton)
    assert w.nav.locked and w.screens.customer.member_id is None
    sign_in(qtbot, app, "A02")
    assert w.status_bar.associate.text.text() == "Associate: 陈浩然 (A02)"
    w.nav.next_customer()
    open_customer(qtbot, app, home.cards[HERO])
    rec = save_note(qtbot, app, "Came back for it")
    assert rec.staff_id == "A02"
    assert outbox_rows()[-1]["staff_id"] == "A02"
    actions = [(a, s) for a, s, _ in audit_rows(home.home) if a in ("signin", "signout")]
    assert actions == [("signin", "A01"), ("signout", "A01"), ("signin", "A02")]


def test_idle_lock_forgets_the_customer(
    qtbot: Any, app: Any, home: Any, clock: FakeClock, outbox_rows: Any
) -> None:
    w = app.window
    sign_in(qtbot, app, "A01")
    open_customer(qtbot, app, home.code(HERO))
    models = w.screens.customer_models
    assert models.talking.rowCount() > 0 and models.cart.rowCount() > 0
    w.screens.customer.action("note")
    w.screens.customer_view.composer.note.text.setPlainText("half-typed note about the customer")
    app.runners.wait()

    with qtbot.waitSignal(app.access.ended, timeout=5_000) as blocker:
        clock.advance(5 * 60 + 1)  # idle_lock_minutes = 5; the guard checks every 20 ms
    assert blocker.args[0].staff_id == "A01"
    assert w.pages.currentWidget() is app.access.signin.view and w.nav.locked
    assert app.access.signin.view.message.text() == (
        "Locked after 5 minutes without use. Sign in again."
    )
    # Nothing of the customer is left in a model or a widget …
    for model in (models.talking, models.cart, models.coupons, models.browsing, models.visits):
        assert model.rowCount() == 0
    assert models.interest_products.rowCount() == 0 and models.sale_products.rowCount() == 0
    page = w.screens.customer_view
    assert page.header.name.text() == "" and page.header.meta.text() == ""
    assert page.composer.note.text.toPlainText() == "" and not page.composer.form
    assert w.screens.recent_model.rowCount() == 0 and w.screens.customer.member_id is None
    assert w.status_bar.associate.text.text() == "No associate signed in"
    # … and no path leads back to it.
    before = len(outbox_rows())
    w.nav.show_customer()
    w.nav.go_back()
    for key in (Qt.Key.Key_Escape, Qt.Key.Key_F2, Qt.Key.Key_F10):
        qtbot.keyClick(w, key)
    qtbot.keyClick(w, Qt.Key.Key_N, CTRL)
    w.inputs.on_wedge_scan(home.code(HERO))
    app.runners.wait()
    assert w.pages.currentWidget() is app.access.signin.view
    assert len(outbox_rows()) == before
    qtbot.waitUntil(lambda: audit_rows(home.home)[-1][0] == "signout", timeout=5_000)
    assert audit_rows(home.home)[-1][1:] == ("A01", {"reason": "idle"})

    # The same associate signs in again: a fresh scan screen, the last customers back.
    sign_in(qtbot, app, "A01")
    assert w.nav.page == "scan"
    qtbot.waitUntil(lambda: w.screens.recent_model.rowCount() > 0, timeout=5_000)


def test_dashboard_for_managers_only(qtbot: Any, app: Any) -> None:
    w = app.window
    sign_in(qtbot, app, "A01")
    assert not w.top_bar.dashboard_button.isVisible()
    qtbot.keyClick(w, Qt.Key.Key_D, CTRL)  # the shortcut refuses an associate …
    assert w.nav.page == "scan" and w.screens.dashboard is None
    toasts = [t.text.text() for t in w.toasts.toasts()]
    assert "Your role does not allow this — ask a store manager." in toasts
    w.nav.show_dashboard()  # … and so does every other path to it
    assert w.screens.dashboard is None

    with qtbot.waitSignal(app.access.ended, timeout=5_000):
        w.sign_out()
    sign_in(qtbot, app, "M01")
    assert w.top_bar.dashboard_button.isVisible()
    qtbot.mouseClick(w.top_bar.dashboard_button, Qt.MouseButton.LeftButton)
    assert w.nav.page == "dashboard" and w.top_bar.back.isVisible()
    qtbot.waitUntil(lambda: w.screens.dashboard.data is not None, timeout=10_000)
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert w.nav.page == "scan"
    qtbot.keyClick(w, Qt.Key.Key_D, CTRL)
    assert w.nav.page == "dashboard"
    dashboard = w.screens.dashboard
    with qtbot.waitSignal(app.access.ended, timeout=5_000):
        w.sign_out()
    assert w.screens.dashboard is None and w.nav.locked  # shut down with the session
    assert not dashboard.timer.isActive()


def test_records_sent_again_from_the_dashboard_go_out_now(
    qtbot: Any, app: Any, home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manager sends parked records again: they are back in the queue and the window
    starts a sync round at once (F5's), not at the next interval."""
    from clerk import outbox as outbox_mod

    w = app.window
    parked = w.terminal.record("note", member_id=HERO, payload={"text": "x"})
    conn = outbox_mod.open_outbox(home.home / "outbox.db")
    try:
        outbox_mod.park(conn, parked.id, "http_500: the hub failed", now=home.now)
    finally:
        conn.close()
    synced: list[bool] = []
    monkeypatch.setattr(w.status, "sync_now", lambda: synced.append(True))
    sign_in(qtbot, app, "M01")
    w.nav.show_dashboard()
    dashboard = w.screens.dashboard
    qtbot.waitUntil(lambda: dashboard.view.parked_table.isVisible(), timeout=10_000)
    with qtbot.waitSignal(dashboard.retried, timeout=10_000):
        qtbot.mouseClick(dashboard.view.retry_parked, Qt.MouseButton.LeftButton)
    assert synced == [True]
    assert outbox_mod.get(w.terminal.outbox, parked.id).state == "pending"


def test_a_manager_fixes_a_rejected_record_from_the_dashboard(qtbot: Any, app: Any) -> None:
    """ "Fix and resend" on the dashboard opens the customer's page (as a search result: no
    visit) with the record's form holding it; saving records the corrected copy, by the
    manager, superseding the old one — which is no longer on the dashboard."""
    from clerk import outbox as outbox_mod

    w = app.window
    old = w.terminal.record("note", member_id=HERO, staff_id="A01", payload={"text": "blue"})
    w.terminal.write(
        lambda conn: outbox_mod.apply_results(
            conn, [{"id": old.id, "status": "rejected", "reason": "unknown_member"}]
        )
    )
    sign_in(qtbot, app, "M01")
    w.nav.show_dashboard()
    dashboard = w.screens.dashboard
    view = dashboard.view
    qtbot.waitUntil(lambda: view.models.rejected.rowCount() == 1, timeout=10_000)
    index = view.models.rejected.index(0, 0)
    qtbot.mouseClick(
        view.rejected_table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=view.rejected_table.visualRect(index).center(),
    )
    visits = w.terminal.write(
        lambda conn: conn.execute("SELECT count(*) FROM interactions").fetchone()[0]
    )
    qtbot.mouseClick(view.fix_record, Qt.MouseButton.LeftButton)
    composer = w.screens.customer_view.composer
    qtbot.waitUntil(lambda: composer.form == "note" and w.nav.page == "customer", timeout=10_000)
    assert composer.note.text.toPlainText() == "blue" and composer.fixing.isVisible()
    composer.note.text.setPlainText("blue, size 42")
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: composer.form == "", timeout=10_000)
    app.runners.wait()
    rows = w.terminal.write(
        lambda conn: conn.execute(
            "SELECT id, state, staff_id, supersedes, payload FROM interactions"
            " WHERE id = ? OR supersedes = ?",
            (old.id, old.id),
        ).fetchall()
    )
    assert len(rows) == 2 and rows[0][1] == "corrected"
    assert (rows[1][1], rows[1][2], rows[1][3]) == ("pending", "M01", old.id)
    assert json.loads(rows[1][4]) == {"text": "blue, size 42"}
    total = w.terminal.write(
        lambda conn: conn.execute("SELECT count(*) FROM interactions").fetchone()[0]
    )
    assert total == visits + 1  # the corrected copy, and no visit for opening the page


# --- the settings screen ----------------------------------------------------------------------


def test_settings_for_an_associate_show_no_terminal_settings(qtbot: Any, app: Any) -> None:
    w = app.window
    sign_in(qtbot, app, "A01")
    w.nav.show_settings()
    sp = w.screens.settings_view
    assert not sp.terminal_card.isVisible() and sp.manager_note.isVisible()
    sp.idle_lock.setText("9")  # even if the field were reached, saving is refused
    w.screens.settings.save()
    app.runners.wait()
    assert w.terminal.settings.get("idle_lock_minutes") == 5
    assert "Your role does not allow this — ask a store manager." in [
        t.text.text() for t in w.toasts.toasts()
    ]


def test_settings_validation_errors_are_inline_and_translated(
    qtbot: Any, app: Any, home: Any
) -> None:
    w = app.window
    settings = w.terminal.settings
    sign_in(qtbot, app, "M01")
    w.nav.show_settings()
    sp = w.screens.settings_view
    assert sp.terminal_card.isVisible() and not sp.manager_note.isVisible()
    assert sp.signed_in.text() == "周建华 (M01)"
    assert sp.idle_lock.text() == "5" and sp.retention.text() == "90"
    assert not sp.save.isEnabled()
    type_into(qtbot, sp.hub_url, "ftp://hub")
    type_into(qtbot, sp.idle_lock, "0")
    type_into(qtbot, sp.retention, "a lot")
    assert sp.save.isEnabled()
    qtbot.mouseClick(sp.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sp.fields["idle_lock_minutes"].error.isVisible(), timeout=5_000)
    assert sp.fields["hub_url"].error.text().startswith("Enter the hub's full address")
    assert sp.fields["idle_lock_minutes"].error.text() == "Enter a whole number from 1 to 240."
    assert sp.fields["retention_days"].error.text() == "Enter a whole number from 7 to 3650."
    assert sp.saved_note.text() == "3 values not saved — see below."
    assert settings.get("idle_lock_minutes") == 5 and settings.get("hub_url") == ""
    assert sp.idle_lock.text() == "0"  # what was typed stays, to be corrected

    # In Chinese the refusals are Chinese.
    w.set_language("zh_CN")
    qtbot.mouseClick(sp.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: sp.fields["idle_lock_minutes"].error.text() == "请输入 1 到 240 之间的整数。",
        timeout=5_000,
    )
    w.set_language("en")

    # Corrected: saved, audited, and the running session's idle lock follows at once.
    sp.idle_lock.setText("7")
    sp.retention.setText("30")
    sp.hub_url.setText("https://hub.example.com/")
    sp.camera.setCurrentIndex(sp.camera.findData("cam-usb-1"))
    with qtbot.waitSignal(w.settings_saved, timeout=5_000) as blocker:
        qtbot.mouseClick(sp.save, Qt.MouseButton.LeftButton)
    assert blocker.args[0] == {
        "hub_url": "https://hub.example.com",
        "idle_lock_minutes": 7,
        "retention_days": 30,
        "camera": "cam-usb-1",
    }
    assert [f for f in sp.fields.values() if f.error.isVisible()] == []
    assert sp.hub_url.text() == "https://hub.example.com" and not sp.save.isEnabled()
    assert settings.get("idle_lock_minutes") == 7 and settings.get("camera") == "cam-usb-1"
    assert app.access.signin.guard.idle.timeout_s == 7 * 60
    assert w.screens.camera.device_id == "cam-usb-1"
    changes = {
        d["name"]: (s, d["new"]) for a, s, d in audit_rows(home.home) if a == "settings_change"
    }
    assert changes["idle_lock_minutes"] == ("M01", 7)
    assert changes["hub_url"] == ("M01", "https://hub.example.com")


def test_language_and_layout_of_a_manager_are_audited(qtbot: Any, app: Any, home: Any) -> None:
    w = app.window
    sign_in(qtbot, app, "M01")
    w.nav.show_settings()
    qtbot.mouseClick(w.screens.settings_view.layout_buttons["handheld"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.terminal.settings.get("layout") == "handheld", timeout=5_000)
    app.runners.wait()
    assert ("settings_change", "M01") in [(a, s) for a, s, _ in audit_rows(home.home)]


def test_copy_diagnostics_puts_them_on_the_clipboard(qtbot: Any, app: Any) -> None:
    from ui.qt import QGuiApplication

    w = app.window
    sign_in(qtbot, app, "M01")
    w.nav.show_settings()
    with qtbot.waitSignal(w.screens.settings.diagnostics_copied, timeout=10_000):
        qtbot.mouseClick(w.screens.settings_view.diagnostics, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "diagnostics of home"
    assert "Diagnostics copied — paste them into your message to IT." in [
        t.text.text() for t in w.toasts.toasts()
    ]


# --- the demo's new views -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("view", "lang"), [("signin", "zh_CN"), ("dashboard", "en"), ("settings", "zh_CN")]
)
def test_demo_renders_the_new_views(
    qtbot: Any, terminal: Any, home: Any, tmp_path: Any, view: str, lang: str
) -> None:
    from demoworld.day import seed_demo_day
    from ui.demo import image_variance, run_demo
    from ui.qt import QImage

    shot = tmp_path / f"{view}.png"
    code = run_demo(
        terminal,
        None,
        screenshot=shot,
        exit_after=30,
        lang=lang,
        layout="desktop",
        view=view,
        staff_id="A01",
        dashboard_day=seed_demo_day(terminal) if view == "dashboard" else None,
    )
    assert code == 0
    image = QImage(str(shot))
    assert image.width() >= 1000 and image_variance(image) > 200


def test_demo_day_gives_the_dashboard_a_day_to_show(terminal: Any, outbox_rows: Any) -> None:
    from demoworld.day import seed_demo_day

    day = seed_demo_day(terminal)
    rows = outbox_rows()
    kinds = {r["kind"] for r in rows}
    assert {"visit", "interest", "note"} <= kinds
    assert {r["staff_id"] for r in rows} <= {"A01", "A02", "A03"}
    assert "M00000001" not in {r["member_id"] for r in rows}  # the hero's coupon stays
    for sale in (r for r in rows if r["kind"] == "sale"):
        assert all(item["price_cents"] > 0 for item in sale["payload"]["items"])
    assert seed_demo_day(terminal) == day and len(outbox_rows()) == len(rows)  # once


def test_demo_day_redeems_only_coupons_valid_at_the_time(terminal: Any, outbox_rows: Any) -> None:
    """The demo started days after its cache was filled: last week's redemptions are of
    coupons that had started by then (the hub refuses the others: "needs a manager")."""
    from demoworld.day import seed_demo_day

    seed_demo_day(terminal, now=int(terminal.clock()) + 6 * 86_400)
    redeemed = [r for r in outbox_rows() if r["kind"] == "redeem"]
    assert redeemed
    for r in redeemed:
        valid_from, expires_at = terminal.cache.execute(
            "SELECT valid_from, expires_at FROM coupons WHERE id = ?",
            (r["payload"]["coupon_id"],),
        ).fetchone()
        assert valid_from <= r["created_at"] < expires_at


def unnamed_controls(root: Any) -> list[str]:
    """Visible controls without an accessible name (screen readers would say nothing)."""
    from ui.qt import QAbstractButton, QAbstractItemView, QComboBox, QLineEdit, QWidget

    out = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, QAbstractButton | QLineEdit | QComboBox | QAbstractItemView):
            continue
        if not w.isVisible() or w.objectName().startswith("qt_"):
            continue
        if isinstance(w.parentWidget(), QLineEdit | QComboBox):
            continue  # Qt's own parts of a control
        if not w.accessibleName():
            out.append(f"{type(w).__name__}#{w.objectName()}")
    return out


def test_every_new_control_has_an_accessible_name(qtbot: Any, app: Any) -> None:
    w = app.window
    assert unnamed_controls(w) == []  # the sign-in page
    sign_in(qtbot, app, "M01")
    assert unnamed_controls(w) == []  # the scan page with the manager's buttons
    w.nav.show_settings()
    assert w.screens.settings_view.terminal_card.isVisible()
    assert unnamed_controls(w) == []
    w.nav.show_dashboard()
    qtbot.waitUntil(lambda: w.screens.dashboard.data is not None, timeout=10_000)
    assert unnamed_controls(w) == []


def test_an_app_that_cannot_start_says_why_on_screen(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started from its desktop icon nobody sees stderr: the reason comes up in a window."""
    import gc

    from clerk import cli, instance, logs
    from clerk.instance import InstanceLockedError
    from ui import app as app_mod
    from ui.qt import QApplication, QLocale, QTranslator

    locale = QLocale()
    box = app_mod.start_error_box(InstanceLockedError("already open by process 4242", pid=4242))
    qtbot.addWidget(box)
    try:
        assert box.text() == "Omni Clerk cannot start."
        assert "already open on this terminal" in box.informativeText()
        assert box.detailedText() == "already open by process 4242"  # for IT
    finally:  # the box's catalogues and locale must not outlive this test
        for translator in box.findChildren(QTranslator):
            QApplication.removeTranslator(translator)
        QLocale.setDefault(locale)
    assert not app_mod.can_show_windows()  # offscreen: tests and benchmarks never block on it

    shown: list[str] = []
    monkeypatch.setattr(app_mod, "show_start_error", lambda exc: shown.append(exc.reason))
    home = tmp_path / "home"
    monkeypatch.setenv("CLERK_HOME", str(home))
    collecting = gc.isenabled()  # off here: the app's GuiThreadGc collects on the GUI thread
    with instance.acquire(home):  # another instance has the terminal open
        try:
            assert cli.main([]) != 0
        finally:
            (gc.enable if collecting else gc.disable)()  # the app start turns it off
            logs.teardown_logging()
    assert shown == ["already_running"]


def test_an_app_that_fails_unexpectedly_logs_it_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug at start-up: the traceback goes to the log, the person gets one line and a window —
    never a bare traceback, never nothing."""
    import gc

    from clerk import cli, logs
    from ui import app as app_mod

    def broken(*_args: Any, **_kwargs: Any) -> int:
        raise RuntimeError("a bug")

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(app_mod, "run_app", broken)
    monkeypatch.setattr(
        app_mod, "show_start_error", lambda exc: shown.append((exc.reason, str(exc)))
    )
    home = tmp_path / "home"
    monkeypatch.setenv("CLERK_HOME", str(home))
    collecting = gc.isenabled()
    try:
        assert cli.main([]) == 1
    finally:
        (gc.enable if collecting else gc.disable)()
        logs.teardown_logging()
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["clerk: the app stopped: RuntimeError: a bug (details in the log)"]
    assert shown == [("error", "RuntimeError: a bug")]
    log = (home / "logs" / "terminal.log").read_text(encoding="utf-8")
    assert "the app stopped" in log and "Traceback" in log and "RuntimeError: a bug" in log
