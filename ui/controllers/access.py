"""Who is at the terminal: the sign-in page in the main window, and the staff session.

:class:`AccessController` hosts :class:`~ui.controllers.signin_controller.SignInPage` in the
window and locks the window (``MainWindow.require_signin``). A good PIN starts the session
(``MainWindow.start_session``: the staff id goes on every record, a manager gets the
dashboard); the idle auto-lock, the lock button and Ctrl+Shift+L end it
(``MainWindow.end_session``: the customer on screen is forgotten) and bring the sign-in page
back. The audit rows (``signin``, ``signout``, ``lockout``) are written by
:class:`clerk.staff.StaffAuth` on the sign-in page's worker.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from clerk.staff import Session, StaffAuth
from ui.controllers.signin_controller import SignInPage
from ui.main_window import MainWindow
from ui.qt import QApplication, QObject, Qt, Signal

log = logging.getLogger(__name__)


class AccessController(QObject):
    signed_in = Signal(object)  # Session
    ended = Signal(object)  # the Session that idled out or signed out

    def __init__(
        self,
        window: MainWindow,
        auth: StaffAuth,
        *,
        idle_minutes: float = 5,
        clock: Callable[[], float] = time.monotonic,
        check_ms: int = 1000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.window = window
        self.auth = auth
        self.page = SignInPage(
            auth, idle_minutes=idle_minutes, clock=clock, check_ms=check_ms, parent=window.pages
        )
        window.add_page(self.page)
        window.require_signin()
        self.page.signed_in.connect(self._signed_in)
        self.page.locked.connect(self._ended)
        self.page.signed_out.connect(self._ended)
        window.sign_out_requested.connect(self.page.sign_out)
        window.settings_saved.connect(self._settings_saved)

    @property
    def session(self) -> Session | None:
        return self.page.session

    def show_signin(self) -> None:
        """The sign-in page, with a fresh staff list (a sync may have changed it)."""
        self.page.refresh_roster()
        self.window.show_page(self.page)
        view = self.page.view
        target = view.pin if self.page.controller.staff_id else view.staff_list
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def sign_in_without_pin(self, session: Session) -> None:
        """Start ``session`` as if its PIN had been entered (the demo only: no PIN is
        checked and no ``signin`` row is audited). The idle lock then applies as usual."""
        self.page.guard.start(session)
        self._signed_in(session)

    def _signed_in(self, session: Session) -> None:
        log.info("signed in: %s (%s)", session.staff_id, session.role)
        self.window.start_session(session)
        self.signed_in.emit(session)

    def _ended(self, session: Session) -> None:
        log.info("session of %s ended", session.staff_id)
        self.window.end_session()
        self.show_signin()
        self.ended.emit(session)

    def set_idle_minutes(self, minutes: float) -> None:
        """The ``idle_lock_minutes`` setting changed: the running session follows at once."""
        self.page.idle_minutes = minutes
        self.page.guard.idle.timeout_s = float(minutes) * 60.0

    def _settings_saved(self, saved: dict[str, Any]) -> None:
        if "idle_lock_minutes" in saved:
            self.set_idle_minutes(float(saved["idle_lock_minutes"]))

    def shutdown(self, wait_ms: int = 10_000) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.page.guard)  # a session still open at exit
        self.page.shutdown(wait_ms)
        self.auth.close()
