"""Starting the app: the QApplication, theme, language, the window, the wedge, the sync worker.

``run_app`` is what ``clerk`` (no command) runs: ``build_app`` puts the window together with
the sign-in screen in front (``ui.controllers.access_controller``) — or, on a terminal that is
not enrolled yet, the enrolment screen first (``ui.controllers.enrol_controller``: enrol, first
download, then sign-in). ``build_window`` (the window alone, no sign-in) is shared with the
demo and the tests. The sync engine is created after the first screen is up (it opens files
and may talk to the hub), so the screen comes first. The window holds the terminal as a
:class:`clerk.ports.TerminalPort`.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clerk.errors import ClerkError
from ui import texts, theme
from ui.controllers.access_controller import AccessController
from ui.i18n import Translations, normalize_language
from ui.main_window import MainWindow
from ui.messages import MessageBridge
from ui.qt import (
    QApplication,
    QCoreApplication,
    QEvent,
    QGuiApplication,
    QLocale,
    QMargins,
    QMessageBox,
    QObject,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    QWidget,
    translate,
)
from ui.screens import enrol_screen, signin_screen
from ui.wedge import WedgeFilter, scanner_settings
from ui.workers import GuiThreadGc, Runners, SyncWorker, TaskRunner

if TYPE_CHECKING:
    from clerk.ports import StaffDoor, TerminalPort
    from sync.enrolment import Enrolment
    from ui.controllers.camera_controller import SourceFactory
    from ui.controllers.enrol_controller import EnrolController
    from ui.controllers.settings_controller import Cameras, Diagnostics

log = logging.getLogger(__name__)

DESKTOP_SIZE = (1366, 860)  # preferred first sizes; a smaller screen gets less (first_geometry)
HANDHELD_SIZE = (414, 860)


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (or the existing one), themed."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_DontCreateNativeWidgetSiblings)
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName("omni-clerk")
        app.setOrganizationName("Omni Clerk")
        app.setApplicationDisplayName("Omni Clerk")
    if app.findChild(GuiThreadGc) is None:
        GuiThreadGc(parent=app)  # Qt objects in garbage cycles die on the GUI thread only
    theme.apply(app)
    return app


@dataclass
class Session:
    """One window and everything it runs with."""

    app: QApplication
    window: MainWindow
    bridge: MessageBridge
    translations: Translations
    runners: Runners
    wedge: WedgeFilter
    sync: SyncWorker | None = None
    access: AccessController | None = None  # the sign-in screen and the staff session
    enrol: EnrolController | None = None  # while the terminal is being enrolled
    engine_factory: Callable[[], Any] | None = None
    sync_interval: float = 30.0
    previous_locale: QLocale | None = None  # the default locale before this window set one
    sync_runners: list[TaskRunner] = field(default_factory=list)
    made_engines: list[Any] = field(default_factory=list)  # made, not yet given to a worker
    retiring: list[SyncWorker] = field(default_factory=list)  # stopping for a restart
    closing: bool = False

    def start_sync(self) -> None:
        """Start the sync worker (once; not before the terminal is enrolled)."""
        if self.engine_factory is not None and self.sync is None and self.enrol is None:
            start_sync(self, self.engine_factory, self.sync_interval)

    def restart_sync(self) -> None:
        """The hub address changed: end the running loop, then start one on a new engine."""
        old, self.sync = self.sync, None
        if old is None:
            self.start_sync()
            return

        def ended(running: bool = False) -> None:
            if running or old not in self.retiring:
                return
            self.retiring.remove(old)
            _close_engine(old.engine)
            if not self.closing:
                self.start_sync()

        self.retiring.append(old)
        if old.running:
            old.running_changed.connect(ended)
            old.stop(wait_ms=0)  # the loop ends after its current round
        else:
            ended()

    def close(self) -> None:
        self.closing = True
        self.app.removeEventFilter(self.wedge)
        if self.enrol is not None:
            self.enrol.shutdown()
        if self.access is not None:
            self.access.shutdown()
        self.window.shutdown()  # stops the sync loop
        for worker in self.retiring:  # a restart still under way
            worker.stop()
            _close_engine(worker.engine)
        self.retiring.clear()
        for runner in self.sync_runners:
            runner.close()  # an engine still being made is waited for; its callback dropped
        for engine in self.made_engines:
            _close_engine(engine)
        self.made_engines.clear()
        if self.sync is not None:
            _close_engine(self.sync.engine)
        self.window.close()
        self.window.deleteLater()
        # The catalogues and locale this window installed go with it (the application may
        # live on: the demo's screenshots, tests).
        self.translations.uninstall()
        if self.previous_locale is not None:
            QLocale.setDefault(self.previous_locale)


def _close_engine(engine: Any) -> None:
    closer = getattr(engine, "close", None)
    if callable(closer):
        closer()


def resolve_language(terminal: TerminalPort, lang: str | None) -> str:
    if lang and lang != "auto":
        return normalize_language(lang)
    setting = str(terminal.settings.get("language") or "auto")
    return normalize_language(None if setting == "auto" else setting)


def resolve_layout(terminal: TerminalPort, layout: str | None) -> str:
    if layout and layout != "auto":
        return layout
    return str(terminal.settings.get("layout") or "auto")


def associate_name(terminal: TerminalPort, staff_id: str | None) -> str:
    if not staff_id:
        return ""
    try:
        name = terminal.staff_name(staff_id)
    except ClerkError:
        name = None
    return f"{name} ({staff_id})" if name else staff_id


def build_window(
    terminal: TerminalPort,
    *,
    lang: str | None = None,
    layout: str | None = None,
    staff_id: str | None = None,
    synchronous: bool = False,
    camera_source_factory: SourceFactory | None = None,
    camera_decode: Callable[..., list[Any]] | None = None,
    wedge_clock: Callable[[], float] | None = None,
    input_clock: Callable[[], float] = time.monotonic,
    cameras: Cameras | None = None,
    diagnostics: Diagnostics | None = None,
    defer_pages: bool = False,
) -> Session:
    """A ready-to-scan window for ``terminal`` (not shown, no sync yet, no sign-in).

    ``defer_pages``: build no screen yet (``MainWindow.deferred_steps`` or first use does) —
    for a window that opens on a hosted screen (sign-in, enrolment). ``input_clock``: the clock
    the wedge's filter stamps the last user input on (the idle lock's)."""
    app = create_application()
    previous_locale = QLocale()
    translations = Translations(parent=app)
    translations.set_language(resolve_language(terminal, lang))
    bridge = MessageBridge(app)
    runners = Runners.create(app, synchronous=synchronous)
    window = MainWindow(
        terminal,
        bridge=bridge,
        translations=translations,
        runners=runners,
        staff_id=staff_id,
        associate=associate_name(terminal, staff_id),
        layout=resolve_layout(terminal, layout),
        camera_source_factory=camera_source_factory,
        camera_decode=camera_decode,
        cameras=cameras,
        diagnostics=diagnostics,
        defer_pages=defer_pages,
    )
    wedge = (
        WedgeFilter(input_clock=input_clock, parent=window)
        if wedge_clock is None
        else WedgeFilter(clock=wedge_clock, input_clock=input_clock, parent=window)
    )
    wedge.configure(**scanner_settings(terminal))
    wedge.scanned.connect(window.inputs.on_wedge_scan)
    app.installEventFilter(wedge)
    return Session(
        app, window, bridge, translations, runners, wedge, previous_locale=previous_locale
    )


def is_enrolled(terminal: TerminalPort) -> bool:
    """The terminal has a device id (``clerk enroll`` or the enrolment screen ran)."""
    return terminal.device_id() is not None


def build_app(
    terminal: TerminalPort,
    engine_factory: Callable[[], Any] | None = None,
    *,
    lang: str | None = "auto",
    layout: str | None = "auto",
    auth: StaffDoor | None = None,
    idle_clock: Callable[[], float] = time.monotonic,
    idle_check_ms: int = 1000,
    enrolment: Enrolment | None = None,
    cameras: Cameras | None = None,
    diagnostics: Diagnostics | None = None,
    synchronous: bool = False,
) -> Session:
    """The whole app for ``terminal`` (not shown, sync not started): the window locked behind
    the sign-in screen, or behind the enrolment screen when the terminal is not enrolled yet.

    ``auth`` checks the PINs (default: the terminal itself); ``idle_clock`` and
    ``idle_check_ms`` drive the idle auto-lock; ``enrolment`` replaces the enrolment work
    (:class:`sync.enrolment.Enrolment`).
    """
    session = build_window(
        terminal,
        lang=lang,
        layout=layout,
        synchronous=synchronous,
        input_clock=idle_clock,  # the wedge's filter stamps input for the idle lock
        cameras=cameras,
        diagnostics=diagnostics,
        defer_pages=True,  # sign-in (or enrolment) comes first; the pages follow
    )
    window = session.window
    session.engine_factory = engine_factory
    session.sync_interval = float(terminal.settings.get("sync_interval_s") or 30)
    signin = signin_screen(
        auth if auth is not None else terminal,
        inputs=session.wedge,
        idle_minutes=float(terminal.settings.get("idle_lock_minutes") or 5),
        clock=idle_clock,
        check_ms=idle_check_ms,
        parent=window.pages,
    )
    access = AccessController(window, signin, parent=window)
    session.access = access
    # A sync may bring new staff: the sign-in list follows while it is on screen.
    window.status.synced.connect(lambda _r: signin.load_roster() if window.nav.locked else None)
    window.settings_saved.connect(
        lambda saved: session.restart_sync() if "hub_url" in saved else None
    )
    if is_enrolled(terminal):
        access.show_signin()
    else:
        show_enrolment(session, enrolment)
    return session


def show_enrolment(session: Session, enrolment: Enrolment | None = None) -> None:
    """First start: the enrolment screen; once enrolled and downloaded, sign-in and sync."""
    from sync.enrolment import Enrolment

    window = session.window
    terminal = window.terminal
    enrol = enrol_screen(
        enrolment or Enrolment(terminal.home, terminal.settings), parent=window.pages
    )
    session.enrol = enrol
    window.inputs.set_scan_handler(enrol.view, enrol.take_scan)
    window.nav.show_page(enrol.view)

    def done(_report: object) -> None:
        log.info("terminal enrolled; first download done")
        session.enrol = None
        assert session.access is not None
        session.access.show_signin()
        window.status.refresh()
        session.start_sync()
        enrol.shutdown(0)  # its last task has just reported
        window.pages.removeWidget(enrol.view)
        enrol.view.deleteLater()

    enrol.finished.connect(done)


def start_sync(session: Session, engine_factory: Callable[[], Any], interval: float) -> None:
    """Create the engine on the sync worker's thread (its imports and files are not the GUI's
    business), then start its loop; not enrolled → a message, the app works offline."""
    runner = TaskRunner("sync", max_threads=1, parent=session.window)
    session.sync_runners.append(runner)
    made = session.made_engines

    def make() -> Any:
        engine = engine_factory()
        made.append(engine)  # closed by Session.close if the app ends before it is started
        return engine

    def started(engine: Any) -> None:
        made.remove(engine)
        worker = SyncWorker(
            engine, interval=interval, runner=runner, live=True, parent=session.window
        )
        session.sync = worker
        session.window.attach_sync(worker)
        worker.start()

    def failed(exc: BaseException) -> None:
        if not isinstance(exc, ClerkError):
            raise exc
        log.warning("sync not started: %s", exc)
        session.bridge.warning(texts.reason_message(exc.reason), key="sync")

    runner.submit(make, started, failed)


class FirstPaint(QObject):
    """Runs callbacks, in order, once ``widget`` has painted for the first time (each on its
    own turn of the event loop, so the screen is up before any of them)."""

    def __init__(self, widget: QWidget, callbacks: list[Callable[[], object]]) -> None:
        super().__init__(widget)
        self.callbacks = callbacks
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            for callback in self.callbacks:
                QTimer.singleShot(0, self, callback)
        return False


def ready_report() -> Callable[[], None] | None:
    """``CLERK_REPORT_READY=1``: print ``READY`` on stdout once the first screen (sign-in, or
    enrolment) has painted (``=exit``: and quit) — how bench/ui_start.py times a real start."""
    mode = os.environ.get("CLERK_REPORT_READY", "")
    if not mode:
        return None

    def report() -> None:
        print("READY", flush=True)
        if mode == "exit":
            QApplication.quit()

    return report


def initial_size(layout: str) -> tuple[int, int]:
    """The size a window of ``layout`` would like to open at (a screen may give it less)."""
    return HANDHELD_SIZE if layout == "handheld" else DESKTOP_SIZE


@dataclass(frozen=True)
class Placement:
    rect: QRect  # the window's own geometry (inside its frame)
    maximized: bool  # the preferred size did not fit: the window takes what the screen gives


def first_geometry(preferred: QSize, minimum: QSize, area: QRect, frame: QMargins) -> Placement:
    """Where a window opens in ``area`` — the available geometry of its screen (without task
    bars and panels) — when the window manager frames it with ``frame``: at ``preferred``
    size, centred, when that fits frame and all; else filling the area, maximized. Never
    smaller than ``minimum``: on a screen smaller than that the frame starts at the area's
    top left corner (its title bar on the screen, where it can be grabbed)."""
    room = area.marginsRemoved(frame)
    if preferred.width() <= room.width() and preferred.height() <= room.height():
        rect = QRect(QPoint(0, 0), preferred)
        rect.moveCenter(room.center())
        return Placement(rect, False)
    fits = minimum.width() <= room.width() and minimum.height() <= room.height()
    return Placement(QRect(room.topLeft(), room.size().expandedTo(minimum)), fits)


def frame_margins(window: QWidget) -> QMargins:
    """What the window manager adds around ``window`` (nothing known before it is shown)."""
    frame, inner = window.frameGeometry(), window.geometry()
    return QMargins(
        inner.left() - frame.left(),
        inner.top() - frame.top(),
        frame.right() - inner.right(),
        frame.bottom() - inner.bottom(),
    )


def show_fitted(window: QWidget, layout: str) -> Placement:
    """Show ``window`` at its layout's preferred size clamped to the available geometry of the
    screen it opens on (maximized when the preferred size does not fit); :class:`FrameFit`
    then keeps the frame on the screen once the window manager has drawn it."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    preferred = QSize(*initial_size(layout))
    placed = first_geometry(
        preferred, window.minimumSize(), screen.availableGeometry(), frame_margins(window)
    )
    window.setGeometry(placed.rect)
    FrameFit(window, preferred)
    if placed.maximized:
        window.showMaximized()
    else:
        window.show()
    log.info(
        "window %dx%d%s on a %dx%d screen area",
        placed.rect.width(),
        placed.rect.height(),
        " (maximized)" if placed.maximized else "",
        screen.availableGeometry().width(),
        screen.availableGeometry().height(),
    )
    return placed


