"""Where the window is: which screen shows, back and Esc, what the top bar offers there, and
the keyboard shortcuts.

Who is at the terminal decides what may show: once sign-in is required
(:meth:`Navigator.require_signin`) the window is *locked* while nobody is signed in — no
screen but a hosted one (sign-in, enrolment) can be reached. The manager's dashboard is
offered (button, Ctrl+D) to a manager's session only; anyone else is refused with a toast.
No modal dialog on the main path: the only dialog is the image-file picker (Ctrl+O).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from clerk.errors import PermissionDeniedError
from clerk.staff import Session, allowed
from ui import texts
from ui.controllers.layout_controller import LayoutController
from ui.controllers.status_controller import StatusController
from ui.i18n import Translations, fmt_datetime
from ui.messages import MessageBridge
from ui.qt import QKeySequence, QObject, QShortcut, Qt, QWidget, Signal, translate
from ui.views.window_view import WindowView

if TYPE_CHECKING:
    from clerk.ports import Opened, TerminalStatus
    from ui.screens import Screens

Slot = Callable[[], object]


def install_shortcuts(window: QWidget, table: Mapping[str, tuple[str, Slot]]) -> None:
    """One window-wide shortcut per entry: object name → (keys, slot)."""
    for name, (keys, slot) in table.items():
        shortcut = QShortcut(QKeySequence(keys), window)
        shortcut.setObjectName(name)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)


class Navigator(QObject):
    page_changed = Signal(str)

    def __init__(
        self,
        frame: WindowView,
        screens: Screens,
        layout: LayoutController,
        status: StatusController,
        translations: Translations,
        bridge: MessageBridge,
        *,
        clock: Callable[[], float] = time.time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.frame = frame
        self.top = frame.top
        self.pages = frame.pages
        self.screens = screens
        self.layout = layout
        self.status = status
        self.translations = translations
        self.bridge = bridge
        self.clock = clock
        self.session: Session | None = None  # the signed-in staff member
        self.signin_required = False
        self._previous_page = "scan"
        self.top.back.clicked.connect(self.go_back)
        self.top.settings_button.clicked.connect(self.show_settings)
        self.top.dashboard_button.clicked.connect(self.show_dashboard)
        self.top.client_book_button.clicked.connect(self.show_client_book)
        self.top.follow_ups_button.clicked.connect(self.show_follow_ups)

    # --- where we are -----------------------------------------------------------------------------

    @property
    def page(self) -> str:
        """scan | customer | settings | clientbook | followups | dashboard, or "other": a
        hosted screen (sign-in, enrolment), where scans and shortcuts wait."""
        return self.screens.name_of(self.pages.currentWidget())

    @property
    def locked(self) -> bool:
        """Sign-in is required and nobody is signed in: only hosted screens may show."""
        return self.signin_required and self.session is None

    @property
    def is_manager(self) -> bool:
        return self.session is not None and allowed(self.session, "dashboard")

    def require_signin(self) -> None:
        """From now on the window is locked whenever nobody is signed in."""
        self.signin_required = True
        self.sync_chrome()

    # --- the screens ------------------------------------------------------------------------------

    def show_scan(self) -> None:
        if self.locked:
            return
        view = self.screens.scan_view
        self.pages.setCurrentWidget(view)
        view.field.clear()
        view.field.setFocus()
        self.screens.scan.refresh_recent(int(self.clock()))
        self.sync_chrome()
        self.page_changed.emit("scan")

    def show_customer(self) -> None:
        if self.locked:
            return
        view = self.screens.customer_view
        self.pages.setCurrentWidget(view)
        self._camera_off()
        self.sync_chrome()
        first = view.talking.list
        if first.isVisible():
            first.setFocus()
        else:
            view.buttons["note"].setFocus()
        self.page_changed.emit("customer")

    def show_opened(self, opened: Opened) -> None:
        """A scan's outcome: the customer screen with it (nobody is served while locked)."""
        if self.locked:
            return  # looked up before the lock: nobody is there to serve
        self.screens.customer.show(opened)
        self.show_customer()
        if opened.visit is not None:
            self.status.refresh()

    def show_settings(self) -> None:
        if self.locked:
            return
        self._previous_page = self.page if self.page != "settings" else "scan"
        view = self.screens.settings_view
        self.pages.setCurrentWidget(view)
        self.screens.settings.sync_role()
        self.refresh_settings()
        self.sync_chrome()
        view.language_buttons[self.translations.language].setFocus()
        self.page_changed.emit("settings")

    def refresh_settings(self) -> None:
        """The settings screen's language, layout and sync details as they are now."""
        view = self.screens.settings_view
        view.language_buttons[self.translations.language].setChecked(True)
        view.layout_buttons[self.layout.setting].setChecked(True)
        s = self.status.status
        if s is None:
            return
        now = int(self.clock())
        never = translate("Settings", "never")
        values = {
            "store": s.store_name or s.store_id or "—",
            "device": s.device_id or translate("Settings", "not enrolled"),
            "pending": str(s.pending),
            "rejected": str(s.rejected),
            "conflict": str(s.conflict),
            "last_pull": fmt_datetime(s.last_pull_at, now) if s.last_pull_at else never,
            "last_push": fmt_datetime(s.last_push_at, now) if s.last_push_at else never,
            "last_error": s.last_error or "—",
        }
        for key, value in values.items():
            view.detail_values[key].setText(value)

    def show_client_book(self) -> None:
        """Ctrl+B / the top bar's "My customers": the signed-in associate's client book
        (a manager picks whose), read again each time it opens."""
        if self.locked or self.session is None:
            return
        view = self.screens.client_book_view
        self._camera_off()
        self.pages.setCurrentWidget(view)
        self.screens.client_book.refresh()
        self.sync_chrome()
        view.list.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.page_changed.emit("clientbook")

    def show_follow_ups(self) -> None:
        """Ctrl+U / the top bar's "Follow-ups": the open tasks of the signed-in associate and
        the store's (a manager: every one), read again each time it opens."""
        if self.locked or self.session is None:
            return
        view = self.screens.follow_ups_view
        self._camera_off()
        self.pages.setCurrentWidget(view)
        self.screens.follow_ups.refresh()
        self.sync_chrome()
        view.list.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.page_changed.emit("followups")

    def show_dashboard(self) -> None:
        """Ctrl+D / the dashboard button: managers only (anyone else gets a toast)."""
        if self.locked:
            return
        session = self.session
        if session is None or not self.is_manager:
            self.bridge.warning(texts.reason_message("permission_denied"), key="dashboard")
            return
        try:
            dashboard = self.screens.open_dashboard(session)
        except PermissionDeniedError as exc:
            self.bridge.warning(texts.reason_message(exc.reason), key="dashboard")
            return
        self._camera_off()
        self.pages.setCurrentWidget(dashboard.view)
        self.sync_chrome()
        self.page_changed.emit("dashboard")

    def close_dashboard(self) -> None:
        """Drop the dashboard (a session ended); back to scanning if it was showing."""
        dashboard = self.screens.dashboard
        if dashboard is None:
            return
        was_current = self.pages.currentWidget() is dashboard.view
        self.screens.close_dashboard()
        if was_current and not self.locked:
            self.show_scan()

    def add_page(self, widget: QWidget) -> None:
        """Host another full screen (sign-in, enrolment) in the window."""
        if self.pages.indexOf(widget) < 0:
            self.pages.addWidget(widget)

    def show_page(self, widget: QWidget) -> None:
        self.add_page(widget)
        self.pages.setCurrentWidget(widget)
        self.sync_chrome()
        self.page_changed.emit(widget.objectName() or "page")

    # --- back, Esc, F2 ----------------------------------------------------------------------------

    def go_back(self) -> None:
        if self.locked:
            return
        if self.page == "settings" and self._previous_page == "customer":
            self.pages.setCurrentWidget(self.screens.customer_view)
            self.sync_chrome()
            self.page_changed.emit("customer")
            return
        self.next_customer()

    def next_customer(self) -> None:
        """Esc / "Next customer": back to ready-to-scan. The visit stays recorded."""
        if self.screens.is_built("customer"):
            self.screens.customer.clear()
        self.show_scan()

    def escape(self) -> None:
        page = self.page
        if page == "other":
            return
        if page == "customer" and self.screens.customer.escape():
            return
        if page in ("settings", "dashboard", "clientbook", "followups"):
            self.go_back()
            return
        if page == "scan":
            self._camera_off()
        self.next_customer()

    def focus_scan_field(self) -> None:
        page = self.page
        if page == "other":
            return
        quick = self.top.quick_field
        if page == "customer" and quick.isVisible():
            quick.setFocus()
            quick.selectAll()
            return
        if page != "scan":
            self.next_customer()
        field = self.screens.scan_view.field
        field.setFocus()
        field.selectAll()

    def customer_action(self, name: str) -> None:
        """Ctrl+N, Ctrl+I …: a form of the customer screen, when it shows."""
        if self.page == "customer":
            self.screens.customer.action(name)

    def save_form(self) -> None:
        if self.page == "customer" and self.screens.customer_view.composer.form:
            self.screens.customer.save()

    def _camera_off(self) -> None:
        if self.screens.is_built("scan") and self.screens.camera.on:
            self.screens.camera.set_on(False)

    # --- the chrome -------------------------------------------------------------------------------

    def sync_chrome(self) -> None:
        """What the top bar, the status bar and the banner show on this screen."""
        page = self.page
        handheld = self.layout.mode == "handheld"
        locked = self.locked
        top = self.top
        top.back.setVisible(
            page in ("customer", "settings", "dashboard", "clientbook", "followups") and not locked
        )
        top.quick_field.setVisible(page == "customer" and not handheld and not locked)
        top.store.setVisible(not handheld)
        bar = self.status.bar
        bar.last_sync.setVisible(not handheld)
        if bar.compact != handheld:
            bar.compact = handheld
            self.status.render()
        top.settings_button.setVisible(not locked)
        top.dashboard_button.setVisible(self.is_manager and page != "dashboard")
        # A handheld's bar is narrow: the client book and the follow-ups are offered where
        # there is no back button (the scan screen); Ctrl+B / Ctrl+U work everywhere.
        entries = self.session is not None and (not handheld or page == "scan")
        top.client_book_button.setVisible(entries and page != "clientbook")
        top.follow_ups_button.setVisible(entries and page != "followups")
        top.brand.setVisible(not (handheld and entries))
        top.lock_button.setVisible(self.signin_required and self.session is not None)
        self.sync_banner()

    def sync_banner(self) -> None:
        # Health notices are for the person serving; sign-in and enrolment say their own.
        self.frame.show_banner(
            self.frame.banner.isVisibleTo(self.frame.banner_wrap) and self.page != "other"
        )

    def on_status(self, status: TerminalStatus) -> None:
        """A new terminal status: the store's name, the banner, the settings' details."""
        self.top.store.setText(status.store_name or "")
        self.sync_banner()
        if self.page == "settings":
            self.refresh_settings()
