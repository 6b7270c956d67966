"""The manager's dashboard screen: compute off the GUI thread, fill the view, drill down,
export, resolve conflicts, send records parked for a person again.

Managers only, at every door: ``ui.screens.dashboard_screen`` refuses to build and
:class:`DashboardController` refuses to start without a manager session, and the
``clerk.reports`` functions behind the source check the session again.

Threads: :class:`clerk.dashboard.DashboardSource` does the work (its reads on connections of
its own, its writes through the terminal's one outbox writer), on the dashboard's
:class:`~ui.workers.TaskRunner` thread. Results come back to the GUI thread through the
runner's signal; a result for a day that is no longer asked for is dropped. The figures are
computed when the view is first shown, on Refresh, on a day change and every ``refresh_ms``
while today is shown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk.errors import ClerkError
from clerk.reports.kpis import filter_visits
from clerk.reports.model import AssociateStats, Conflict, DaySummary, SyncHealth
from clerk.staff import Session, allowed, require
from ui.i18n import fmt_date, fmt_money, fmt_number
from ui.messages import MessageBridge
from ui.models.dashboard_models import ItemRole, duration
from ui.qt import QDate, QEvent, QFileDialog, QObject, QTimer, Signal, is_alive, translate
from ui.views.dashboard_view import DashboardView
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from clerk.dashboard import DashboardData, DashboardSource
    from clerk.outbox import Recorded

log = logging.getLogger(__name__)

Clock = Callable[[], float]


def local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _signed(delta: int) -> str:
    return f"+{fmt_number(delta)}" if delta > 0 else ("±0" if delta == 0 else fmt_number(delta))


class DashboardController(QObject):
    updated = Signal(object)  # DashboardData
    failed = Signal(object)  # the exception of a refresh
    exported = Signal(str, int)  # path, rows
    resolved = Signal(str, str)  # conflict id, decision
    retried = Signal(int)  # parked records put back in the queue
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
        self._started = False
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
        view.retry_parked.clicked.connect(self.retry_parked)
        view.accept.clicked.connect(lambda: self.resolve_selected("accept"))
        view.reverse.clicked.connect(lambda: self.resolve_selected("reverse"))
        view.conflicts_table.selectionModel().selectionChanged.connect(self._sync_buttons)
        view.retranslated.connect(self._rerender)
        view.installEventFilter(self)
        self._sync_buttons()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Show and not self._started:
            self._started = True
            self.start()  # the figures are computed when the view is first shown
        return super().eventFilter(watched, event)

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

    def shutdown(self, wait_ms: int = 10_000) -> None:
        """Stop refreshing, wait for a running computation and close the source's
        connections (before the view is deleted)."""
        self.stop()
        self.runner.wait_idle(wait_ms)
        self.source.close()

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
        self.models.followups.set_rows(list(data.followups), tz)
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
        self._render_parked(h)

    def _render_parked(self, h: SyncHealth) -> None:
        """Records the hub failed on by themselves, beside the rejected ones: shown (with the
        retry) only when there are some."""
        view = self.view
        self.models.parked.set_rows(h.parked, self.source.tz)
        view.parked_head.setVisible(bool(h.parked))
        view.parked_table.setVisible(bool(h.parked))
        view.parked_title.setText(
            translate(
                "Dashboard",
                "Needs attention (%1): the hub failed on these by themselves; they are kept, "
                "not sent. Send them again once HQ has fixed the hub.",
            ).replace("%1", str(len(h.parked)))
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

    # --- parked records --------------------------------------------------------------------------

    def retry_parked(self) -> None:
        """Put every parked record back in the queue (the next sync sends them) and refresh."""
        require(self.session, "conflicts")
        session = self.session
        self._set_busy(+1)

        def done(count: int) -> None:
            self._set_busy(-1)
            self._say_success(
                translate("Dashboard", "%n record(s) will be sent again", None, count)
            )
            self.retried.emit(count)
            self.refresh()

        self.runner.submit(lambda: self.source.retry_parked(session), done, self._action_failed)

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
