"""Starting the app: the QApplication, theme, language, the window, the wedge, the sync worker.

``run_app`` is what ``clerk`` (no command) runs; ``build_window`` is shared with the demo and
the tests. The sync engine is created after the window is on screen (it opens files and may
talk to the hub), so ready-to-scan comes first.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clerk.errors import ClerkError
from ui import texts, theme
from ui.controllers.camera import SourceFactory
from ui.i18n import Translations, normalize_language
from ui.main_window import MainWindow, Runners
from ui.messages import MessageBridge
from ui.qt import QApplication, QCoreApplication, QEvent, QObject, Qt, QTimer, QWidget
from ui.wedge import WedgeFilter
from ui.workers import GuiThreadGc, SyncWorker, TaskRunner

log = logging.getLogger(__name__)

DESKTOP_SIZE = (1366, 860)
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

    def close(self) -> None:
        self.app.removeEventFilter(self.wedge)
        self.window.shutdown()
        if self.sync is not None:
            closer = getattr(self.sync.engine, "close", None)
            if callable(closer):
                closer()
        self.window.close()
        self.window.deleteLater()


def resolve_language(terminal: Any, lang: str | None) -> str:
    if lang and lang != "auto":
        return normalize_language(lang)
    setting = str(terminal.settings.get("language") or "auto")
    return normalize_language(None if setting == "auto" else setting)


def resolve_layout(terminal: Any, layout: str | None) -> str:
    if layout and layout != "auto":
        return layout
    return str(terminal.settings.get("layout") or "auto")


def associate_name(terminal: Any, staff_id: str | None) -> str:
    if not staff_id:
        return ""
    lookup = getattr(terminal, "staff_name", None)
    if callable(lookup):
        try:
            name = lookup(staff_id)
        except ClerkError:
            name = None
        if name:
            return f"{name} ({staff_id})"
    return staff_id


def build_window(
    terminal: Any,
    *,
    lang: str | None = None,
    layout: str | None = None,
    staff_id: str | None = None,
    synchronous: bool = False,
    camera_source_factory: SourceFactory | None = None,
    camera_decode: Callable[..., list[Any]] | None = None,
    wedge_clock: Callable[[], float] | None = None,
) -> Session:
    """A ready-to-scan window for ``terminal`` (not shown, no sync yet)."""
    app = create_application()
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
    )
    wedge = (
        WedgeFilter(parent=window)
        if wedge_clock is None
        else WedgeFilter(clock=wedge_clock, parent=window)
    )
    wedge.scanned.connect(window.on_wedge_scan)
    app.installEventFilter(wedge)
    return Session(app, window, bridge, translations, runners, wedge)


def start_sync(session: Session, engine_factory: Callable[[], Any], interval: float) -> None:
    """Create the engine on the sync worker's thread (its imports and files are not the GUI's
    business), then start its loop; not enrolled → a message, the app works offline."""
    runner = TaskRunner("sync", max_threads=1, parent=session.window)

    def started(engine: Any) -> None:
        worker = SyncWorker(engine, interval=interval, runner=runner, parent=session.window)
        session.sync = worker
        session.window.attach_sync(worker)
        session.window.customer.recorded.connect(lambda _rec: worker.wake())
        worker.start()

    def failed(exc: BaseException) -> None:
        if not isinstance(exc, ClerkError):
            raise exc
        log.warning("sync not started: %s", exc)
        session.bridge.warning(texts.reason_message(exc.reason), key="sync")

    runner.submit(engine_factory, started, failed)


class FirstPaint(QObject):
    """Runs callbacks, in order, once ``widget`` has painted for the first time (each on its
    own turn of the event loop, so the screen is up before any of them)."""

    def __init__(self, widget: QWidget, callbacks: list[Callable[[], None]]) -> None:
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
    """``CLERK_REPORT_READY=1``: print ``READY`` on stdout once the scan screen has painted
    (``=exit``: and quit) — how bench/ui_start.py times a real start."""
    mode = os.environ.get("CLERK_REPORT_READY", "")
    if not mode:
        return None

    def report() -> None:
        print("READY", flush=True)
        if mode == "exit":
            QApplication.quit()

    return report


def initial_size(layout: str) -> tuple[int, int]:
    return HANDHELD_SIZE if layout == "handheld" else DESKTOP_SIZE


def run_app(
    terminal: Any,
    engine_factory: Callable[[], Any],
    *,
    lang: str | None = "auto",
    layout: str | None = "auto",
    staff_id: str | None = None,
) -> int:
    """The associate's terminal: runs until the window is closed; returns the exit code."""
    create_application()
    session = build_window(terminal, lang=lang, layout=layout, staff_id=staff_id)
    window = session.window
    window.resize(*initial_size(resolve_layout(terminal, layout)))
    interval = float(terminal.settings.get("sync_interval_s") or 30)
    guard = session.app.findChild(GuiThreadGc)
    after_first_paint = [
        ready_report(),
        window.status.start,
        lambda: start_sync(session, engine_factory, interval),
        window.build_deferred,
        guard.freeze if guard is not None else None,
    ]
    FirstPaint(window.scan_page, [c for c in after_first_paint if c is not None])
    window.show()
    try:
        return int(session.app.exec())
    finally:
        session.close()
