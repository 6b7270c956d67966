"""Every screen composed in one place: its layout-only view (``ui/views/``), its controller
(``ui/controllers/``), the item models they share and the worker it runs on.

The window's own screens — scan (with the camera), customer, settings — are built by
:class:`Screens` when first needed (the app builds them one by one once its first screen is up:
``MainWindow.deferred_steps``), into the window's stack of pages; ``built(name)`` then lets the
window wire them to its other parts. The manager's dashboard is built for a manager's session
and dropped when it ends. The hosted screens — sign-in, enrolment — and the dashboard are built
by the functions at the end, which ``ui.app``, the demo and the tests use.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, TypeVar

from clerk.staff import Session, allowed, require
from ui.models.recent_customers_model import RecentCustomersModel
from ui.models.search_results_model import SearchResultsModel
from ui.qt import QObject, QStackedWidget, QWidget, Signal
from ui.workers import Runners, TaskRunner

if TYPE_CHECKING:
    from clerk.ports import StaffDoor, TerminalPort
    from sync.enrolment import Enrolment
    from ui.controllers.camera_controller import CameraController, SourceFactory
    from ui.controllers.client_book_controller import ClientBookController
    from ui.controllers.customer_controller import CustomerController
    from ui.controllers.dashboard_controller import DashboardController
    from ui.controllers.enrol_controller import EnrolController
    from ui.controllers.follow_ups_controller import FollowUpsController
    from ui.controllers.link_controller import LinkController
    from ui.controllers.scan_controller import ScanController
    from ui.controllers.settings_controller import Cameras, Diagnostics, SettingsController
    from ui.controllers.signin_controller import LastInput, SignInController
    from ui.controllers.signup_controller import SignupController
    from ui.messages import MessageBridge
    from ui.models.customer_models import CustomerModels
    from ui.views.client_book_view import ClientBookView
    from ui.views.customer_view import Customer360View
    from ui.views.follow_ups_view import FollowUpsView
    from ui.views.scan_view import ScanView
    from ui.views.settings_view import SettingsView

_M = TypeVar("_M")  # a list screen's model
_V = TypeVar("_V", bound=QWidget)  # its view
_C = TypeVar("_C")  # its controller


class Screens(QObject):
    """The window's screens, each built once, on first use, in ``pages``."""

    built = Signal(str)  # scan | customer | settings | clientbook | followups | dashboard

    def __init__(
        self,
        terminal: TerminalPort,
        pages: QStackedWidget,
        runners: Runners,
        bridge: MessageBridge,
        *,
        staff_id: str | None = None,
        layout_mode: Callable[[], str] = lambda: "desktop",
        session: Callable[[], Session | None] = lambda: None,
        camera_source_factory: SourceFactory | None = None,
        camera_decode: Callable[..., list[Any]] | None = None,
        cameras: Cameras | None = None,
        diagnostics: Diagnostics | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.pages = pages
        self.runners = runners
        self.bridge = bridge
        self.staff_id = staff_id
        self.layout_mode = layout_mode
        self.session = session
        self._camera_source_factory = camera_source_factory
        self._camera_decode = camera_decode
        self._cameras = cameras
        self._diagnostics = diagnostics
        self.recent_model = RecentCustomersModel(self)
        self.search_model = SearchResultsModel(self)
        self._scan: tuple[ScanView, ScanController, CameraController] | None = None
        self._customer: tuple[Customer360View, CustomerModels, CustomerController] | None = None
        self._settings: tuple[SettingsView, SettingsController] | None = None
        self.signup: SignupController | None = None  # built with the customer screen
        self.link: LinkController | None = None  # built with the customer screen
        self._client_book: tuple[ClientBookView, ClientBookController] | None = None
        self._follow_ups: tuple[FollowUpsView, FollowUpsController] | None = None
        self.dashboard: DashboardController | None = None  # a manager's, while open

    # --- building ------------------------------------------------------------------------------

    def build_scan(self) -> None:
        """The scan screen with its controllers: the scan (identify → open) and the camera."""
        if self._scan is not None:
            return
        from ui.controllers.camera_controller import CameraController
        from ui.controllers.scan_controller import ScanController
        from ui.views.scan_view import ScanView

        view = ScanView(self.recent_model, self.search_model, self.pages)
        self.pages.addWidget(view)
        view.set_layout_mode(self.layout_mode())
        runners = self.runners
        scan = ScanController(
            self.terminal,
            view,
            self.recent_model,
            self.search_model,
            runners.terminal,
            runners.decode,
            self.bridge,
            staff_id=self.staff_id,
            parent=self,
        )
        camera = CameraController(
            view,
            runners.decode,
            self.bridge,
            source_factory=self._camera_source_factory,
            device_id=str(self.terminal.settings.get("camera") or ""),
            decode=self._camera_decode,
            parent=self,
        )
        camera.code.connect(scan.camera_code)
        self._scan = (view, scan, camera)
        self.built.emit("scan")

    def build_customer(self) -> None:
        if self._customer is not None:
            return
        from ui.controllers.customer_controller import CustomerController
        from ui.controllers.link_controller import LinkController
        from ui.controllers.signup_controller import SignupController
        from ui.models.customer_models import CustomerModels
        from ui.views.customer_view import Customer360View

        models = CustomerModels()
        # Built inside the stack: a parentless view would be a window for a moment.
        view = Customer360View(models, self.pages)
        view.set_layout_mode(self.layout_mode())
        self.pages.addWidget(view)
        controller = CustomerController(
            self.terminal,
            view,
            models,
            self.runners.terminal,
            self.bridge,
            staff_id=self.staff_id,
            may_assign=lambda: allowed(self.session(), "dashboard"),
            parent=self,
        )
        signup = SignupController(
            self.terminal,
            view.signup,
            self.runners.terminal,
            self.bridge,
            staff_id=self.staff_id,
            parent=controller,
        )
        view.unknown.sign_up.connect(lambda: signup.open(controller.identity))
        signup.signed_up.connect(controller.show)
        controller.shown.connect(lambda: signup.customer_shown(controller.member_id))
        self.signup = signup
        link = LinkController(
            self.terminal,
            view.link,
            self.runners.terminal,
            self.bridge,
            staff_id=self.staff_id,
            parent=controller,
        )
        view.unknown.link.connect(lambda: link.open(controller.identity))
        link.linked.connect(controller.show)
        controller.shown.connect(lambda: link.customer_shown(controller.member_id))
        self.link = link
        self._customer = (view, models, controller)
        self.built.emit("customer")

    def build_settings(self) -> None:
        if self._settings is not None:
            return
        from ui.controllers.settings_controller import SettingsController
        from ui.views.settings_view import SettingsView

        view = SettingsView(self.pages)
        self.pages.addWidget(view)
        controller = SettingsController(
            self.terminal,
            view,
            self.runners.terminal,
            self.bridge,
            session=self.session,
            cameras=self._cameras,
            diagnostics=self._diagnostics,
            parent=self,
        )
        self._settings = (view, controller)
        self.built.emit("settings")

    def build_client_book(self) -> None:
        """ "My customers" (the signed-in associate's client book; a manager picks whose)."""
        if self._client_book is not None:
            return
        from ui.controllers.client_book_controller import ClientBookController
        from ui.models.client_book_model import ClientBookModel
        from ui.views.client_book_view import ClientBookView

        self._client_book = self._list_screen(
            ClientBookModel(), ClientBookView, ClientBookController
        )
        self.built.emit("clientbook")

    def build_follow_ups(self) -> None:
        """ "Follow-ups": the signed-in person's open tasks and the store's, with their actions."""
        if self._follow_ups is not None:
            return
        from ui.controllers.follow_ups_controller import FollowUpsController
        from ui.models.follow_ups_model import FollowUpsModel
        from ui.views.follow_ups_view import FollowUpsView

        self._follow_ups = self._list_screen(FollowUpsModel(), FollowUpsView, FollowUpsController)
        self.built.emit("followups")

    def _list_screen(
        self,
        model: _M,
        view_type: Callable[[_M, QWidget], _V],
        controller_type: Callable[..., _C],
    ) -> tuple[_V, _C]:
        """A list of the signed-in person's (My customers, Follow-ups): its view over
        ``model`` in the stack, its controller on the terminal runner."""
        view = view_type(model, self.pages)
        self.pages.addWidget(view)
        controller = controller_type(
            self.terminal,
            view,
            model,
            self.runners.terminal,
            self.bridge,
            session=self.session,
            parent=self,
        )
        return view, controller

    def open_dashboard(self, session: Session, tz: tzinfo | None = None) -> DashboardController:
        """The manager's dashboard (built once per session). PermissionDeniedError for anyone
        else, before anything is built."""
        if self.dashboard is None:
            self.dashboard = dashboard_screen(
                session, self.terminal, tz=tz, bridge=self.bridge, parent=self.pages
            )
            self.pages.addWidget(self.dashboard.view)
            self.built.emit("dashboard")
        return self.dashboard

    def close_dashboard(self) -> None:
        """Stop the dashboard's work and drop it (its figures go with it)."""
        dashboard, self.dashboard = self.dashboard, None
        if dashboard is not None:
            dashboard.shutdown()
            self.pages.removeWidget(dashboard.view)
            dashboard.view.deleteLater()

    # --- the screens ---------------------------------------------------------------------------

    @property
    def scan_view(self) -> ScanView:
        self.build_scan()
        assert self._scan is not None
        return self._scan[0]

    @property
    def scan(self) -> ScanController:
        self.build_scan()
        assert self._scan is not None
        return self._scan[1]

    @property
    def camera(self) -> CameraController:
        self.build_scan()
        assert self._scan is not None
        return self._scan[2]

    @property
    def customer_view(self) -> Customer360View:
        self.build_customer()
        assert self._customer is not None
        return self._customer[0]

    @property
    def customer_models(self) -> CustomerModels:
        self.build_customer()
        assert self._customer is not None
        return self._customer[1]

    @property
    def customer(self) -> CustomerController:
        self.build_customer()
        assert self._customer is not None
        return self._customer[2]

    @property
    def settings_view(self) -> SettingsView:
        self.build_settings()
        assert self._settings is not None
        return self._settings[0]

    @property
    def settings(self) -> SettingsController:
        self.build_settings()
        assert self._settings is not None
        return self._settings[1]

    @property
    def client_book_view(self) -> ClientBookView:
        self.build_client_book()
        assert self._client_book is not None
        return self._client_book[0]

    @property
    def client_book(self) -> ClientBookController:
        self.build_client_book()
        assert self._client_book is not None
        return self._client_book[1]

    @property
    def follow_ups_view(self) -> FollowUpsView:
        self.build_follow_ups()
        assert self._follow_ups is not None
        return self._follow_ups[0]

    @property
    def follow_ups(self) -> FollowUpsController:
        self.build_follow_ups()
        assert self._follow_ups is not None
        return self._follow_ups[1]

    def is_built(self, name: str) -> bool:
        return {
            "scan": self._scan,
            "customer": self._customer,
            "settings": self._settings,
            "clientbook": self._client_book,
            "followups": self._follow_ups,
            "dashboard": self.dashboard,
        }[name] is not None

    def name_of(self, widget: object) -> str:
        """Which screen ``widget`` is: scan | customer | settings | clientbook | followups |
        dashboard, or "other" (a hosted screen: sign-in, enrolment)."""
        if widget is None:
            return "other"
        for name, built in (
            ("customer", self._customer),
            ("settings", self._settings),
            ("scan", self._scan),
            ("clientbook", self._client_book),
            ("followups", self._follow_ups),
        ):
            if built is not None and widget is built[0]:
                return name
        if self.dashboard is not None and widget is self.dashboard.view:
            return "dashboard"
        return "other"

    # --- what every screen follows -----------------------------------------------------------

    def set_layout_mode(self, mode: str) -> None:
        if self._scan is not None:
            self._scan[0].set_layout_mode(mode)
        if self._customer is not None:
            self._customer[0].set_layout_mode(mode)

    def set_staff(self, staff_id: str | None) -> None:
        """The signed-in associate: recorded with every interaction from now."""
        self.staff_id = staff_id
        if self._scan is not None:
            self._scan[1].staff_id = staff_id
        if self._customer is not None:
            self._customer[2].staff_id = staff_id
        if self.signup is not None:
            self.signup.staff_id = staff_id
        if self.link is not None:
            self.link.staff_id = staff_id

    def retranslate(self) -> None:
        """The language changed: the models' texts, and what the customer screen shows."""
        self.recent_model.retranslate()
        self.search_model.retranslate()
        if self._client_book is not None:
            self._client_book[0].model.retranslate()
        if self._follow_ups is not None:
            self._follow_ups[0].model.retranslate()
        if self._customer is not None:
            _view, models, controller = self._customer
            for model in models.all():
                model.retranslate()
            controller.retranslate()

    def shutdown(self) -> None:
        if self._scan is not None and self._scan[2].on:
            self._scan[2].set_on(False)
        self.close_dashboard()
        if self._settings is not None:
            self._settings[1].shutdown()


# --- the hosted screens, and the dashboard --------------------------------------------------------


def signin_screen(
    auth: StaffDoor,
    *,
    inputs: LastInput,
    idle_minutes: float = 5,
    clock: Callable[[], float] = time.monotonic,
    check_ms: int = 1000,
    parent: Any = None,
) -> SignInController:
    """The sign-in screen (its controller; the view is ``.view``), its staff list loading.

    ``inputs``: the app's :class:`ui.wedge.WedgeFilter` (it stamps the last user input, on
    ``clock``, for the idle lock)."""
    from ui.controllers.signin_controller import SignInController
    from ui.models.staff_model import StaffModel
    from ui.views.signin_view import SignInView

    view = SignInView(StaffModel(), parent)
    runner = TaskRunner("signin", max_threads=1, parent=view)
    controller = SignInController(
        auth,
        view,
        runner,
        inputs=inputs,
        idle_minutes=idle_minutes,
        clock=clock,
        check_ms=check_ms,
        parent=view,
    )
    controller.load_roster()
    return controller


def enrol_screen(
    enrolment: Enrolment,
    *,
    choose_image: Callable[[], str | None] | None = None,
    parent: Any = None,
) -> EnrolController:
    """The enrolment screen (its controller; the view is ``.view``)."""
    from ui.controllers.enrol_controller import EnrolController
    from ui.views.enrol_view import EnrolView

    view = EnrolView(parent)
    runner = TaskRunner("enrol", max_threads=1, parent=view)
    return EnrolController(view, enrolment, runner, choose_image=choose_image, parent=view)


def dashboard_screen(
    session: Session | None,
    terminal: TerminalPort,
    *,
    tz: tzinfo | None = None,
    bridge: MessageBridge | None = None,
    clock: Callable[[], float] | None = None,
    choose_path: Callable[[str], str | None] | None = None,
    refresh_ms: int = 60_000,
    parent: Any = None,
) -> DashboardController:
    """The manager's dashboard (its controller; the view is ``.view``) on its own worker,
    the figures of store-local days in ``tz`` (default: this machine's zone), "today" by
    ``clock`` (default: the terminal's). Raises
    PermissionDeniedError, before building anything, unless ``session`` is a manager's."""
    checked = require(session, "dashboard")
    from ui.controllers.dashboard_controller import DashboardController, local_zone
    from ui.models.dashboard_models import DashboardModels
    from ui.views.dashboard_view import DashboardView

    source = terminal.dashboard(tz or local_zone())
    view = DashboardView(DashboardModels(), parent)
    runner = TaskRunner("dashboard", max_threads=1, parent=view)
    return DashboardController(
        checked,
        view,
        source,
        runner,
        bridge=bridge,
        clock=clock or terminal.clock,
        choose_path=choose_path,
        refresh_ms=refresh_ms,
        parent=view,
    )