class FrameFit(QObject):
    """For ``settle_ms`` after a window is first shown: once the window manager has framed it
    (the frame's size is known only then), a frame reaching past the available geometry of
    its screen is brought back in — moved, the least it takes, when it fits; else re-placed
    by :func:`first_geometry` with the real frame (at most ``MAX_FIXES`` times: a window
    manager that insists wins). A maximized window is the window manager's to fit."""

    MAX_FIXES = 3

    def __init__(self, window: QWidget, preferred: QSize, settle_ms: int = 3000) -> None:
        super().__init__(window)
        self.target = window
        self.preferred = preferred
        self.fixes = 0
        self._queued = False
        window.installEventFilter(self)
        QTimer.singleShot(settle_ms, self, self.done)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        placed = (
            QEvent.Type.Show,
            QEvent.Type.Move,
            QEvent.Type.Resize,
            QEvent.Type.WindowStateChange,
        )
        if watched is self.target and kind in placed and not self._queued:
            self._queued = True
            QTimer.singleShot(0, self, self.check)
        return False

    def check(self) -> None:
        self._queued = False
        window = self.target
        if self.fixes >= self.MAX_FIXES or not window.isVisible():
            return
        if window.isMaximized() or window.isFullScreen():
            return  # the window manager fits it to the screen
        area = window.screen().availableGeometry()
        frame = window.frameGeometry()
        if area.contains(frame):
            return
        self.fixes += 1
        log.info("window frame %s outside the screen's %s: brought in", frame, area)
        if frame.width() <= area.width() and frame.height() <= area.height():
            # It fits: moved in (``move`` places the frame), the least it can move.
            x = min(max(frame.left(), area.left()), area.right() - frame.width() + 1)
            y = min(max(frame.top(), area.top()), area.bottom() - frame.height() + 1)
            window.move(x, y)
            return
        margins = frame_margins(window)
        placed = first_geometry(self.preferred, window.minimumSize(), area, margins)
        window.setGeometry(placed.rect)
        if placed.maximized:
            window.showMaximized()

    def done(self) -> None:
        self.target.removeEventFilter(self)
        self.deleteLater()


