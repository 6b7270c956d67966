"""The one window: top bar, banner, the scan / customer / settings pages, status bar, toasts.

It composes views and controllers, owns the keyboard shortcuts and is the only listener of
the message bridge. No modal dialog on the main path: the only dialog is the image-file
picker (Ctrl+O), off the main path.

Who is at the terminal: with :meth:`require_signin` (the app does this; ``ui.controllers.access``
hosts the sign-in page) the window is *locked* until :meth:`start_session` and again after
:meth:`end_session` — no page but a hosted one (sign-in, enrolment) can be reached, no scan
opens a customer, and the customer last served is forgotten. The manager's dashboard is
offered (button, Ctrl+D) to a manager session only; anyone else is refused with a toast.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clerk.errors import PermissionDeniedError
from clerk.staff import Session, allowed
from ui import texts
from ui.controllers.layout import LayoutController
from ui.controllers.status import StatusController
from ui.i18n import Translations, fmt_datetime
from ui.messages import MessageBridge
from ui.models.recent import RecentCustomersModel
from ui.qt import (
    QEvent,
    QFileDialog,
    QFrame,
    QGuiApplication,
    QHBoxLayout,
    QKeyEvent,
    QKeySequence,
    QLineEdit,
    QMainWindow,
    QObject,
    QShortcut,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    translate,
)
from ui.theme import icon
from ui.views.status import StatusBarView, ToastArea
from ui.views.widgets import Banner, button, label, tool_button
from ui.workers import SyncWorker, TaskRunner

if TYPE_CHECKING:
    from ui.controllers.camera import CameraController, SourceFactory
    from ui.controllers.customer import CustomerController
    from ui.controllers.scan import ScanController
    from ui.controllers.settings_controller import Cameras, Diagnostics, SettingsController
    from ui.views.customer_page import CustomerModels, CustomerPage
    from ui.views.scan_page import ScanPage
    from ui.views.settings_page import SettingsPage

log = logging.getLogger(__name__)


@dataclass
class Runners:
    """The three worker lanes (see ui/workers.py)."""

    terminal: TaskRunner
    decode: TaskRunner

    @classmethod
    def create(cls, parent: QObject, *, synchronous: bool = False) -> Runners:
        return cls(
            terminal=TaskRunner("terminal", max_threads=1, synchronous=synchronous, parent=parent),
            decode=TaskRunner("decode", max_threads=1, synchronous=synchronous, parent=parent),
        )

    def wait(self, msecs: int = 10_000) -> None:
        for r in (self.terminal, self.decode):
            r.wait_idle(msecs)

    def close(self, msecs: int = 10_000) -> None:
        for r in (self.terminal, self.decode):
            r.close(msecs)


class MainWindow(QMainWindow):
    page_changed = Signal(str)
    session_started = Signal(object)  # clerk.staff.Session
    session_ended = Signal()
    sign_out_requested = Signal()
    settings_saved = Signal(dict)  # name → new value, saved from the settings screen

    def __init__(
        self,
        terminal: Any,
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
        self.session: Session | None = None  # the signed-in staff member
        self.signin_required = False
        self._cameras = cameras
        self._diagnostics = diagnostics
        self._scan_handlers: dict[QWidget, Callable[[str], None]] = {}
        self._camera_source_factory = camera_source_factory
        self._camera_decode = camera_decode

        # --- views ---------------------------------------------------------------------------
        central = QWidget()
        central.setObjectName("central")
        self.setCentralWidget(central)
        box = QVBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)

        self.top = QFrame()
        self.top.setObjectName("topBar")
        top = QHBoxLayout(self.top)
        self.top_box = top
        top.setContentsMargins(12, 8, 12, 8)
        top.setSpacing(10)
        self.back = tool_button("back", tint="text", object_name="backButton")
        top.addWidget(self.back)
        self.brand = label("")
        self.brand.setObjectName("brand")
        top.addWidget(self.brand)
        self.store = label("")
        self.store.setObjectName("storeName")
        top.addWidget(self.store)
        top.addStretch(1)
        self.quick_field = QLineEdit()
        self.quick_field.setObjectName("quickScanField")
        self.quick_field.setClearButtonEnabled(True)
        self.quick_field.setMinimumWidth(320)
        self.quick_field.addAction(
            icon("search", "text_muted"), QLineEdit.ActionPosition.LeadingPosition
        )
        top.addWidget(self.quick_field)
        self.lang_button = button("", kind="ghost", object_name="languageToggle")
        self.lang_button.setMinimumWidth(56)
        top.addWidget(self.lang_button)
        self.dashboard_button = tool_button("trending", tint="text", object_name="dashboardButton")
        self.dashboard_button.hide()
        top.addWidget(self.dashboard_button)
        self.settings_button = tool_button("settings", tint="text", object_name="settingsButton")
        top.addWidget(self.settings_button)
        self.lock_button = tool_button("lock", tint="text", object_name="lockButton")
        self.lock_button.hide()
        top.addWidget(self.lock_button)
        box.addWidget(self.top)

        banner_wrap = QWidget()
        bw = QVBoxLayout(banner_wrap)
        bw.setContentsMargins(16, 10, 16, 0)
        self.banner = Banner("warn", "warning")
        self.banner.setObjectName("healthBanner")
        bw.addWidget(self.banner)
        self.banner_wrap = banner_wrap
        box.addWidget(banner_wrap)

        self.recent_model = RecentCustomersModel(self)
        self.pages = QStackedWidget()
        box.addWidget(self.pages, 1)
        # The pages are built when first needed, or by build_deferred() once the first screen
        # is up (the app's first screen is sign-in: it does not wait for them).
        self._scan_page: ScanPage | None = None
        self._scan: ScanController | None = None
        self._camera: CameraController | None = None
        self._customer_models: CustomerModels | None = None
        self._customer_page: CustomerPage | None = None
        self._customer: CustomerController | None = None
        self._settings_page: SettingsPage | None = None
        self._settings: SettingsController | None = None
        self._dashboard: Any = None  # ui.controllers.dashboard_controller.DashboardPage
        self._staff_id = staff_id

        self.status_bar = StatusBarView()
        self.setStatusBar(self.status_bar)
        self.toasts = ToastArea(central)

        # --- controllers ----------------------------------------------------------------------
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
        self.sync_worker: SyncWorker | None = None

        bridge.shown.connect(self.toasts.show_toast)
        for runner in (runners.terminal, runners.decode):
            runner.unhandled.connect(self._unhandled)
        self.status.synced.connect(lambda _r: self._after_sync())
        self.status.status_changed.connect(self._on_status)
        self.layout_ctl.mode_changed.connect(self.set_layout_mode)
        translations.language_changed.connect(self._on_language)

        self.quick_field.returnPressed.connect(self._submit_quick)
        self.back.clicked.connect(self.go_back)
        self.settings_button.clicked.connect(self.show_settings)
        self.dashboard_button.clicked.connect(self.show_dashboard)
        self.lock_button.clicked.connect(self.sign_out)
        self.lang_button.clicked.connect(self.toggle_language)

        self._shortcuts()
        self.set_layout_mode("desktop")
        if not defer_pages:
            self.show_scan()
        self.retranslate()
        self.setMinimumSize(360, 600)

    # --- shortcuts ------------------------------------------------------------------------------

    def _shortcuts(self) -> None:
        def sc(keys: str | QKeySequence.StandardKey, slot: Callable[[], Any], name: str) -> None:
            s = QShortcut(QKeySequence(keys), self)
            s.setObjectName(name)
            s.setContext(Qt.ShortcutContext.WindowShortcut)
            s.activated.connect(slot)

        sc("F2", self.focus_scan_field, "scFocusF2")
        sc("Ctrl+F", self.focus_scan_field, "scFocusCtrlF")
        sc("Esc", self.escape, "scEscape")
        sc("Ctrl+N", lambda: self._customer_action("note"), "scNote")
        sc("Ctrl+I", lambda: self._customer_action("interest"), "scInterest")
        sc("Ctrl+R", lambda: self._customer_action("redeem"), "scRedeem")
        sc("Ctrl+S", lambda: self._customer_action("sale"), "scSale")
        sc("Ctrl+K", lambda: self._customer_action("consent"), "scConsent")
        sc("Ctrl+Return", self._save_form, "scSave")
        sc("Ctrl+O", self.open_image, "scOpenImage")
        sc("Ctrl+V", self.paste, "scPaste")
        sc("F5", self.sync_now, "scSync")
        sc("Ctrl+,", self.show_settings, "scSettings")
        sc("F10", self.show_settings, "scSettingsF10")
        sc("Ctrl+L", self.toggle_language, "scLanguage")
        sc("Ctrl+D", self.show_dashboard, "scDashboard")
        sc("Ctrl+Shift+L", self.sign_out, "scSignOut")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Ctrl+V in the scan field with an image on the clipboard: decode it (text pastes as usual).
        if (
            self._scan_page is not None
            and watched is self._scan_page.field
            and event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Paste)
        ):
            mime = QGuiApplication.clipboard().mimeData()
            if mime is not None and mime.hasImage():
                event.accept()
                self.paste()
                return True
        return super().eventFilter(watched, event)

    # --- the pages built on demand ---------------------------------------------------------------

    def _language(self) -> str:
        return self.translations.language

    def build_deferred(self) -> None:
        """Build every page now (the app calls the steps once its first screen is up)."""
        for step in self.deferred_steps():
            step()

    def deferred_steps(self) -> list[Callable[[], object]]:
        """The pages to build after the first paint, one step per turn of the event loop."""
        return [self._ensure_scan, self._ensure_customer, self._ensure_settings]

    def _ensure_scan(self) -> None:
        """The scan page with its controllers: the scan (identify → open) and the camera."""
        if self._scan_page is not None:
            return
        from ui.controllers.camera import CameraController
        from ui.controllers.scan import ScanController
        from ui.views.scan_page import ScanPage

        page = ScanPage(self.recent_model, self.pages)
        self._scan_page = page
        self.pages.addWidget(page)
        page.set_layout_mode(self.layout_ctl.mode or "desktop")
        runners, bridge = self.runners, self.bridge
        scan = ScanController(
            self.terminal,
            runners.terminal,
            runners.decode,
            bridge,
            staff_id=self._staff_id,
            language=self._language,
            parent=self,
        )
        scan.enabled = not self.locked
        self._scan = scan
        camera = CameraController(
            page,
            runners.decode,
            bridge,
            source_factory=self._camera_source_factory,
            device_id=str(self.terminal.settings.get("camera") or ""),
            decode=self._camera_decode,
            parent=self,
        )
        self._camera = camera
        scan.opened.connect(self._on_opened)
        scan.looking_up.connect(self._on_looking_up)
        camera.code.connect(scan.camera_code)
        page.field.returnPressed.connect(self._submit_field)
        page.go.clicked.connect(self._submit_field)
        page.image_button.clicked.connect(self.open_image)
        page.paste_button.clicked.connect(self.paste)
        page.recent.list.activated.connect(self._recent_activated)
        page.recent.list.clicked.connect(self._recent_activated)
        page.field.installEventFilter(self)

    @property
    def scan_page(self) -> ScanPage:
        self._ensure_scan()
        assert self._scan_page is not None
        return self._scan_page

    @property
    def scan(self) -> ScanController:
        self._ensure_scan()
        assert self._scan is not None
        return self._scan

    @property
    def camera(self) -> CameraController:
        self._ensure_scan()
        assert self._camera is not None
        return self._camera

    @property
    def camera_on(self) -> bool:
        return self._camera is not None and self._camera.on

    def _ensure_customer(self) -> CustomerController:
        if self._customer is None:
            from ui.controllers.customer import CustomerController
            from ui.views.customer_page import CustomerModels, CustomerPage

            self._customer_models = CustomerModels()
            # Built inside the stack: a parentless page would be a window for a moment.
            self._customer_page = CustomerPage(self._customer_models, self.pages)
            self._customer_page.set_layout_mode(self.layout_ctl.mode or "desktop")
            self.pages.addWidget(self._customer_page)
            self._customer = CustomerController(
                self.terminal,
                self.runners.terminal,
                self.bridge,
                self._customer_page,
                self._customer_models,
                staff_id=self._staff_id,
                language=self._language,
                parent=self,
            )
            self._customer.next_customer.connect(self.next_customer)
            self._customer.recorded.connect(lambda _rec: self.status.refresh())
        return self._customer

    def _ensure_settings(self) -> SettingsPage:
        if self._settings_page is None:
            from ui.controllers.settings_controller import SettingsController
            from ui.views.settings_page import SettingsPage

            sp = SettingsPage(self.pages)
            self._settings_page = sp
            self.pages.addWidget(sp)
            self._settings = SettingsController(
                sp,
                self.terminal,
                self.runners.terminal,
                self.bridge,
                session=lambda: self.session,
                cameras=self._cameras,
                diagnostics=self._diagnostics,
                parent=self,
            )
            self._settings.saved.connect(self._on_settings_saved)
            sp.back.clicked.connect(self.go_back)
            sp.sync_now.clicked.connect(self.sync_now)
            for code, b in sp.language_buttons.items():
                b.clicked.connect(lambda _=False, c=code: self.set_language(c, save=True))
            for code, b in sp.layout_buttons.items():
                b.clicked.connect(lambda _=False, c=code: self.set_layout_setting(c, save=True))
        return self._settings_page

    @property
    def settings(self) -> SettingsController:
        self._ensure_settings()
        assert self._settings is not None
        return self._settings

    @property
    def customer(self) -> CustomerController:
        return self._ensure_customer()

    @property
    def customer_page(self) -> CustomerPage:
        self._ensure_customer()
        assert self._customer_page is not None
        return self._customer_page

    @property
    def customer_models(self) -> CustomerModels:
        self._ensure_customer()
        assert self._customer_models is not None
        return self._customer_models

    @property
    def settings_page(self) -> SettingsPage:
        return self._ensure_settings()

    # --- pages ----------------------------------------------------------------------------------

    @property
    def page(self) -> str:
        current = self.pages.currentWidget()
        if current is not None and current is self._customer_page:
            return "customer"
        if current is not None and current is self._settings_page:
            return "settings"
        if current is not None and current is self._dashboard:
            return "dashboard"
        if current is not None and current is self._scan_page:
            return "scan"
        return "other"  # a hosted page (sign-in, enrolment): scans and shortcuts wait

    @property
    def locked(self) -> bool:
        """Sign-in is required and nobody is signed in: only hosted pages may show."""
        return self.signin_required and self.session is None

    @property
    def is_manager(self) -> bool:
        return self.session is not None and allowed(self.session, "dashboard")

    def show_scan(self) -> None:
        if self.locked:
            return
        self.pages.setCurrentWidget(self.scan_page)
        self.scan_page.field.clear()
        self.scan_page.field.setFocus()
        self.refresh_recent()
        self._sync_chrome()
        self.page_changed.emit("scan")

    def show_customer(self) -> None:
        if self.locked:
            return
        self.pages.setCurrentWidget(self.customer_page)
        if self.camera_on:
            self.camera.set_on(False)
        self._sync_chrome()
        first = self.customer_page.talking.list
        if first.isVisible():
            first.setFocus()
        else:
            self.customer_page.buttons["note"].setFocus()
        self.page_changed.emit("customer")

    def show_settings(self) -> None:
        if self.locked:
            return
        self._previous_page = self.page if self.page != "settings" else "scan"
        self.pages.setCurrentWidget(self.settings_page)
        self.settings.sync_role()
        self._sync_settings_page()
        self._sync_chrome()
        self.settings_page.language_buttons[self.translations.language].setFocus()
        self.page_changed.emit("settings")

    def go_back(self) -> None:
        if self.locked:
            return
        if self.page == "settings" and getattr(self, "_previous_page", "scan") == "customer":
            self.pages.setCurrentWidget(self.customer_page)
            self._sync_chrome()
            self.page_changed.emit("customer")
            return
        self.next_customer()

    def next_customer(self) -> None:
        """Esc / "Next customer": back to ready-to-scan. The visit stays recorded."""
        if self._customer is not None:
            self._customer.clear()
        self.show_scan()

    def escape(self) -> None:
        if self.page == "other":
            return
        if self.page == "customer" and self.customer.escape():
            return
        if self.page in ("settings", "dashboard"):
            self.go_back()
            return
        if self.page == "scan" and self.camera_on:
            self.camera.set_on(False)
        self.next_customer()

    def focus_scan_field(self) -> None:
        if self.page == "other":
            return
        if self.page == "customer" and self.quick_field.isVisible():
            self.quick_field.setFocus()
            self.quick_field.selectAll()
            return
        if self.page != "scan":
            self.next_customer()
        self.scan_page.field.setFocus()
        self.scan_page.field.selectAll()

    def _sync_chrome(self) -> None:
        page = self.page
        handheld = self.layout_ctl.mode == "handheld"
        locked = self.locked
        self.back.setVisible(page in ("customer", "settings", "dashboard") and not locked)
        self.quick_field.setVisible(page == "customer" and not handheld and not locked)
        self.store.setVisible(not handheld)
        self.status_bar.last_sync.setVisible(not handheld)
        if self.status_bar.compact != handheld:
            self.status_bar.compact = handheld
            self.status.render()
        self.settings_button.setVisible(not locked)
        self.dashboard_button.setVisible(self.is_manager and page != "dashboard")
        self.lock_button.setVisible(self.signin_required and self.session is not None)
        self._sync_banner()

    def _sync_banner(self) -> None:
        # Health notices are for the person serving; sign-in and enrolment say their own.
        show = self.banner.isVisibleTo(self.banner_wrap) and self.page != "other"
        if self.banner_wrap.isVisibleTo(self) != show:
            self.banner_wrap.setVisible(show)

    # --- inputs ---------------------------------------------------------------------------------

    def _submit_field(self) -> None:
        text = self.scan_page.field.text()
        if text.strip():
            self.scan.submit_text(text, "typed")
        else:
            self.bridge.warning(self._reason("empty"), key="identify")

    def _submit_quick(self) -> None:
        text = self.quick_field.text()
        if text.strip():
            self.scan.submit_text(text, "typed")
            self.quick_field.clear()

    def on_wedge_scan(self, text: str) -> None:
        """Slot for WedgeFilter.scanned: a scanner burst, wherever the focus was. A hosted
        page may take it (enrolment reads its QR code); sign-in does not: a locked terminal
        opens no customer."""
        if self.page == "other":
            current = self.pages.currentWidget()
            handler = self._scan_handlers.get(current) if current is not None else None
            if handler is not None:
                handler(text)
            return
        if not self.locked:
            self.scan.submit_text(text, "wedge")

    def set_scan_handler(self, page: QWidget, handler: Callable[[str], None]) -> None:
        """Scanner bursts while ``page`` (a hosted page) is shown go to ``handler``."""
        self._scan_handlers[page] = handler

    def open_image(self) -> None:
        if self.locked or self.page == "other":
            return
        path, _filter = QFileDialog.getOpenFileName(
            self,
            translate("MainWindow", "Read a member code from an image"),
            "",
            translate("MainWindow", "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)"),
        )
        if path:
            self.scan.decode_file(path)

    def paste(self) -> None:
        if self.locked or self.page == "other":
            return
        mime = QGuiApplication.clipboard().mimeData()
        if mime is not None and mime.hasImage():
            image = QGuiApplication.clipboard().image()
            self.scan.decode_qimage(image)
            return
        text = QGuiApplication.clipboard().text().strip()
        if text:
            if self.page == "scan":
                self.scan_page.field.setText(text)
            self.scan.submit_text(text, "paste")
            return
        self.bridge.warning(self._reason("no_image_on_clipboard"), key="identify")

    def _recent_activated(self, index: Any) -> None:
        member_id = index.data(RecentCustomersModel.MemberId)
        if member_id:
            self.scan.open_member(str(member_id))

    def _on_opened(self, opened: Any) -> None:
        if self.locked:
            return  # looked up before the lock: nobody is there to serve
        self.customer.show(opened)
        self.show_customer()
        if opened.visit is not None:
            self.status.refresh()

    def _on_looking_up(self, busy: bool) -> None:
        self.scan_page.go.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def _customer_action(self, name: str) -> None:
        if self.page == "customer":
            self.customer.action(name)

    def _save_form(self) -> None:
        if self.page == "customer" and self.customer_page.composer.form:
            self.customer.save()

    # --- hosting other pages (sign-in, the manager's dashboard) ---------------------------------

    def add_page(self, widget: QWidget) -> None:
        """Host another full page (e.g. ``SignInPage``, ``EnrolPage``) in the window."""
        if self.pages.indexOf(widget) < 0:
            self.pages.addWidget(widget)

    def show_page(self, widget: QWidget) -> None:
        self.add_page(widget)
        self.pages.setCurrentWidget(widget)
        self._sync_chrome()
        self.page_changed.emit(widget.objectName() or "page")

    def set_associate(self, staff_id: str | None, name: str = "", *, manager: bool = False) -> None:
        """The signed-in associate: recorded with every interaction, shown in the status bar."""
        self._staff_id = staff_id
        self.status.manager = manager
        if self._scan is not None:
            self._scan.staff_id = staff_id
        if self._customer is not None:
            self._customer.staff_id = staff_id
        label = f"{name} ({staff_id})" if name and staff_id else (name or staff_id or "")
        self.status.associate = label
        self.status.render()

    # --- the staff session ------------------------------------------------------------------------

    def require_signin(self) -> None:
        """From now on the window is locked whenever nobody is signed in."""
        self.signin_required = True
        if self._scan is not None:
            self._scan.enabled = self.session is not None
        self._sync_chrome()

    def start_session(self, session: Session) -> None:
        """``session`` signed in: everything recorded from now carries their staff id; a
        manager is offered the dashboard. Opens the scan screen."""
        if self.session is not None and self.session.staff_id != session.staff_id:
            self.end_session()
        self.session = session
        self.set_associate(session.staff_id, session.name, manager=session.is_manager)
        self.scan.enabled = True
        if self._settings is not None:
            self.settings.sync_role()
        self.session_started.emit(session)
        self.show_scan()

    def end_session(self) -> None:
        """The session ended (idle lock, sign-out): forget the customer and everything the
        signed-in person had open. The caller shows the sign-in page."""
        self.session = None
        if self._scan is not None:
            self._scan.enabled = not self.signin_required
        self.set_associate(None)
        self.close_dashboard()
        if self.camera_on:
            self.camera.set_on(False)
        if self._customer is not None:
            self._customer.forget()
        self.recent_model.set_recent([], int(self.clock()))
        if self._scan_page is not None:
            self._scan_page.field.clear()
        self.quick_field.clear()
        for toast in self.toasts.toasts():
            toast.hide()
            toast.deleteLater()
        if self._settings is not None:
            self.settings.sync_role()
            self.settings_page.clear_errors()
        self._sync_chrome()
        self.session_ended.emit()

    def sign_out(self) -> None:
        """The lock button / Ctrl+Shift+L: end the session now (the sign-in page does it)."""
        if self.signin_required and self.session is not None:
            self.sign_out_requested.emit()

    # --- the manager's dashboard ------------------------------------------------------------------

    def show_dashboard(self) -> None:
        """Ctrl+D / the dashboard button: managers only (anyone else gets a toast)."""
        if self.locked:
            return
        session = self.session
        if session is None or not self.is_manager:
            self.bridge.warning(self._reason("permission_denied"), key="dashboard")
            return
        if self._dashboard is None:
            from ui.controllers.dashboard_controller import DashboardPage

            try:
                page = DashboardPage(session, self.terminal, bridge=self.bridge, parent=self.pages)
            except PermissionDeniedError as exc:
                self.bridge.warning(self._reason(exc.reason), key="dashboard")
                return
            self._dashboard = page
            self.pages.addWidget(page)
        if self.camera_on:
            self.camera.set_on(False)
        self.pages.setCurrentWidget(self._dashboard)
        self._sync_chrome()
        self.page_changed.emit("dashboard")

    @property
    def dashboard(self) -> Any:
        """The open DashboardPage, or None."""
        return self._dashboard

    def close_dashboard(self) -> None:
        """Stop the dashboard's work and drop the page (its figures go with it)."""
        page, self._dashboard = self._dashboard, None
        if page is None:
            return
        was_current = self.pages.currentWidget() is page
        page.shutdown()
        self.pages.removeWidget(page)
        page.deleteLater()
        if was_current and not self.locked:
            self.show_scan()

    # --- sync, status ----------------------------------------------------------------------------

    def attach_sync(self, worker: SyncWorker) -> None:
        self.sync_worker = worker
        self.status.attach_sync(worker)

    def sync_now(self) -> None:
        if self.sync_worker is not None:
            self.sync_worker.sync_now()
            self.bridge.info(translate("MainWindow", "Syncing…"), key="sync")
        else:
            self.bridge.warning(self._reason("offline"), key="sync")

    def _after_sync(self) -> None:
        if self.page == "customer" and self._customer is not None:
            self._customer.refresh()
        elif self.page == "scan":
            self.refresh_recent()

    def _on_status(self, status: Any) -> None:
        store = status.store_name or ""
        self.store.setText(store)
        self._sync_banner()
        if self.page == "settings":
            self._sync_settings_page()

    def refresh_recent(self) -> None:
        terminal = self.terminal
        self.runners.terminal.submit(
            lambda: (terminal.recent_customers(8), int(self.clock())),
            lambda result: self.recent_model.set_recent(result[0], result[1]),
        )

    def _unhandled(self, exc: BaseException) -> None:
        self.bridge.error(self._reason(getattr(exc, "reason", "error")))

    def _reason(self, reason: str) -> str:
        return texts.reason_message(reason)

    # --- settings -------------------------------------------------------------------------------

    def _sync_settings_page(self) -> None:
        sp = self.settings_page
        sp.language_buttons[self.translations.language].setChecked(True)
        sp.layout_buttons[self.layout_ctl.setting].setChecked(True)
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
            sp.detail_values[key].setText(value)

    def set_language(self, lang: str, *, save: bool = False) -> None:
        self.translations.set_language(lang)
        if save:
            self._save_setting("language", self.translations.language)

    def toggle_language(self) -> None:
        self.set_language(
            "en" if self.translations.language.startswith("zh") else "zh_CN", save=True
        )

    def set_layout_setting(self, setting: str, *, save: bool = False) -> None:
        self.layout_ctl.set_setting(setting)
        if save:
            self._save_setting("layout", setting)
        if self.page == "settings":
            self._sync_settings_page()

    def _save_setting(self, name: str, value: str) -> None:
        self.settings.save_one(name, value)

    def _on_settings_saved(self, saved: dict[str, Any]) -> None:
        if "camera" in saved and self._camera is not None:
            self._camera.device_id = str(saved["camera"] or "")
        self.settings_saved.emit(saved)

    def set_layout_mode(self, mode: str) -> None:
        if self._scan_page is not None:
            self._scan_page.set_layout_mode(mode)
        if self._customer_page is not None:
            self._customer_page.set_layout_mode(mode)
        self.top_box.setContentsMargins(*((12, 4, 6, 4) if mode == "handheld" else (12, 8, 12, 8)))
        self._sync_chrome()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.layout_ctl.resized(self.size())

    # --- language --------------------------------------------------------------------------------

    def _on_language(self, _lang: str) -> None:
        self.recent_model.retranslate()
        self.status.retranslate()
        if self._customer is not None and self._customer_models is not None:
            for model in self._customer_models.all():
                model.retranslate()  # type: ignore[attr-defined]
            self._customer.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(translate("MainWindow", "Omni Clerk"))
        self.brand.setText(translate("MainWindow", "Omni Clerk"))
        self.back.setAccessibleName(translate("MainWindow", "Back"))
        self.back.setToolTip(translate("MainWindow", "Back (Esc)"))
        self.quick_field.setPlaceholderText(
            translate("MainWindow", "Scan or type the next member (F2)")
        )
        self.quick_field.setAccessibleName(
            translate("MainWindow", "Next member code, card or phone")
        )
        self.lang_button.setText("EN" if self.translations.language.startswith("zh") else "中文")
        self.lang_button.setAccessibleName(translate("MainWindow", "Switch language"))
        self.lang_button.setToolTip(translate("MainWindow", "Switch language (Ctrl+L)"))
        self.settings_button.setAccessibleName(translate("MainWindow", "Settings"))
        self.settings_button.setToolTip(translate("MainWindow", "Settings (F10)"))
        self.dashboard_button.setAccessibleName(translate("MainWindow", "Store dashboard"))
        self.dashboard_button.setToolTip(translate("MainWindow", "Store dashboard (Ctrl+D)"))
        self.lock_button.setAccessibleName(translate("MainWindow", "Sign out"))
        self.lock_button.setToolTip(
            translate("MainWindow", "Sign out and lock the terminal (Ctrl+Shift+L)")
        )
        self.status_bar.setAccessibleName(translate("MainWindow", "Status"))
        self.status.render()

    # --- shutdown --------------------------------------------------------------------------------

    def shutdown(self) -> None:
        self.status.stop()
        if self.camera_on:
            self.camera.set_on(False)
        self.close_dashboard()
        if self._settings is not None:
            self._settings.shutdown()
        if self.sync_worker is not None:
            self.sync_worker.stop()
        self.runners.close()

    def closeEvent(self, event: Any) -> None:
        self.shutdown()
        super().closeEvent(event)
