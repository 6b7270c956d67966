"""The sign-in screen: staff sign-in and the idle auto-lock.

:class:`SignInController` checks a PIN through a :class:`clerk.ports.StaffDoor` (the terminal,
whose sign-in rows go through its one outbox writer) on this screen's worker thread (argon2
takes tens of milliseconds) and says why a sign-in was refused — wrong PIN with the attempts
left, locked out with a countdown, disabled, unknown. Its :class:`SessionGuard` holds the
signed-in session: every key, click or touch anywhere in the app is stamped by the app's one
application-wide event filter (:attr:`ui.wedge.WedgeFilter.last_input`), which the guard hands
to the :class:`clerk.staff.IdleLock` when its timer fires; when the lock expires the session
ends (audited ``signout``, reason ``idle``). The controller emits ``signed_in(Session)``,
``locked(Session)`` (the idle lock) and ``signed_out(Session)``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from clerk.errors import ClerkError
from clerk.staff import IdleLock, Session, SignInError, StaffMember
from ui.models.staff_model import StaffModel
from ui.qt import (
    QObject,
    Qt,
    QTimer,
    Signal,
    is_alive,
    translate,
)
from ui.views.signin_view import SignInView
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from clerk.ports import StaffDoor

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class LastInput(Protocol):
    """Where the time of the last user input is read (:class:`ui.wedge.WedgeFilter`, installed
    on the application, stamps it on the idle lock's clock)."""

    @property
    def last_input(self) -> float: ...


def refusal_text(exc: SignInError) -> str:
    """The sentence for a refused sign-in, by its reason code."""
    if exc.reason == "wrong_pin":
        return translate("SignIn", "Wrong PIN. %n attempt(s) left.", None, exc.attempts_left or 0)
    if exc.reason == "locked":
        return translate(
            "SignIn",
            "Too many wrong PINs. Try again in %n second(s).",
            None,
            exc.seconds_remaining or 0,
        )
    if exc.reason == "disabled":
        return translate("SignIn", "This account is disabled. Ask your manager.")
    if exc.reason == "unknown_staff":
        return translate("SignIn", "Unknown staff member. Sync with the hub and try again.")
    if exc.reason == "no_pin":
        return translate("SignIn", "No PIN is set for this account yet. Ask HQ to set one.")
    return translate("SignIn", "Sign-in refused: %1").replace("%1", str(exc))


class SignInController(QObject):
    """``signed_in(Session)`` after a good PIN; ``locked(Session)`` when the idle lock ended
    the session (the screen is then reset, showing why); ``signed_out(Session)`` after
    :meth:`sign_out`. ``idle_minutes`` is the ``idle_lock_minutes`` setting;
    ``inputs`` stamps the last user input on ``clock`` (the app's :class:`ui.wedge.WedgeFilter`)."""

    signed_in = Signal(object)  # Session
    locked = Signal(object)  # the Session the idle lock ended
    signed_out = Signal(object)  # the Session signed out by hand
    refused = Signal(object)  # SignInError
    roster_loaded = Signal(int)  # how many staff may sign in

    def __init__(
        self,
        auth: StaffDoor,
        view: SignInView,
        runner: TaskRunner,
        *,
        inputs: LastInput,
        idle_minutes: float = 5,
        clock: Clock = time.monotonic,
        check_ms: int = 1000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.auth = auth
        self.view = view
        self.runner = runner
        self.clock = clock
        self.idle_minutes = idle_minutes
        self.guard = SessionGuard(
            auth, runner, IdleLock(clock, idle_minutes), inputs, check_ms=check_ms, parent=self
        )
        self.guard.locked.connect(self._locked)
        self.guard.signed_out.connect(self._signed_out)
        self.staff_id: str | None = None
        self.locked_until: float | None = None
        self._checking = False
        self.countdown = QTimer(self)
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self._tick)

        self.model: StaffModel = view.staff_model
        view.staff_list.clicked.connect(self._picked)
        view.staff_list.activated.connect(self._picked)
        view.pad.digit.connect(self.press_digit)
        view.pad.backspace.connect(self.view.pin.backspace)
        view.pad.clear.connect(self.view.pin.clear)
        view.pin.returnPressed.connect(self.submit)
        view.submit.clicked.connect(self.submit)
        self.reset()

    @property
    def session(self) -> Session | None:
        return self.guard.session

    def set_idle_minutes(self, minutes: float) -> None:
        """The ``idle_lock_minutes`` setting changed: the running session follows at once."""
        self.idle_minutes = minutes
        self.guard.idle.timeout_s = float(minutes) * 60.0

    def sign_out(self) -> None:
        """End the session now (audited ``signout``, reason ``manual``)."""
        self.guard.sign_out()

    def shutdown(self, wait_ms: int = 10_000) -> None:
        self.guard.timer.stop()
        self.runner.wait_idle(wait_ms)

    # --- roster ----------------------------------------------------------------------------------

    def load_roster(self) -> None:
        self.runner.submit(self.auth.roster, self._roster_loaded, self._failed)

    def _roster_loaded(self, roster: list[StaffMember]) -> None:
        if not is_alive(self.view):
            return
        self.model.set_rows(roster)
        self.view.staff_empty.setVisible(not roster)
        self.view.staff_list.setVisible(bool(roster))
        if self.staff_id is not None:
            row = self.model.row_of(self.staff_id)
            if row < 0:
                self.select(None)
            else:  # keep the choice across a reload (the PIN, the message, a lockout stay)
                self.view.staff_list.setCurrentIndex(self.model.index(row, 0))
                self.view.who.setText(self.model.row_at(row).name)
                self.view.who.setVisible(True)
        self.roster_loaded.emit(len(roster))

    # --- input -----------------------------------------------------------------------------------

    def _picked(self, index: Any) -> None:
        sid = index.data(StaffModel.StaffId)
        if isinstance(sid, str):
            self.select(sid)

    def select(self, staff_id: str | None) -> None:
        self.staff_id = staff_id
        self.view.pin.clear()
        self.locked_until = None
        self.countdown.stop()
        self.view.set_locked(False)
        row = self.model.row_of(staff_id) if staff_id else -1
        name = self.model.row_at(row).name if row >= 0 else None
        self.view.who.setText(name or "")
        self.view.who.setVisible(bool(name))
        self.view.set_message(
            translate("SignIn", "Enter your PIN.")
            if name
            else translate("SignIn", "Choose your name first.")
        )
        if row >= 0:
            self.view.staff_list.setCurrentIndex(self.model.index(row, 0))
            self.view.pin.setFocus(Qt.FocusReason.OtherFocusReason)
            QTimer.singleShot(0, self.view, self.view.reveal_pin)  # once laid out

    def press_digit(self, digit: str) -> None:
        if self.view.pin.isEnabled():
            self.view.pin.insert(digit)

    def reset(self, message: str = "") -> None:
        """Back to an empty PIN (after a sign-in, a lock, a sign-out)."""
        self.view.pin.clear()
        self.countdown.stop()
        self.locked_until = None
        self.view.set_locked(False)
        self.view.set_message(message or translate("SignIn", "Choose your name first."))

    # --- checking the PIN (worker thread) --------------------------------------------------------

    def submit(self) -> None:
        if self._checking or not self.view.pin.isEnabled():
            return
        pin = self.view.pin.text()
        if self.staff_id is None:
            self.view.set_message(translate("SignIn", "Choose your name first."))
            return
        if not pin:
            self.view.set_message(translate("SignIn", "Enter your PIN."))
            return
        staff_id = self.staff_id
        self._checking = True
        self.view.submit.setEnabled(False)
        self.view.set_message(translate("SignIn", "Checking…"))
        self.runner.submit(lambda: self.auth.sign_in(staff_id, pin), self._accepted, self._refused)

    def _accepted(self, session: Session) -> None:
        self._checking = False
        if not is_alive(self.view):
            return
        self.view.submit.setEnabled(True)
        self.reset()
        self.guard.start(session)
        self.signed_in.emit(session)

    def start_without_pin(self, session: Session) -> None:
        """Start ``session`` as if its PIN had been entered (the demo only: no PIN is checked
        and no ``signin`` row is audited). The idle lock then applies as usual."""
        self.guard.start(session)
        self.signed_in.emit(session)

    def _locked(self, session: Session) -> None:
        self.select(session.staff_id)  # the same person most likely comes back
        self.view.set_message(
            translate(
                "SignIn",
                "Locked after %n minute(s) without use. Sign in again.",
                None,
                int(self.idle_minutes),
            )
        )
        self.locked.emit(session)

    def _signed_out(self, session: Session) -> None:
        self.reset()
        self.signed_out.emit(session)

    def _refused(self, exc: BaseException) -> None:
        self._checking = False
        if not isinstance(exc, ClerkError):
            raise exc
        if not is_alive(self.view):
            return
        self.view.submit.setEnabled(True)
        self.view.pin.clear()
        if isinstance(exc, SignInError):
            if exc.reason == "locked" and exc.seconds_remaining:
                self.locked_until = self.clock() + exc.seconds_remaining
                self.view.set_locked(True)
                self.countdown.start()
            self.view.set_message(refusal_text(exc), "hint")
            self.refused.emit(exc)
        else:
            self._failed(exc)

    def _tick(self) -> None:
        if self.locked_until is None:
            self.countdown.stop()
            return
        left = round(self.locked_until - self.clock())
        if left <= 0:
            self.locked_until = None
            self.countdown.stop()
            self.view.set_locked(False)
            self.view.set_message(translate("SignIn", "You can try again now."))
            self.view.pin.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.view.set_message(
            translate("SignIn", "Too many wrong PINs. Try again in %n second(s).", None, left)
        )

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, ClerkError):
            raise exc
        log.warning("sign-in: %s", exc)
        if is_alive(self.view):
            self.view.set_message(
                translate("SignIn", "Sign-in unavailable: %1").replace("%1", str(exc))
            )