def run_app(
    terminal: TerminalPort,
    engine_factory: Callable[[], Any],
    *,
    lang: str | None = "auto",
    layout: str | None = "auto",
    after_first_paint: Sequence[Callable[[], object]] = (),
    doorbell: str | None = None,
) -> int:
    """The terminal: sign-in (enrolment first on a new terminal), then the associate's
    screens; runs until the window is closed; returns the exit code. ``after_first_paint``
    run once the first screen is up (before the other pages are built). ``doorbell``: the
    local socket a second launch rings to bring this window forward (``ui.doorbell``; the
    caller holds the instance lock that makes the name its own)."""
    create_application()
    session = build_app(terminal, engine_factory, lang=lang, layout=layout)
    window = session.window
    guard = session.app.findChild(GuiThreadGc)
    first = window.pages.currentWidget()
    assert first is not None
    first_page, *other_pages = window.deferred_steps()
    steps = [
        ready_report(),
        lambda: log.info("first screen up: %s", first.objectName()),
        (lambda: open_doorbell(window, doorbell)) if doorbell else None,
        *after_first_paint,
        window.status.start,
        first_page,  # the scan page: what sign-in leads to
        session.start_sync,
        *other_pages,
        guard.freeze if guard is not None else None,
        window.start_warmup,  # the catalogue laid out while nobody is served (ui/warmup.py)
    ]
    FirstPaint(first, [step for step in steps if step is not None])
    show_fitted(window, resolve_layout(terminal, layout))
    try:
        return int(session.app.exec())
    finally:
        session.close()


