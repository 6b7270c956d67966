"""The sign-in screen: PIN pad and keyboard, refusals, lockout, the idle auto-lock.

PINs are checked on the screen's worker thread (awaited with ``qtbot.waitSignal``); one fake
clock drives the StaffAuth lockout, the countdown and the IdleLock. Any Qt warning fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from clerk import audit, db
from clerk.cache import apply_changes, open_cache
from clerk.db import Transaction
from clerk.outbox import open_outbox
from clerk.shared.pins import hash_pin
from clerk.staff import Session, StaffAuth
from ui import theme
from ui.controllers.signin_controller import SignInController
from ui.models.staff_model import StaffModel
from ui.qt import Qt, QtMsgType, qInstallMessageHandler
from ui.screens import signin_screen
from ui.views.signin_view import KEY_SIZE
from ui.wedge import WedgeFilter

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before pytest-qt makes the app

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
T0 = 1_763_600_000.0
PLATFORM_NOTES = ("This plugin does not support propagateSizeHints()",)


@pytest.fixture(autouse=True)
def fail_on_qt_warnings() -> Iterator[list[str]]:
    """Any qWarning/qCritical fails the test (overrides tests/ui/conftest.py's fixture of the
    same name only to let the offscreen platform's note about size hints through)."""
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


class FakeClock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("signin-template")
    cache = open_cache(home / "cache.db")
    try:
        with Transaction(cache):
            apply_changes(
                cache,
                [
                    {
                        "entity": "staff",
                        "op": "upsert",
                        "key": sid,
                        "data": {
                            "id": sid,
                            "name": name,
                            "role": role,
                            "active": active,
                            "pin_hash": hash_pin(pin, role, FAST),
                            "updated_at": 0,
                        },
                    }
                    for sid, name, role, pin, active in (
                        ("A01", "Wang Fang", "associate", "1234", True),
                        ("M01", "Zhou Jianhua", "manager", "246810", True),
                        ("A09", "Gone", "associate", "5555", False),
                    )
                ],
            )
        cache.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        cache.close()
    open_outbox(home / "outbox.db").close()
    return home


@pytest.fixture
def home(template: Path, tmp_path: Path) -> Path:
    for name in ("cache.db", "outbox.db", ".db.key"):  # the files and their key
        (tmp_path / name).write_bytes((template / name).read_bytes())
    return tmp_path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def auth(home: Path, clock: FakeClock) -> Iterator[StaffAuth]:
    a = StaffAuth.open(home, clock)
    yield a
    a.close()


@pytest.fixture
def wedge(qapp: Any, clock: FakeClock) -> Iterator[WedgeFilter]:
    """The app's one application-wide filter, installed as the app installs it: it stamps the
    last input for the idle lock on the fake clock. Its scanner part is off (these tests type
    PINs key by key and read the field at once); the stamp does not depend on it."""
    w = WedgeFilter(input_clock=clock)
    w.enabled = False
    qapp.installEventFilter(w)
    yield w
    qapp.removeEventFilter(w)


@pytest.fixture
def page(
    qtbot: Any, auth: StaffAuth, clock: FakeClock, wedge: WedgeFilter
) -> Iterator[SignInController]:
    p = signin_screen(auth, inputs=wedge, idle_minutes=5, clock=clock, check_ms=20)
    qtbot.addWidget(p.view)
    p.view.resize(720, 1100)
    p.view.show()
    qtbot.waitUntil(lambda: p.view.staff_model.rowCount() == 2, timeout=5000)
    yield p
    p.shutdown()


def _audit(home: Path) -> list[tuple[str, str | None, Any]]:
    conn = db.inspect(home / "outbox.db")  # encrypted at rest
    try:
        return [
            (r[0], r[1], r[2])
            for r in conn.execute("SELECT action, staff_id, detail FROM audit_log ORDER BY seq")
        ]
    finally:
        conn.close()


def _pick(qtbot: Any, page: SignInController, staff_id: str) -> None:
    view = page.view
    row = view.staff_model.row_of(staff_id)
    rect = view.staff_list.visualRect(view.staff_model.index(row, 0))
    qtbot.mouseClick(view.staff_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.staff_id == staff_id


def _tap_pin(qtbot: Any, page: SignInController, pin: str) -> None:
    for digit in pin:
        qtbot.mouseClick(page.view.pad.keys[digit], Qt.MouseButton.LeftButton)


def _try(qtbot: Any, page: SignInController, pin: str) -> Any:
    _tap_pin(qtbot, page, pin)
    with qtbot.waitSignal(page.refused, timeout=5000) as blocker:
        qtbot.mouseClick(page.view.submit, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_roster_lists_active_staff_only(page: SignInController) -> None:
    model = page.view.staff_model
    assert [model.row_at(r).id for r in range(model.rowCount())] == ["A01", "M01"]
    assert model.index(1, 0).data(StaffModel.Role) == "manager"
    assert page.view.staff_list.isVisible() and not page.view.staff_empty.isVisible()


def test_no_staff_says_so_once_loaded_never_while_loading(
    qtbot: Any, tmp_path: Path, clock: FakeClock, wedge: WedgeFilter
) -> None:
    open_cache(tmp_path / "cache.db").close()  # a terminal whose staff has not synced yet
    open_outbox(tmp_path / "outbox.db").close()
    auth = StaffAuth.open(tmp_path, clock)
    page = signin_screen(auth, inputs=wedge, idle_minutes=5, clock=clock, check_ms=20)
    qtbot.addWidget(page.view)
    loaded: list[int] = []
    page.roster_loaded.connect(loaded.append)
    try:
        # Built, the roster still loading on the worker: no "no staff" message yet.
        assert page.view.staff_empty.isHidden() and loaded == []
        page.view.resize(720, 1100)
        page.view.show()
        qtbot.waitUntil(lambda: loaded == [0], timeout=5000)
        assert page.view.staff_empty.isVisible() and not page.view.staff_list.isVisible()
        assert "sync with the hub" in page.view.staff_empty.text()
    finally:
        page.shutdown()
        auth.close()


def test_touch_targets_are_big_enough(qtbot: Any, page: SignInController) -> None:
    page.view.setStyleSheet(theme.style_sheet())  # measured with the app's theme
    qtbot.waitUntil(lambda: page.view.pad.keys["5"].height() >= KEY_SIZE, timeout=2000)
    for key in page.view.pad.keys.values():
        assert key.width() >= 44 and key.height() >= 44
        assert key.minimumWidth() >= KEY_SIZE and key.minimumHeight() >= KEY_SIZE
    assert page.view.submit.height() >= 44
    rect = page.view.staff_list.visualRect(page.view.staff_model.index(0, 0))
    assert rect.height() >= 44


def test_sign_in_with_the_pin_pad(qtbot: Any, page: SignInController, home: Path) -> None:
    _pick(qtbot, page, "M01")
    _tap_pin(qtbot, page, "249")
    qtbot.mouseClick(page.view.pad.keys["back"], Qt.MouseButton.LeftButton)
    _tap_pin(qtbot, page, "6810")
    assert page.view.pin.text() == "246810"
    assert page.view.pin.echoMode() == page.view.pin.EchoMode.Password
    with qtbot.waitSignal(page.signed_in, timeout=5000) as blocker:
        qtbot.mouseClick(page.view.submit, Qt.MouseButton.LeftButton)
    session = blocker.args[0]
    assert session == Session("M01", "Zhou Jianhua", "manager", int(T0))
    assert page.session == session
    assert page.view.pin.text() == ""  # never kept after use
    assert _audit(home)[-1][:2] == ("signin", "M01")


def test_sign_in_with_the_keyboard_only(qtbot: Any, page: SignInController) -> None:
    lst = page.view.staff_list
    lst.setFocus()
    lst.setCurrentIndex(page.view.staff_model.index(0, 0))
    qtbot.keyClick(lst, Qt.Key.Key_Down)
    qtbot.keyClick(lst, Qt.Key.Key_Return)
    assert page.staff_id == "M01"
    pin = page.view.pin
    qtbot.keyClicks(pin, "24x6-8 10")  # only digits reach the PIN
    assert pin.text() == "246810"
    qtbot.keyClick(pin, Qt.Key.Key_Escape)
    assert pin.text() == ""
    qtbot.keyClicks(pin, "246810")
    with qtbot.waitSignal(page.signed_in, timeout=5000) as blocker:
        qtbot.keyClick(pin, Qt.Key.Key_Return)
    assert blocker.args[0].staff_id == "M01"


def test_wrong_pin_then_lockout_with_countdown(
    qtbot: Any, page: SignInController, clock: FakeClock, home: Path
) -> None:
    _pick(qtbot, page, "A01")
    exc = _try(qtbot, page, "0000")
    assert (exc.reason, exc.attempts_left) == ("wrong_pin", 4)
    assert page.view.message.text() == "Wrong PIN. 4 attempt(s) left."
    for _ in range(3):
        _try(qtbot, page, "0000")
    exc = _try(qtbot, page, "0000")
    assert (exc.reason, exc.seconds_remaining) == ("locked", 30)
    assert page.view.message.text() == "Too many wrong PINs. Try again in 30 second(s)."
    assert not page.view.pad.isEnabled() and not page.view.pin.isEnabled()
    clock.advance(12)
    page.countdown.timeout.emit()
    assert page.view.message.text() == "Too many wrong PINs. Try again in 18 second(s)."
    clock.advance(18)
    page.countdown.timeout.emit()
    assert page.view.pad.isEnabled() and page.view.message.text() == "You can try again now."
    _tap_pin(qtbot, page, "1234")
    with qtbot.waitSignal(page.signed_in, timeout=5000):
        qtbot.mouseClick(page.view.submit, Qt.MouseButton.LeftButton)
    actions = [a for a, _, _ in _audit(home)]
    assert actions.count("signin_failed") == 5 and actions.count("lockout") == 1


def test_lockout_is_remembered_by_a_new_page(
    qtbot: Any, page: SignInController, home: Path, clock: FakeClock, wedge: WedgeFilter
) -> None:
    _pick(qtbot, page, "A01")
    for _ in range(5):
        _try(qtbot, page, "1111")
    page.shutdown()
    again = StaffAuth.open(home, clock)
    fresh = signin_screen(again, inputs=wedge, clock=clock)
    qtbot.addWidget(fresh.view)
    try:
        qtbot.waitUntil(lambda: fresh.view.staff_model.rowCount() == 2, timeout=5000)
        fresh.select("A01")
        _tap_pin(qtbot, fresh, "1234")
        with qtbot.waitSignal(fresh.refused, timeout=5000) as blocker:
            fresh.submit()
        assert blocker.args[0].reason == "locked"
    finally:
        fresh.shutdown()
        again.close()


def test_unknown_staff_and_empty_pin(qtbot: Any, page: SignInController) -> None:
    page.submit()
    assert page.view.message.text() == "Choose your name first."
    page.staff_id = "ZZZ"
    page.submit()
    assert page.view.message.text() == "Enter your PIN."
    page.view.pin.setText("1234")
    with qtbot.waitSignal(page.refused, timeout=5000) as blocker:
        page.submit()
    assert blocker.args[0].reason == "unknown_staff"
    assert page.view.message.text().startswith("Unknown staff member")


def _sign_in(qtbot: Any, page: SignInController, staff_id: str, pin: str) -> Session:
    _pick(qtbot, page, staff_id)
    _tap_pin(qtbot, page, pin)
    with qtbot.waitSignal(page.signed_in, timeout=5000) as blocker:
        qtbot.mouseClick(page.view.submit, Qt.MouseButton.LeftButton)
    session: Session = blocker.args[0]
    return session


def test_idle_lock_ends_the_session(
    qtbot: Any, page: SignInController, clock: FakeClock, home: Path
) -> None:
    session = _sign_in(qtbot, page, "A01", "1234")
    clock.advance(4 * 60)
    # any input anywhere resets the idle time
    qtbot.keyClick(page.view.title, Qt.Key.Key_Shift)
    clock.advance(4 * 60)
    page.guard.check()
    assert page.session == session  # 4 min since the last key: still signed in
    qtbot.mouseMove(page.view.title)  # a mouse move counts too
    clock.advance(4 * 60)
    page.guard.check()
    assert page.session == session  # 4 min since the mouse moved: still signed in
    with qtbot.waitSignal(page.locked, timeout=5000) as blocker:
        clock.advance(61)  # the guard's timer (20 ms here) notices
    assert blocker.args[0] == session
    assert page.session is None
    assert page.view.message.text() == "Locked after 5 minute(s) without use. Sign in again."
    assert page.staff_id == "A01" and page.view.pin.text() == ""
    qtbot.waitUntil(lambda: _audit(home)[-1][0] == "signout", timeout=5000)
    assert '"reason":"idle"' in _audit(home)[-1][2]


def test_manual_sign_out_is_audited(qtbot: Any, page: SignInController, home: Path) -> None:
    session = _sign_in(qtbot, page, "M01", "246810")
    with qtbot.waitSignal(page.signed_out, timeout=5000) as blocker:
        page.sign_out()
    assert blocker.args[0] == session and page.session is None
    qtbot.waitUntil(lambda: _audit(home)[-1][0] == "signout", timeout=5000)
    assert '"reason":"manual"' in _audit(home)[-1][2]
    conn = open_outbox(home / "outbox.db")
    try:
        assert audit.verify(conn).ok
    finally:
        conn.close()
