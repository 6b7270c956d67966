"""Network, sync and health: the status bar, the stale-cache / clock banner, the sync worker.

``TerminalPort.status()`` is read on the terminal runner every few seconds and whenever the
sync worker reports or something is recorded; it and the worker's reachability feed the one
:class:`ui.models.sync_state_model.SyncState` (``self.state``), which the status bar, the banner and
the customer's header all render from. Sync errors go to the message bridge (once per distinct
error, not on every retry); F5 asks the worker for a round now (:meth:`sync_now`) and always
says how it went — offline, it says so at once, and why (no network / hub unreachable).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from clerk.errors import ClerkError
from ui import texts
from ui.i18n import fmt_datetime
from ui.messages import MessageBridge
from ui.models.sync_state_model import SyncState
from ui.qt import QObject, QTimer, Signal, translate
from ui.views.status_view import StatusBarView
from ui.views.widgets import Banner
from ui.workers import SyncWorker, TaskRunner

if TYPE_CHECKING:
    from clerk.ports import TerminalPort, TerminalStatus

log = logging.getLogger(__name__)


class StatusController(QObject):
    status_changed = Signal(object)  # clerk.ports.TerminalStatus
    synced = Signal(object)

    def __init__(
        self,
        terminal: TerminalPort,
        runner: TaskRunner,
        bridge: MessageBridge,
        bar: StatusBarView,
        banner: Banner,
        *,
        associate: str = "",
        clock: Callable[[], float] = time.time,
        poll_ms: int = 5000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.runner = runner
        self.bridge = bridge
        self.bar = bar
        self.banner = banner
        self.associate = associate
        self.manager = False  # the signed-in person is a store manager
        self.clock = clock
        self.state = SyncState(self)
        self.state.changed.connect(self.render)
        self.sync_running = False
        self._last_error: str | None = None
        self._polling = False
        self._again = False
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.refresh)
        self.worker: SyncWorker | None = None

    def start(self) -> None:
        self.refresh()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    @property
    def status(self) -> TerminalStatus | None:
        return self.state.status

    def attach_sync(self, worker: SyncWorker) -> None:
        self.worker = worker
        worker.synced.connect(self._on_synced)
        worker.failed.connect(self._on_sync_failed)
        worker.running_changed.connect(self._on_running)
        worker.reachability.connect(self.state.set_reachable)

    def sync_now(self) -> None:
        """A sync round now (F5, the settings screen's button). Its outcome is always said
        (not only a new error); offline it says so at once, and why, and tries anyway."""
        if self.worker is None:
            self.bridge.warning(texts.reason_message("offline"), key="sync")
            return
        self.state.asked = True
        self._last_error = None
        if self.state.known and not self.state.online:
            self.bridge.warning(self.offline_text(), key="sync")
        else:
            self.bridge.info(translate("MainWindow", "Syncing…"), key="sync")
        self.worker.sync_now()

    def on_recorded(self) -> None:
        """Something was recorded: counts re-read now, the worker syncs it soon."""
        self.refresh()
        if self.worker is not None:
            self.worker.wake()

    def offline_text(self) -> str:
        if self.state.why == "no_network":
            return translate(
                "Status",
                "Offline — no network. Everything you record is saved on this terminal and "
                "syncs when the network is back.",
            )
        if self.state.why == "hub_unreachable":
            return translate(
                "Status",
                "Offline — the hub does not answer. Everything you record is saved on this "
                "terminal and syncs as soon as it does.",
            )
        return translate(
            "Status",
            "Working offline — everything you record is saved on this terminal and "
            "syncs when the network is back.",
        )

    # --- reading status ----------------------------------------------------------------------

    def refresh(self) -> None:
        if self._polling:  # one read at a time; asked meanwhile, it reads again after it
            self._again = True
            return
        self._polling = True
        self._again = False
        self.runner.submit(self.terminal.status, self._on_status, self._on_status_failed)

    def _on_status(self, status: TerminalStatus) -> None:
        self._polling = False
        self.state.set_status(status)
        self.status_changed.emit(status)
        if self._again:  # something changed while it was read (a round settled, a record)
            self.refresh()

    def _on_status_failed(self, exc: BaseException) -> None:
        self._polling = False
        self._again = False
        if isinstance(exc, ClerkError):
            self._error_once(texts.reason_message(exc.reason))
        else:
            raise exc

    def _on_synced(self, result: object) -> None:
        self._last_error = None
        if self.state.asked:
            self.state.asked = False
            self.bridge.success(translate("Status", "Synced with the hub"), key="sync")
        self.synced.emit(result)
        self.refresh()

    def _on_sync_failed(self, exc: object) -> None:
        reason = getattr(exc, "reason", None)
        if reason == "offline":
            text = self.offline_text()
        elif reason in texts.REASONS:
            text = texts.reason_message(reason)
        else:
            text = texts.fill(
                translate("Status", "Sync failed: %1 — it retries by itself."), str(exc)
            )
        if self.state.asked:  # F5: its outcome is said, even when it is the same as before
            self.state.asked = False
            self._last_error = None
        self._error_once(text)
        self.refresh()

    def _on_running(self, running: bool) -> None:
        self.sync_running = running
        self.render()

    def _error_once(self, text: str) -> None:
        if text != self._last_error:
            self._last_error = text
            self.bridge.warning(text, key="sync")

    # --- rendering ---------------------------------------------------------------------------

    def render(self) -> None:
        state = self.state
        s = state.status
        bar = self.bar
        if self.associate:
            sentence = texts.fill(
                translate("Status", "Manager: %1")
                if self.manager
                else translate("Status", "Associate: %1"),
                self.associate,
            )
            # A handheld's bar has no room for the sentence: the name (the icon says who).
            bar.associate.set_text(
                self.associate if bar.compact else sentence, sentence, whole=True
            )
        else:
            bar.associate.set_text(translate("Status", "No associate signed in"))
        if s is None:
            return
        now = int(self.clock())
        if state.online:
            bar.network.set_icon("online", "good")
            bar.network.set_text(translate("Status", "Online"))
        else:
            bar.network.set_icon("offline", "warn")
            bar.network.set_text(translate("Status", "Offline"))
        if s.last_pull_at:
            bar.last_sync.set_text(
                texts.fill(translate("Status", "Last sync %1"), fmt_datetime(s.last_pull_at, now))
            )
        else:
            bar.last_sync.set_text(translate("Status", "Never synced"))
        problems = state.problems  # parked: a person looks
        parts = []
        if s.pending:
            parts.append(translate("Status", "%n waiting to sync", None, s.pending))
            bar.pending.set_icon("clock", "warn")
        elif not problems:
            parts.append(translate("Status", "All records synced"))
            bar.pending.set_icon("check", "good")
        if problems:  # never "all synced" beside records a manager must look at
            parts.append(translate("Status", "%n need a manager", None, problems))
            bar.pending.set_icon("warning", "bad")
        bar.pending.set_text(" · ".join(parts))
        self._render_banner(s)

    def _render_banner(self, s: TerminalStatus) -> None:
        lines = []
        tone = "warn"
        if s.device_revoked:
            lines.append(
                translate(
                    "Status",
                    "This terminal was removed from the store — ask IT. Nothing recorded here "
                    "is lost: IT can export the unsent records.",
                )
            )
            tone = "bad"
        if s.clone_suspected:
            lines.append(
                translate(
                    "Status",
                    "This terminal looks like a copy of another one (the hub saw its records "
                    "twice). Ask IT to enrol it again before recording more.",
                )
            )
            tone = "bad"
        if s.clock_suspect:
            offset = abs(float(s.clock_offset_s or 0.0))
            minutes = max(1, round(offset / 60))
            lines.append(
                translate(
                    "Status",
                    "This terminal's clock is off by about %n minute(s) — member codes may be "
                    "rejected. Set the date and time.",
                    None,
                    minutes,
                )
            )
            tone = "bad"
        if s.cache_stale:
            if s.last_pull_at:
                lines.append(
                    texts.fill(
                        translate(
                            "Status",
                            "Customer data is from %1 — more than a day old. Connect to the "
                            "network to sync.",
                        ),
                        fmt_datetime(s.last_pull_at, int(self.clock())),
                    )
                )
            else:
                lines.append(
                    translate(
                        "Status",
                        "This terminal has no customer data yet — connect to the network to sync.",
                    )
                )
        if not self.state.online and not lines:
            tone = "info"
            lines.append(self.offline_text())
        if s.cache_rebuilt:
            lines.append(
                translate(
                    "Status", "The local cache was damaged and is being rebuilt from the hub."
                )
            )
        if lines:
            self.banner.set_tone(tone, "info" if tone == "info" else "warning")
            self.banner.show_text("\n".join(lines))
        else:
            self.banner.hide()

    def retranslate(self) -> None:
        self.render()