class SessionGuard(QObject):
    """The signed-in session and the idle auto-lock that ends it: every ``check_ms`` the last
    input ``inputs`` stamped is handed to the lock, then the lock is asked (no event filter of
    its own: the app's one filter stamps the input)."""

    locked = Signal(object)  # the Session that idled out
    signed_out = Signal(object)  # the Session signed out by hand

    def __init__(
        self,
        auth: StaffDoor,
        runner: TaskRunner,
        idle: IdleLock,
        inputs: LastInput,
        *,
        check_ms: int = 1000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.auth = auth
        self.runner = runner
        self.idle = idle
        self.inputs = inputs
        self.session: Session | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(check_ms)
        self.timer.timeout.connect(self.check)

    def start(self, session: Session) -> None:
        self.session = session
        self.idle.touch()  # input before the session (the PIN typed) counts no longer
        self.timer.start()

    def check(self) -> None:
        """Lock if the terminal has been idle long enough (the timer calls this)."""
        if self.session is None:
            return
        self.idle.touched_at(self.inputs.last_input)
        if self.idle.expired():
            session = self._end("idle")
            self.locked.emit(session)

    def sign_out(self) -> None:
        if self.session is not None:
            self.signed_out.emit(self._end("manual"))

    def _end(self, reason: str) -> Session:
        session = self.session
        assert session is not None
        self.session = None
        self.timer.stop()
        self.runner.submit(lambda: self.auth.sign_out(session, reason), None, self._audit_failed)
        return session

    def _audit_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, ClerkError):
            raise exc
        log.warning("sign-out not audited: %s", exc)
