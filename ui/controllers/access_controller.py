"""Who is at the terminal: the sign-in screen in the main window, and the staff session.

:class:`AccessController` hosts the sign-in screen (``ui.screens.signin_screen``: the view and
its :class:`~ui.controllers.signin_controller.SignInController`) in the window and locks the
window (``MainWindow.require_signin``). A good PIN starts the session
(``MainWindow.start_session``: the staff id goes on every record, a manager gets the
dashboard); the idle auto-lock, the lock button and Ctrl+Shift+L end it
(``MainWindow.end_session``: the customer on screen is forgotten) and bring the sign-in screen
back. The audit rows (``signin``, ``signout``, ``lockout``) are written by the sign-in
controller's :class:`~clerk.ports.StaffDoor` on its worker.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from clerk.staff import Session
from ui.controllers.signin_controller import SignInController
from ui.qt import QObject, Qt, Signal

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)


class AccessController(QObject):
    signed_in = Signal(object)  # Session
    ended = Signal(object)  # the Session that idled out or signed out

    def __init__(
        self, window: MainWindow, signin: SignInController, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.window = window
        self.signin = signin
        window.nav.add_page(signin.view)
        window.require_signin()
        signin.signed_in.connect(self._signed_in)
        signin.locked.connect(self._ended)
        signin.signed_out.connect(self._ended)
        window.sign_out_requested.connect(signin.sign_out)
        window.settings_saved.connect(self._settings_saved)

    @property
    def session(self) -> Session | None:
        return self.signin.session

    def show_signin(self) -> None:
        """The sign-in screen, with a fresh staff list (a sync may have changed it)."""
        self.signin.load_roster()
        self.window.nav.show_page(self.signin.view)
        view = self.signin.view
        target = view.pin if self.signin.staff_id else view.staff_list
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def sign_in_without_pin(self, session: Session) -> None:
        """Start ``session`` as if its PIN had been entered (the demo only: no PIN is
        checked and no ``signin`` row is audited). The idle lock then applies as usual."""
        self.signin.start_without_pin(session)

    def _signed_in(self, session: Session) -> None:
        log.info("signed in: %s (%s)", session.staff_id, session.role)
        self.window.start_session(session)
        self.signed_in.emit(session)

    def _ended(self, session: Session) -> None:
        log.info("session of %s ended", session.staff_id)
        self.window.end_session()
        self.show_signin()
        self.ended.emit(session)

    def _settings_saved(self, saved: dict[str, Any]) -> None:
        if "idle_lock_minutes" in saved:
            self.signin.set_idle_minutes(float(saved["idle_lock_minutes"]))

    def shutdown(self, wait_ms: int = 10_000) -> None:
        self.signin.shutdown(wait_ms)
