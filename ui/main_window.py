"""The one window, composed of its parts.

* the frame (``ui.views.window_view``: top bar, health banner, the stack of screens), the
  status bar and the toasts — the window is the only listener of the message bridge;
* the screens (``ui.screens.Screens``: scan, customer, settings, the manager's dashboard —
  each a view and its controller, built on first use);
* navigation (``ui.controllers.navigation_controller``: which screen shows, back, Esc, what
  the top bar offers, the shortcuts);
* input routing (``ui.controllers.input_controller``: scanner bursts, the next-member field,
  image files and the clipboard);
* status and sync (``ui.controllers.status_controller``: the status bar, the banner, the sync
  worker) and the layout (``ui.controllers.layout_controller``).

Who is at the terminal: with :meth:`MainWindow.require_signin` (``ui.controllers.
access_controller`` does this when it hosts the sign-in screen) the window is *locked* until
:meth:`MainWindow.start_session` and again after :meth:`MainWindow.end_session`, which forgets
the customer last served and everything the signed-in person had open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from clerk.staff import Session
from ui import texts
from ui.controllers.input_controller import InputRouter
from ui.controllers.layout_controller import HANDHELD_MIN, LayoutController
from ui.controllers.navigation_controller import Navigator, install_shortcuts
from ui.controllers.status_controller import StatusController
from ui.i18n import Translations
from ui.messages import MessageBridge
from ui.qt import QEvent, QMainWindow, Qt, Signal, translate
from ui.screens import Screens
from ui.views.status_view import StatusBarView, ToastArea
from ui.views.window_view import WindowView
from ui.warmup import CATALOGUE_LIMIT, IdleWarmup, plan
from ui.workers import Runners, SyncWorker

if TYPE_CHECKING:
    from clerk.outbox import Settled
    from clerk.ports import TerminalPort
    from ui.controllers.camera_controller import SourceFactory
    from ui.controllers.settings_controller import Cameras, Diagnostics

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    session_started = Signal(object)  # clerk.staff.Session
    session_ended = Signal()
    sign_out_requested = Signal()
    settings_saved = Signal(dict)  # name → new value, saved from the settings screen

    def __init__(
        self,
        terminal: TerminalPort,
        *,
        bridge: MessageBridge,
        translations: Translations,
        runners: Runners,
        staff_id: str | None = None,
        associate: str = "",
        layout: str = "auto",
        camera_source_factory: SourceFactory | None = None,
        camera_decode: Callable[..., list[Any]] | None = None,
        clock: Callable[[], float] | None = None,
        cameras: Cameras | None = None,
        diagnostics: Diagnostics | None = None,
        defer_pages: bool = False,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.terminal = terminal
        self.bridge = bridge
        self.translations = translations
        self.runners = runners
        self.clock = clock or terminal.clock
        self.warmup: IdleWarmup | None = None  # start_warmup

        # --- the frame --------------------------------------------------------------------------
        self.frame = WindowView()
        self.setCentralWidget(self.frame)
        self.top_bar = self.frame.top
        self.pages = self.frame.pages
        self.banner = self.frame.banner
        self.status_bar = StatusBarView()
        self.setStatusBar(self.status_bar)
        self.toasts = ToastArea(self.frame)

        # --- the parts --------------------------------------------------------------------------
        self.status = StatusController(
            terminal,
            runners.terminal,
            bridge,
            self.status_bar,
            self.banner,
            associate=associate,
            clock=self.clock,
            parent=self,
        )
        self.layout_ctl = LayoutController(layout, self)
        self.screens = Screens(
            terminal,
            self.pages,
            runners,
            bridge,
            staff_id=staff_id,
            layout_mode=lambda: self.layout_ctl.mode or "desktop",
            session=lambda: self.nav.session,
            camera_source_factory=camera_source_factory,
            camera_decode=camera_decode,
            cameras=cameras,
            diagnostics=diagnostics,
            parent=self,
        )
        self.nav = Navigator(
            self.frame,
            self.screens,
            self.layout_ctl,
            self.status,
            translations,
            bridge,
            clock=self.clock,
            parent=self,
        )
        self.inputs = InputRouter(self.nav, self.screens, self.top_bar, parent=self)

        # --- wiring -----------------------------------------------------------------------------
        bridge.shown.connect(self.toasts.show_toast)
        bridge.updated.connect(self.toasts.update_toast)
        bridge.offered.connect(self.toasts.offer_toast)
        for runner in (runners.terminal, runners.decode):
            runner.unhandled.connect(self._unhandled)
        self.screens.built.connect(self._wire_screen)
        self.status.synced.connect(lambda _r: self._after_sync())
        self.status.status_changed.connect(self.nav.on_status)
        self.status.state.changed.connect(self.nav.sync_banner)  # after the banner's render
        self.layout_ctl.mode_changed.connect(self.set_layout_mode)
        translations.language_changed.connect(self._on_language)
        self.top_bar.lock_button.clicked.connect(self.sign_out)
        self.top_bar.lang_button.clicked.connect(self.toggle_language)
        nav, inputs = self.nav, self.inputs
        install_shortcuts(
            self,
            {
                "scFocusF2": ("F2", nav.focus_scan_field),
                "scFocusCtrlF": ("Ctrl+F", nav.focus_scan_field),
                "scEscape": ("Esc", nav.escape),
                "scNote": ("Ctrl+N", lambda: nav.customer_action("note")),
                "scInterest": ("Ctrl+I", lambda: nav.customer_action("interest")),
                "scRedeem": ("Ctrl+R", lambda: nav.customer_action("redeem")),
                "scPoints": ("Ctrl+P", lambda: nav.customer_action("points_redeem")),
                "scSale": ("Ctrl+S", lambda: nav.customer_action("sale")),
                "scConsent": ("Ctrl+K", lambda: nav.customer_action("consent")),
                "scCase": ("Ctrl+E", lambda: nav.customer_action("case")),
                "scTask": ("Ctrl+T", lambda: nav.customer_action("task")),
                "scAssign": ("Ctrl+J", lambda: nav.customer_action("assign")),
                "scSave": ("Ctrl+Return", nav.save_form),
                "scOpenImage": ("Ctrl+O", inputs.open_image),
                "scPaste": ("Ctrl+V", inputs.paste),
                "scSync": ("F5", self.status.sync_now),
                "scSettings": ("Ctrl+,", nav.show_settings),
                "scSettingsF10": ("F10", nav.show_settings),
                "scLanguage": ("Ctrl+L", self.toggle_language),
                "scDashboard": ("Ctrl+D", nav.show_dashboard),
                "scClientBook": ("Ctrl+B", nav.show_client_book),
                "scFollowUps": ("Ctrl+U", nav.show_follow_ups),
                "scSignOut": ("Ctrl+Shift+L", self.sign_out),
            },
        )
        self.set_layout_mode("desktop")
        if not defer_pages:
            nav.show_scan()
        self.retranslate()
        self.setMinimumSize(HANDHELD_MIN)  # the smallest layout's; every page fits it

    # --- the screens, built on demand ------------------------------------------------------------

    def deferred_steps(self) -> list[Callable[[], object]]:
        """The screens to build after the first paint, one step per turn of the event loop."""
        s = self.screens
        return [s.build_scan, s.build_customer, s.build_settings]

    def _wire_screen(self, name: str) -> None:
        """A screen was just built: connect it to the window's other parts."""
        screens, nav = self.screens, self.nav
        if name == "scan":
            scan = screens.scan
            scan.enabled = not nav.locked
            scan.opened.connect(nav.show_opened)
            scan.looking_up.connect(self._looking_up)
        elif name == "customer":
            customer = screens.customer
            customer.next_customer.connect(nav.next_customer)
            customer.recorded.connect(lambda _rec: self.status.on_recorded())
            screens.customer_view.header.follow(self.status.state)
        elif name == "clientbook":
            screens.client_book.opened.connect(nav.show_opened)
            screens.client_book_view.back.clicked.connect(nav.go_back)
        elif name == "followups":
            screens.follow_ups.opened.connect(nav.show_opened)
            screens.follow_ups.recorded.connect(lambda _rec: self.status.on_recorded())
            screens.follow_ups_view.back.clicked.connect(nav.go_back)
        elif name == "dashboard" and screens.dashboard is not None:
            # Parked records put back in the queue go out now, not at the next round.
            screens.dashboard.retried.connect(lambda _n: self.status.sync_now())
            screens.dashboard.fix_requested.connect(self._fix_record)
            screens.dashboard.closed.connect(lambda _i, _s: self.status.refresh())
        elif name == "settings":
            view = screens.settings_view
            screens.settings.saved.connect(self._settings_saved)
            view.back.clicked.connect(nav.go_back)
            view.sync_now.clicked.connect(self.status.sync_now)
            for code, b in view.language_buttons.items():
                b.clicked.connect(lambda _=False, c=code: self.set_language(c, save=True))
            for code, b in view.layout_buttons.items():
                b.clicked.connect(lambda _=False, c=code: self.set_layout_setting(c, save=True))

    def _fix_record(self, row: Settled, session: Session) -> None:
        """The dashboard's "Fix and resend": the record's customer opened as a search result
        opens (audited, no visit), then their page's form holding the record."""
        customer = self.screens.customer

        def shown() -> None:
            if customer.member_id == row.member_id:  # not a later customer, if this one failed
                customer.fix(row.id, row.kind, row.payload, row.reason, session)

        customer.shown.connect(shown, Qt.ConnectionType.SingleShotConnection)
        if row.member_id is not None:
            self.screens.scan.open_found(row.member_id)

    def _looking_up(self, busy: bool) -> None:
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    # --- the staff session -----------------------------------------------------------------------

    def set_associate(self, staff_id: str | None, name: str = "", *, manager: bool = False) -> None:
        """The signed-in associate: recorded with every interaction, shown in the status bar."""
        self.screens.set_staff(staff_id)
        self.status.manager = manager
        label = f"{name} ({staff_id})" if name and staff_id else (name or staff_id or "")
        self.status.associate = label
        self.status.render()

    def require_signin(self) -> None:
        """From now on the window is locked whenever nobody is signed in."""
        self.nav.require_signin()
        if self.screens.is_built("scan"):
            self.screens.scan.enabled = self.nav.session is not None

    def start_session(self, session: Session) -> None:
        """``session`` signed in: everything recorded from now carries their staff id; a
        manager is offered the dashboard. Opens the scan screen."""
        current = self.nav.session
        if current is not None and current.staff_id != session.staff_id:
            self.end_session()
        self.nav.session = session
        self.set_associate(session.staff_id, session.name, manager=session.is_manager)
        self.screens.scan.enabled = True
        if self.screens.is_built("settings"):
            self.screens.settings.sync_role()
        self.session_started.emit(session)
        self.nav.show_scan()

    def end_session(self) -> None:
        """The session ended (idle lock, sign-out): forget the customer and everything the
        signed-in person had open. The caller shows the sign-in screen."""
        screens = self.screens
        self.nav.session = None
        if screens.is_built("scan"):
            screens.scan.enabled = not self.nav.signin_required
        self.set_associate(None)
        self.nav.close_dashboard()
        if screens.is_built("scan"):
            if screens.camera.on:
                screens.camera.set_on(False)
            screens.scan.forget()
        else:
            screens.recent_model.set_recent([], int(self.clock()))
        if screens.is_built("customer"):
            screens.customer.forget()
        if screens.is_built("clientbook"):
            screens.client_book.forget()
        if screens.is_built("followups"):
            screens.follow_ups.forget()
        self.top_bar.quick_field.clear()
        for toast in self.toasts.toasts():
            toast.hide()
            toast.deleteLater()
        if screens.is_built("settings"):
            screens.settings.sync_role()
            screens.settings_view.clear_errors()
        self.nav.sync_chrome()
        self.session_ended.emit()

    def sign_out(self) -> None:
        """The lock button / Ctrl+Shift+L: end the session now (the sign-in screen does it)."""
        if self.nav.signin_required and self.nav.session is not None:
            self.sign_out_requested.emit()

    # --- sync, status ----------------------------------------------------------------------------

    def attach_sync(self, worker: SyncWorker) -> None:
        self.status.attach_sync(worker)
        worker.live_pulled.connect(self._after_live_pull)

    def _after_live_pull(self, pulled: Any) -> None:
        """A change pulled live (a ``sync.engine.PullResult``): the open customer repaints
        when it touched them."""
        if self.nav.page != "customer" or not self.screens.is_built("customer"):
            return
        customer = self.screens.customer
        if customer.member_id is not None and pulled.touches(customer.member_id):
            customer.refresh()

    def _after_sync(self) -> None:
        if self.screens.link is not None:  # a link the hub did not take: said
            self.screens.link.check_settled()
        page = self.nav.page
        if page == "customer" and self.screens.is_built("customer"):
            self.screens.customer.refresh()
        elif page == "scan":
            self.screens.scan.refresh_recent(int(self.clock()))

    def _unhandled(self, exc: BaseException) -> None:
        self.bridge.error(texts.reason_message(getattr(exc, "reason", "error")))

    # --- language, layout, settings --------------------------------------------------------------

    def set_language(self, lang: str, *, save: bool = False) -> None:
        self.translations.set_language(lang)
        if save:
            self.screens.settings.save_one("language", self.translations.language)

    def toggle_language(self) -> None:
        self.set_language(
            "en" if self.translations.language.startswith("zh") else "zh_CN", save=True
        )

    def set_layout_setting(self, setting: str, *, save: bool = False) -> None:
        self.layout_ctl.set_setting(setting)
        if save:
            self.screens.settings.save_one("layout", setting)
        if self.nav.page == "settings":
            self.nav.refresh_settings()

    def _settings_saved(self, saved: dict[str, Any]) -> None:
        if "camera" in saved and self.screens.is_built("scan"):
            self.screens.camera.device_id = str(saved["camera"] or "")
        self.settings_saved.emit(saved)

    def set_layout_mode(self, mode: str) -> None:
        self.screens.set_layout_mode(mode)
        self.top_bar.set_layout_mode(mode)
        self.nav.sync_chrome()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.layout_ctl.resized(self.size())

    def _on_language(self, _lang: str) -> None:
        self.screens.retranslate()
        self.status.retranslate()
        if self.warmup is not None:
            self.start_warmup()  # the titles and dates of the new language

    # --- the idle warm-up ---------------------------------------------------------------------

    def _serving_now(self) -> bool:
        """A scan being looked up, or a customer shown and not painted in full yet: the
        warm-up waits."""
        if self.runners.terminal.pending:
            return True
        if not self.screens.is_built("customer"):
            return False
        page = self.screens.customer_view
        return page.isVisible() and page.awaiting_paint()

    def start_warmup(self) -> None:
        """Lay out the catalogue's titles and prices and draw its tiles while nobody is served
        (ui/warmup.py): the catalogue and the strings are made on the terminal's worker, the
        Qt part runs in short slices on the GUI thread, never while a scan is looked up."""
        if self.warmup is None:
            self.warmup = IdleWarmup(
                busy=self._serving_now, dpr=self.devicePixelRatioF, parent=self
            )
        else:
            self.warmup.stop()
        terminal, now = self.terminal, int(self.clock())
        warmup = self.warmup
        self.runners.terminal.submit(
            lambda: plan(terminal.catalogue(CATALOGUE_LIMIT), now), warmup.start
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(translate("MainWindow", "Omni Clerk"))
        self.top_bar.retranslate(self.translations.language.startswith("zh"))
        self.status_bar.setAccessibleName(translate("MainWindow", "Status"))
        self.status.render()

    # --- shutdown --------------------------------------------------------------------------------

    def shutdown(self) -> None:
        self.status.stop()
        if self.warmup is not None:
            self.warmup.stop()
        self.screens.shutdown()
        if self.status.worker is not None:
            self.status.worker.stop()
        self.runners.close()

    def closeEvent(self, event: Any) -> None:
        self.shutdown()
        super().closeEvent(event)
