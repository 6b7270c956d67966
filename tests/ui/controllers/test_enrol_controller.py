"""First start against a real hub on loopback: the enrolment page, its refusals, the first
download with progress, then the sign-in page with the store's staff.

The hub (``sync.hub.embedded.running_hub``, 50 members of the demo world seeded) runs in this
process on a free port of 127.0.0.1; the terminal starts from an empty data directory. Any Qt
warning fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demoworld import world
from sync.enrolment import parse_enrol_payload
from ui.qt import Qt
from ui.views.enrol_view import EnrolView


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from demoworld.seed import seed_if_empty
    from sync.hub.embedded import running_hub

    db = str(tmp_path_factory.mktemp("hub") / "hub.db")
    seed_if_empty(db, members=50)
    with running_hub(db) as h:
        yield h


@pytest.fixture
def fresh(qtbot: Any, tmp_path: Path) -> Iterator[Any]:
    """The app on a terminal that was never enrolled."""
    from clerk.terminal import Terminal
    from ui.app import build_app

    terminal = Terminal(tmp_path / "terminal")
    s = build_app(terminal, None, lang="en", layout="desktop")
    qtbot.addWidget(s.window)
    s.window.resize(1366, 860)
    s.window.show()
    qtbot.waitExposed(s.window)
    try:
        yield s
    finally:
        s.runners.wait()
        s.close()
        terminal.close()


def _type(qtbot: Any, editor: Any, text: str) -> None:
    editor.setFocus()
    editor.clear()
    qtbot.keyClicks(editor, text)
    qtbot.waitUntil(lambda: editor.text() == text, timeout=2_000)  # the scanner filter's gap


def _submit_and_fail(qtbot: Any, page: Any) -> Any:
    with qtbot.waitSignal(page.failed, timeout=15_000) as blocker:
        qtbot.mouseClick(page.view.submit, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_enrol_errors_are_shown_inline_and_nothing_is_lost(
    qtbot: Any, fresh: Any, hub: Any
) -> None:
    w = fresh.window
    page = fresh.enrol
    assert page is not None and w.pages.currentWidget() is page.view and w.nav.locked
    view: EnrolView = page.view
    qtbot.mouseClick(view.submit, Qt.MouseButton.LeftButton)  # nothing typed
    assert view.fields["hub_url"].error.text() == "Enter the hub address."
    assert view.fields["store_id"].error.text() == "Enter the store ID."
    assert view.fields["code"].error.text() == "Enter or scan the enrolment code."

    _type(qtbot, view.hub_url, "hub.example")  # not a URL: refused before any network
    _type(qtbot, view.store_id, "S001")
    _type(qtbot, view.code, "AAAA-BBBB-CCCC")
    qtbot.mouseClick(view.submit, Qt.MouseButton.LeftButton)
    assert view.fields["hub_url"].error.text().startswith("Enter the hub's full address")
    assert view.stage == "form"

    view.hub_url.setText("http://127.0.0.1:9")  # nothing listens there
    exc = _submit_and_fail(qtbot, page)
    assert exc.reason == "offline"
    assert view.fields["hub_url"].error.text().startswith("The hub does not answer")

    view.hub_url.setText(hub.url)  # the hub, but a code it never issued
    exc = _submit_and_fail(qtbot, page)
    assert view.fields["code"].error.text() == (
        "The hub does not accept this code for this store — check the store ID and the code."
    )
    assert view.fields["hub_url"].error.text() == ""
    assert (view.hub_url.text(), view.store_id.text(), view.code.text()) == (
        hub.url,
        "S001",
        "AAAA-BBBB-CCCC",
    )
    assert view.stage == "form" and view.code.isEnabled()
    assert fresh.window.terminal.status().device_id is None

    w.set_language("zh_CN")  # the same refusal in Chinese
    _submit_and_fail(qtbot, page)
    assert (
        view.fields["code"].error.text()
        == "总部不接受该门店使用此注册码 — 请核对门店编号和注册码。"
    )
    w.set_language("en")


def test_enrol_download_then_sign_in_shows_the_store_staff(
    qtbot: Any, fresh: Any, hub: Any
) -> None:
    w = fresh.window
    page = fresh.enrol
    view: EnrolView = page.view
    _type(qtbot, view.hub_url, hub.url + "/")
    _type(qtbot, view.store_id, "S001")
    _type(qtbot, view.device_name, "Counter 2")
    view.code.setFocus()
    w.inputs.on_wedge_scan(hub.enrol_code("S001"))  # the scanner reads the enrolment QR code
    assert parse_enrol_payload(view.code.text()).code == view.code.text()

    progress: list[tuple[int, Any, Any]] = []
    page.progressed.connect(lambda *args: progress.append(args))
    with qtbot.waitSignal(page.enrolled, timeout=15_000) as enrolled:
        qtbot.mouseClick(view.submit, Qt.MouseButton.LeftButton)
    creds = enrolled.args[0]
    assert (creds.store_id, creds.hub_url) == ("S001", hub.url)
    assert view.stage == "downloading" and not view.code.isEnabled()
    with qtbot.waitSignal(page.finished, timeout=60_000) as finished:
        pass
    report = finished.args[0]
    assert report.pulled.caught_up and report.pulled.changes > 0
    assert progress, "the first download reports its progress"
    done, remaining, _eta = progress[-1]
    assert done == report.pulled.changes and remaining == 0
    assert [d for d, _r, _e in progress] == sorted(d for d, _r, _e in progress)

    # On to sign-in, with the store's staff from the hub; the enrolment page is gone.
    signin = fresh.access.signin
    assert w.pages.currentWidget() is signin.view and fresh.enrol is None and w.nav.locked
    model = signin.view.staff_model
    qtbot.waitUntil(lambda: model.rowCount() == len(world.staff("S001")), timeout=5_000)
    names = {model.row_at(r).name for r in range(model.rowCount())}
    assert names == {s["name"] for s in world.staff("S001")}
    terminal = w.terminal
    status = terminal.status()
    assert status.device_id == creds.device_id and status.store_id == "S001"
    assert terminal.settings.get("hub_url") == hub.url
    assert terminal.settings.get("device_name") == "Counter 2"

    # The hub's PINs work: 王芳 signs in and is ready to scan.
    signin.select("A01")
    qtbot.keyClicks(signin.view.pin, "1234")
    qtbot.waitUntil(lambda: signin.view.pin.text() == "1234", timeout=2_000)
    with qtbot.waitSignal(w.session_started, timeout=10_000):
        qtbot.mouseClick(signin.view.submit, Qt.MouseButton.LeftButton)
    assert w.nav.page == "scan"
    assert w.status_bar.associate.text.text() == "Associate: 王芳 (A01)"


def test_records_sync_to_the_hub_from_the_running_app(qtbot: Any, hub: Any, tmp_path: Path) -> None:
    """The app's sync worker (started by the app) delivers what the signed-in associate
    records; the hub accepts the assisted sale the sale form builds."""
    from clerk.db import connect
    from clerk.terminal import Terminal
    from sync.local import engine_for, enroll
    from ui.app import build_app

    home = tmp_path / "terminal"
    enroll(home, hub.url, "S001", hub.enrol_code("S001"), device_name="counter")
    with engine_for(home) as engine:
        engine.sync_once()
    terminal = Terminal(home)
    s = build_app(terminal, lambda: engine_for(home), lang="en", layout="desktop")
    qtbot.addWidget(s.window)
    s.window.resize(1366, 860)
    s.window.show()
    qtbot.waitExposed(s.window)

    def states() -> dict[str, str]:
        conn = connect(home / "outbox.db", synchronous="NORMAL", readonly=True)
        try:
            return {r[0]: r[1] for r in conn.execute("SELECT kind, state FROM interactions")}
        finally:
            conn.close()

    try:
        w = s.window
        s.start_sync()
        signin = s.access.signin
        qtbot.waitUntil(lambda: signin.view.staff_model.rowCount() > 0, timeout=5_000)
        signin.select("A01")
        signin.view.pin.setText("1234")
        with qtbot.waitSignal(w.session_started, timeout=10_000):
            signin.submit()
        w.screens.scan_view.field.setText(hub.member_code(world.HERO_MEMBER_ID))
        with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
            qtbot.keyClick(w.screens.scan_view.field, Qt.Key.Key_Return)
        w.screens.customer.action("sale")
        suggested = w.screens.customer_view.composer.sale.picker.list  # the cart line
        first = suggested.model().index(0, 0)
        qtbot.mouseClick(
            suggested.viewport(),
            Qt.MouseButton.LeftButton,
            pos=suggested.visualRect(first).center(),
        )
        with qtbot.waitSignal(w.screens.customer.recorded, timeout=10_000):
            qtbot.mouseClick(w.screens.customer_view.composer.save, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: states() == {"visit": "acked", "sale": "acked"}, timeout=30_000)
        qtbot.waitUntil(
            lambda: w.status_bar.pending.text.text() == "All records synced", timeout=10_000
        )

        # A manager moves the terminal to another address of its hub: the sync worker is
        # restarted on an engine for the new address, and records keep flowing.
        with qtbot.waitSignal(s.access.ended, timeout=5_000):
            w.sign_out()
        signin.select("M01")
        signin.view.pin.setText("246810")
        with qtbot.waitSignal(w.session_started, timeout=10_000):
            signin.submit()
        old = s.sync
        w.nav.show_settings()
        moved = hub.url.replace("127.0.0.1", "localhost")
        w.screens.settings_view.hub_url.setText(moved)
        with qtbot.waitSignal(w.settings_saved, timeout=5_000):
            w.screens.settings.save()
        qtbot.waitUntil(lambda: s.sync is not None and s.sync is not old, timeout=20_000)
        assert str(s.sync.engine.client.base_url).startswith(moved)
        assert old is not None and not old.running
        w.nav.next_customer()
        w.screens.scan_view.field.setText(hub.member_code(world.HERO_MEMBER_ID))
        with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
            qtbot.keyClick(w.screens.scan_view.field, Qt.Key.Key_Return)
        w.screens.customer.record("note", {"text": "moved hub"})
        qtbot.waitUntil(lambda: states().get("note") == "acked", timeout=30_000)
    finally:
        s.runners.wait()
        s.close()
        terminal.close()


def test_the_enrolment_page_is_accessible(qtbot: Any, fresh: Any) -> None:
    from test_app import unnamed_controls

    assert unnamed_controls(fresh.window) == []
    qtbot.waitUntil(lambda: fresh.enrol.view.hub_url.hasFocus(), timeout=2_000)