def open_doorbell(window: QWidget, name: str) -> None:
    """Answer a second launch on this data directory: it rings ``name``, the window comes
    to the front (``ui.doorbell``)."""
    from ui.doorbell import Doorbell, FrontDoor

    bell = Doorbell(name, parent=window)
    FrontDoor(window, bell)
    bell.listen()


# --- when the app cannot start --------------------------------------------------------------


def can_show_windows() -> bool:
    """A display to show a window on (not the offscreen platform of tests and benchmarks)."""
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal"):
        return False
    return sys.platform in ("win32", "darwin") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def start_error_box(exc: ClerkError) -> QMessageBox:
    """The message for an app that cannot start (no window of its own yet): what to do, in
    this machine's language, and the error itself for IT (details)."""
    create_application()
    box = QMessageBox()
    box.setObjectName("startError")
    # The machine's language (the terminal's own setting may be what cannot be read); the
    # catalogues go with the box.
    Translations(parent=box).set_language(normalize_language(None))
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(translate("App", "Omni Clerk"))
    box.setText(translate("App", "Omni Clerk cannot start."))
    box.setInformativeText(texts.reason_message(exc.reason))
    box.setDetailedText(str(exc))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.setStyleSheet(  # sentences, not a narrow column
        "QLabel#qt_msgbox_label, QLabel#qt_msgbox_informativelabel { min-width: 400px; }"
    )
    return box


def show_start_error(exc: ClerkError) -> None:
    """Started from a desktop icon nobody sees stderr: say why the app did not open."""
    if can_show_windows():
        start_error_box(exc).exec()
