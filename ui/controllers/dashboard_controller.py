"""The manager's dashboard: compute off the GUI thread, fill the view, drill down, export,
resolve conflicts.

Managers only, at every door: :class:`DashboardPage` refuses to build and
:class:`DashboardController` refuses to start without a manager session, and the
``clerk.reports`` functions they call check the session again.

Threads: :class:`DashboardSource` does the work. Each call opens its own read connections to
cache.db and outbox.db (and, to export or resolve, its own short-lived writer to outbox.db:
``BEGIN IMMEDIATE`` serialises it with the terminal's and the sync engine's writers), runs on
the dashboard's :class:`~ui.workers.TaskRunner` thread and closes them again. Results come
back to the GUI thread through the runner's signal; a result for a day that is no longer
asked for is dropped.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from clerk.cache import connect_readonly, open_cache
from clerk.db import connect
from clerk.errors import ClerkError, StorageError
from clerk.outbox import META_STORE_ID, Recorded, get_meta
from clerk.reports.conflicts import resolve_conflict, sync_health
from clerk.reports.export import export_csv
from clerk.reports.kpis import day_summary, filter_visits
from clerk.reports.model import AssociateStats, Conflict, DaySummary, SyncHealth
from clerk.staff import Session, allowed, require
from ui.i18n import fmt_date, fmt_money, fmt_number
from ui.messages import MessageBridge
from ui.models.dashboard_models import ItemRole, duration
from ui.qt import (
    QDate,
    QFileDialog,
    QObject,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    is_alive,
    translate,
)
from ui.views.dashboard_view import DashboardView
from ui.workers import TaskRunner

log = logging.getLogger(__name__)

Clock = Callable[[], float]


def local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


@dataclass(frozen=True)
class DashboardData:
    summary: DaySummary
    health: SyncHealth
    computed_at: int


class DashboardSource:
    """Qt-free: the dashboard's reads and writes.

    Reads go through two read-only connections opened on first use and kept (with a larger
    page cache: pages are decrypted once, not on every refresh) — so a source is used by one
    thread at a time, the dashboard's worker. Exports and decisions open a short-lived writer.
    ``close()`` closes the readers.
    """

    READ_CACHE_KIB = 32 * 1024  # per connection

    def __init__(
        self, cache_path: Path, outbox_path: Path, *, tz: tzinfo, clock: Clock = time.time
    ) -> None:
        self.cache_path = Path(cache_path)
        self.outbox_path = Path(outbox_path)
        self.tz = tz
        self.clock = clock
        self._conns: tuple[sqlite3.Connection, sqlite3.Connection] | None = None

    def _readers(self) -> tuple[sqlite3.Connection, sqlite3.Connection]:
        if self._conns is None:
            cache = open_cache(self.cache_path, readonly=True)
            try:
                outbox = connect_readonly(self.outbox_path)
            except BaseException:
                cache.close()
                raise
            for conn in (cache, outbox):
                conn.execute(f"PRAGMA cache_size = -{self.READ_CACHE_KIB}")
            self._conns = (cache, outbox)
        return self._conns

    def close(self) -> None:
        if self._conns is not None:
            for conn in self._conns:
                conn.close()
            self._conns = None

    def store_id(self, outbox: sqlite3.Connection) -> str | None:
        return get_meta(outbox, META_STORE_ID)

    def load(self, day: date) -> DashboardData:
        cache, outbox = self._readers()
        try:
            now = int(self.clock())
            summary = day_summary(cache, outbox, day, self.tz, self.store_id(outbox))
            health = sync_health(cache, outbox, now)
        except (ClerkError, sqlite3.Error) as exc:
            self.close()  # a file replaced under us (cache rebuilt): reopen next time
            if isinstance(exc, ClerkError):
                raise
            raise StorageError(f"cannot read the figures: {exc}") from exc
        return DashboardData(summary, health, now)

    def export(self, session: Session, date_from: date, date_to: date, path: Path) -> int:
        """Write the visits of the range as CSV to ``path`` (atomically); returns the rows."""
        cache = open_cache(self.cache_path, readonly=True)
        writer = connect(self.outbox_path, synchronous="FULL")
        try:
            text = export_csv(
                session,
                cache,
                writer,
                store_id=self.store_id(writer),
                date_from=date_from,
                date_to=date_to,
                tz=self.tz,
                now=int(self.clock()),
            )
        finally:
            cache.close()
            writer.close()
        path = Path(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".csv")
        try:
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise ClerkError(f"cannot write {path}: {exc}", reason="export_failed") from exc
        return max(0, text.count("\n") - 1)

    def resolve(self, session: Session, conflict_id: str, decision: str) -> Recorded:
        writer = connect(self.outbox_path, synchronous="FULL")
        try:
            return resolve_conflict(session, writer, conflict_id, decision, now=int(self.clock()))
        finally:
            writer.close()


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _signed(delta: int) -> str:
    return f"+{fmt_number(delta)}" if delta > 0 else ("±0" if delta == 0 else fmt_number(delta))


class DashboardController(QObject):
    updated = Signal(object)  # DashboardData
    failed = Signal(object)  # the exception of a refresh
    exported = Signal(str, int)  # path, rows
    resolved = Signal(str, str)  # conflict id, decision
    busy_changed = Signal(bool)

    def __init__(
        self,
        session: Session,
        view: DashboardView,
        source: DashboardSource,
        runner: TaskRunner,
        *,
        bridge: MessageBridge | None = None,
        clock: Clock = time.time,
        choose_path: Callable[[str], str | None] | None = None,
        refresh_ms: int = 60_000,
        parent: QObject | None = None,
    ) -> None:
        checked = require(session, "dashboard")
        super().__init__(parent)
        self.session = checked
        self.view = view
        self.source = source
        self.runner = runner
        self.bridge = bridge
        self.clock = clock
        self.choose_path = choose_path or self._ask_path
        self.data: DashboardData | None = None
        self.hour: int | None = None
        self.staff: tuple[str | None, str] | None = None  # (staff id, name) of the drill-down
        self._asked: date | None = None
        self._busy = 0
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self._tick)

        models = view.models
        self.models = models
        view.date.setDate(_qdate(self.today()))
        view.date.dateChanged.connect(lambda _d: self.refresh())
        view.today.clicked.connect(self.show_today)
        view.refresh.clicked.connect(self.refresh)
        view.export.clicked.connect(self.export)
        view.export.setVisible(allowed(checked, "export"))
        view.chart.hour_clicked.connect(self.drill_hour)
        view.hour.activated.connect(lambda i: self.drill_hour(view.hour.itemData(i)))
        view.drill_clear.clicked.connect(self.clear_drill)
        view.associates_table.clicked.connect(self._associate_clicked)
        view.associates_table.activated.connect(self._associate_clicked)
        view.accept.clicked.connect(lambda: self.resolve_selected("accept"))
        view.reverse.clicked.connect(lambda: self.resolve_selected("reverse"))
        view.conflicts_table.selectionModel().selectionChanged.connect(self._sync_buttons)
        view.retranslated.connect(self._rerender)
        self._sync_buttons()

    # --- days ------------------------------------------------------------------------------------

    def today(self) -> date:
        return datetime.fromtimestamp(self.clock(), self.source.tz).date()

    def day(self) -> date:
        picked = self.view.date.date()
        return date(picked.year(), picked.month(), picked.day())

    def show_today(self) -> None:
        if self.day() == self.today():
            self.refresh()
        else:
            self.view.date.setDate(_qdate(self.today()))  # dateChanged → refresh

    def start(self) -> None:
        self.refresh()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        if self.day() == self.today() and self.view.isVisible():
            self.refresh()

    # --- computing (worker thread) → applying (GUI thread) ---------------------------------------

    def refresh(self) -> None:
        day = self.day()
        self._asked = day
        self._set_busy(+1)
        self.runner.submit(
            lambda: self.source.load(day),
            lambda data: self._loaded(day, data),
            lambda exc: self._load_failed(day, exc),
        )

    def _set_busy(self, step: int) -> None:
        was = self._busy > 0
        self._busy = max(0, self._busy + step)
        if is_alive(self.view):
            self.view.set_busy(self._busy > 0)
        if was != (self._busy > 0):
            self.busy_changed.emit(self._busy > 0)

    def _loaded(self, day: date, data: DashboardData) -> None:
        self._set_busy(-1)
        if day != self._asked or not is_alive(self.view):
            return  # a newer day was asked for meanwhile
        self.apply(data)

    def _load_failed(self, day: date, exc: BaseException) -> None:
        self._set_busy(-1)
        if not isinstance(exc, ClerkError):
            raise exc  # a bug: crash loudly
        log.warning("dashboard refresh failed: %s", exc)
        if is_alive(self.view):
            self.view.status.setText(translate("Dashboard", "Could not compute the figures."))
        self._say_error(translate("Dashboard", "Dashboard: %1").replace("%1", str(exc)))
        self.failed.emit(exc)

    def apply(self, data: DashboardData) -> None:
        """Show computed figures (GUI thread)."""
        self.data = data
        s = data.summary
        tz = self.source.tz
        self._render_tiles(s)
        self.view.chart.set_counts(s.by_hour)
        self.models.associates.set_rows(s.by_associate, tz)
        self.models.products.set_rows(s.top_products, tz)
        self._render_health(data.health)
        self._apply_drill()
        self._sync_buttons()
        self.updated.emit(data)

    def _rerender(self) -> None:
        if self.data is not None:
            self._render_tiles(self.data.summary)
            self._render_health(self.data.health)
            self._apply_drill()

    def _render_title(self, s: DaySummary) -> None:
        if s.day == self.today():
            self.view.title.setText(translate("Dashboard", "Today at the store"))
        else:
            self.view.title.setText(
                translate("Dashboard", "%1 at the store").replace("%1", fmt_date(s.start))
            )

    def _render_tiles(self, s: DaySummary) -> None:
        self._render_title(s)
        k, w = s.kpis, s.last_week
        last = translate("Dashboard", "Same day last week: %1")

        def compare(now: int, before: int) -> str:
            return last.replace("%1", f"{fmt_number(before)} ({_signed(now - before)})")

        tiles = self.view.tiles
        tiles["visits"].set_texts(
            translate("Dashboard", "Visits"),
            fmt_number(k.visits),
            translate("Dashboard", "%1 records in all").replace("%1", fmt_number(k.interactions)),
            compare(k.visits, w.visits),
        )
        tiles["identified"].set_texts(
            translate("Dashboard", "Identified / walk-in"),
            f"{fmt_number(k.identified)} / {fmt_number(k.walk_ins)}",
            translate("Dashboard", "members scanned / identities not in the cache"),
            last.replace("%1", f"{fmt_number(w.identified)} / {fmt_number(w.walk_ins)}"),
        )
        tiles["new"].set_texts(
            translate("Dashboard", "New / returning"),
            f"{fmt_number(k.new)} / {fmt_number(k.returning)}",
            translate("Dashboard", "first visit ever / came before"),
            last.replace("%1", f"{fmt_number(w.new)} / {fmt_number(w.returning)}"),
        )
        tiles["coupons"].set_texts(
            translate("Dashboard", "Coupons redeemed"),
            fmt_number(k.coupons_redeemed),
            fmt_money(k.coupons_value_cents),
            last.replace(
                "%1", f"{fmt_number(w.coupons_redeemed)} · {fmt_money(w.coupons_value_cents)}"
            ),
        )
        tiles["carts"].set_texts(
            translate("Dashboard", "Online carts converted"),
            fmt_number(k.carts_converted),
            fmt_money(k.carts_converted_cents),
            last.replace(
                "%1", f"{fmt_number(w.carts_converted)} · {fmt_money(w.carts_converted_cents)}"
            ),
        )
        tiles["length"].set_texts(
            translate("Dashboard", "Average visit"),
            duration(k.avg_visit_length_s),
            translate("Dashboard", "first to last record of a visit"),
            last.replace("%1", duration(w.avg_visit_length_s)),
        )
        chip = self.view.unsynced
        if k.unsynced:
            chip.setText(
                translate("Dashboard", "Includes %n record(s) not yet synced", None, k.unsynced)
            )
            chip.set_tone("warn")
        else:
            chip.setText(translate("Dashboard", "All records synced"))
            chip.set_tone("good")

    def _render_health(self, h: SyncHealth) -> None:
        tz = self.source.tz
        values = self.view.health_values
        if h.pending:
            values["pending"].setText(
                translate("Dashboard", "%1 records, the oldest %2 old")
                .replace("%1", fmt_number(h.pending))
                .replace("%2", duration(h.oldest_pending_age_s))
            )
        else:
            values["pending"].setText(translate("Dashboard", "Nothing waiting"))
        values["last_sync"].setText(
            datetime.fromtimestamp(h.last_success_at, tz).strftime("%Y-%m-%d %H:%M")
            if h.last_success_at is not None
            else translate("Dashboard", "Never")
        )
        values["last_error"].setText(h.last_error or "—")
        self.models.rejected.set_rows(h.rejected, tz)
        self.models.conflicts.set_rows(h.conflicts, tz)
        self.view.rejected_table.setVisible(bool(h.rejected))
        self.view.rejected_title.setText(
            translate("Dashboard", "Rejected by the hub (%1)").replace("%1", str(len(h.rejected)))
        )
        self.view.conflicts_title.setText(
            translate("Dashboard", "Coupon conflicts (%1)").replace("%1", str(len(h.conflicts)))
        )

    # --- drill-down ------------------------------------------------------------------------------

    def drill_hour(self, hour: int | None) -> None:
        self.hour = None if hour is None else int(hour)
        self._apply_drill()

    def drill_associate(self, staff_id: str | None, name: str) -> None:
        self.staff = (staff_id, name)
        self._apply_drill()

    def clear_drill(self) -> None:
        self.hour = None
        self.staff = None
        self._apply_drill()

    def _associate_clicked(self, index: Any) -> None:
        item = index.data(ItemRole)
        if isinstance(item, AssociateStats):
            self.drill_associate(item.staff_id, item.name)

    def _apply_drill(self) -> None:
        visits = self.data.summary.visits if self.data is not None else ()
        rows = filter_visits(visits, hour=self.hour)
        if self.staff is not None:
            sid, name = self.staff
            rows = [
                v
                for v in rows
                if v.staff_id == sid and (sid is not None or (v.staff_name or "") == name)
            ]
        self.models.visits.set_rows(rows, self.source.tz)
        combo = self.view.hour
        combo.blockSignals(True)
        combo.setCurrentIndex(0 if self.hour is None else self.hour + 1)
        combo.blockSignals(False)
        parts = []
        if self.hour is not None:
            parts.append(f"{self.hour:02d}:00–{self.hour:02d}:59")
        if self.staff is not None:
            parts.append(self.staff[1] or self.staff[0] or "—")
        title = translate("Dashboard", "Visits")
        if parts:
            title = f"{title} · {' · '.join(parts)}"
        self.view.drill_card.set_title(title)
        self.view.drill_card.set_count(len(rows))
        self.view.drill_clear.setEnabled(bool(parts))

    # --- export ----------------------------------------------------------------------------------

    def _ask_path(self, suggested: str) -> str | None:
        path, _filter = QFileDialog.getSaveFileName(
            self.view,
            translate("Dashboard", "Export visits"),
            suggested,
            translate("Dashboard", "CSV files (*.csv)"),
        )
        return path or None

    def export(self) -> None:
        day = self.day()
        path = self.choose_path(f"visits-{day.isoformat()}.csv")
        if path:
            self.export_to(Path(path), day, day)

    def export_to(
        self, path: Path, date_from: date | None = None, date_to: date | None = None
    ) -> None:
        """Export the visits of the range (default: the day shown) to ``path``; audited."""
        require(self.session, "export")
        first = date_from or self.day()
        last = date_to or first
        session = self.session
        self._set_busy(+1)

        def done(rows: int) -> None:
            self._set_busy(-1)
            self._say_success(translate("Dashboard", "Exported %n visit(s)", None, rows))
            self.exported.emit(str(path), rows)

        self.runner.submit(
            lambda: self.source.export(session, first, last, path), done, self._action_failed
        )

    # --- conflicts -------------------------------------------------------------------------------

    def selected_conflict(self) -> Conflict | None:
        sel = self.view.conflicts_table.selectionModel()
        rows = sel.selectedRows() if sel is not None else []
        if not rows:
            return None
        item = rows[0].data(ItemRole)
        return item if isinstance(item, Conflict) else None

    def _sync_buttons(self, *_args: object) -> None:
        chosen = self.selected_conflict() is not None
        self.view.accept.setEnabled(chosen)
        self.view.reverse.setEnabled(chosen)

    def resolve_selected(self, decision: str) -> None:
        conflict = self.selected_conflict()
        if conflict is not None:
            self.resolve(conflict.id, decision)

    def resolve(self, conflict_id: str, decision: str) -> None:
        """Record the decision (an interaction of kind ``resolve``) and refresh."""
        require(self.session, "conflicts")
        session = self.session
        self._set_busy(+1)

        def done(_rec: Recorded) -> None:
            self._set_busy(-1)
            self._say_success(translate("Dashboard", "Decision recorded; it syncs to the hub"))
            self.resolved.emit(conflict_id, decision)
            self.refresh()

        self.runner.submit(
            lambda: self.source.resolve(session, conflict_id, decision), done, self._action_failed
        )

    def _action_failed(self, exc: BaseException) -> None:
        self._set_busy(-1)
        if not isinstance(exc, ClerkError):
            raise exc
        self._say_error(str(exc))
        self.failed.emit(exc)

    # --- messages --------------------------------------------------------------------------------

    def _say_success(self, text: str) -> None:
        if self.bridge is not None:
            self.bridge.success(text, "dashboard")

    def _say_error(self, text: str) -> None:
        if self.bridge is not None:
            self.bridge.error(text, "dashboard")


class DashboardPage(QWidget):
    """The dashboard ready to embed: view + controller + its own worker thread.

    Raises :class:`~clerk.errors.PermissionDeniedError` (before building anything) unless
    ``session`` is a manager's. ``terminal`` needs ``cache_path`` and ``outbox_path``
    (a :class:`clerk.terminal.Terminal`). Figures are computed when the page is first shown,
    on Refresh, on a day change and every ``refresh_ms`` while today is shown.
    """

    def __init__(
        self,
        session: Session,
        terminal: Any,
        *,
        tz: tzinfo | None = None,
        bridge: MessageBridge | None = None,
        runner: TaskRunner | None = None,
        clock: Clock = time.time,
        choose_path: Callable[[str], str | None] | None = None,
        refresh_ms: int = 60_000,
        parent: QWidget | None = None,
    ) -> None:
        require(session, "dashboard")
        super().__init__(parent)
        self.setObjectName("dashboardPage")
        zone = tz or local_zone()
        self.source = DashboardSource(
            terminal.cache_path, terminal.outbox_path, tz=zone, clock=clock
        )
        self.runner = runner or TaskRunner("dashboard", max_threads=1, parent=self)
        self.view = DashboardView(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.controller = DashboardController(
            session,
            self.view,
            self.source,
            self.runner,
            bridge=bridge,
            clock=clock,
            choose_path=choose_path,
            refresh_ms=refresh_ms,
            parent=self,
        )
        self._started = False

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._started:
            self._started = True
            self.controller.start()

    def shutdown(self, wait_ms: int = 10_000) -> None:
        """Stop refreshing, wait for a running computation and close the page's connections
        (before the page is deleted)."""
        self.controller.stop()
        self.runner.wait_idle(wait_ms)
        self.source.close()
