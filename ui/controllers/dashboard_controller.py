"""The manager's dashboard screen: compute off the GUI thread, fill the view, drill down,
export, resolve conflicts, send records parked for a person again, and fix (in the customer
page's form), withdraw or dismiss a rejected or parked record.

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
from clerk.reports.model import (
    AssociateStats,
    Conflict,
    DaySummary,
    ParkedItem,
    RejectedItem,
    SyncHealth,
)
from clerk.staff import Session, allowed, require
from ui import texts
from ui.i18n import fmt_date, fmt_money, fmt_number
from ui.messages import Level, MessageBridge
from ui.models.dashboard_models import ItemRole, duration
from ui.qt import (
    QDate,
    QDesktopServices,
    QEvent,
    QFileDialog,
    QObject,
    QTimer,
    QUrl,
    Signal,
    is_alive,
    translate,
)
from ui.views.composer_view import FIXABLE_KINDS
from ui.views.dashboard_view import DashboardView
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from clerk.dashboard import DashboardData, DashboardSource
    from clerk.outbox import Recorded, Settled

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
    # "Fix and resend": the record (clerk.outbox.Settled) to open in its form, the session
    fix_requested = Signal(object, object)
    closed = Signal(str, str)  # a record withdrawn or dismissed: its id, its new state
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
        view.rejected_table.selectionModel().selectionChanged.connect(
            lambda *_a: self._picked(view.rejected_table, view.parked_table)
        )
        view.parked_table.selectionModel().selectionChanged.connect(
            lambda *_a: self._picked(view.parked_table, view.rejected_table)
        )
        view.show_archived.toggled.connect(lambda _on: self._rerender())
        view.fix_record.clicked.connect(self.fix_selected)
        view.withdraw_record.clicked.connect(self.withdraw_selected)
        view.dismiss_record.clicked.connect(self.dismiss_selected)
        view.dismiss_reason.textChanged.connect(self._sync_buttons)
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
            translate("Dashboard", "first visit ever / came before")
            + " · "
            + translate("Dashboard", "%n sign-up(s) at the counter", None, k.signups),
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
        tiles["points"].set_texts(
            translate("Dashboard", "Points issued / redeemed"),
            f"{fmt_number(k.points_issued)} / {fmt_number(k.points_redeemed)}",
            translate("Dashboard", "credited by the hub for sales / redeemed at the counters"),
            last.replace("%1", f"{fmt_number(w.points_issued)} / {fmt_number(w.points_redeemed)}"),
        )
        every = s.worked[0] if s.worked else None  # kind "*": any talking point shown
        best = [
            f"{texts.term(texts.SHOWN_KINDS, x.kind)} {fmt_number(x.followed)}/"
            f"{fmt_number(x.shown)}"
            for x in s.worked[1:4]
        ]
        tiles["worked"].set_texts(
            translate("Dashboard", "Did it work?"),
            f"{fmt_number(every.followed)} / {fmt_number(every.shown)}" if every else "—",
            " · ".join(best) or translate("Dashboard", "no talking points shown yet"),
            translate("Dashboard", "talking points shown, then a sale or redemption in the visit"),
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
        archive = self.view.show_archived.isChecked()
        listed = h.archived if archive else h.rejected
        self.models.rejected.set_rows(listed, tz)
        self.models.conflicts.set_rows(h.conflicts, tz)
        self.view.rejected_table.setVisible(bool(listed))
        self.view.rejected_title.setText(
            (
                translate("Dashboard", "Archived: corrected, withdrawn, dismissed (%1)")
                if archive
                else translate("Dashboard", "Rejected by the hub (%1)")
            ).replace("%1", str(len(listed)))
        )
        self.view.record_actions.setVisible(bool(h.rejected or h.parked))
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
        self._show_drill()

    def drill_associate(self, staff_id: str | None, name: str) -> None:
        self.staff = (staff_id, name)
        self._apply_drill()
        self._show_drill()

    def _show_drill(self) -> None:
        """A filter was chosen (a bar, an hour, an associate): the filtered list, which may
        sit below the fold, is scrolled into view with its title saying the filter."""
        area, card = self.view.scroll_area, self.view.drill_card
        content = area.widget()
        if content is None:
            return
        top = card.mapTo(content, card.rect().topLeft()).y()
        bar = area.verticalScrollBar()
        bar.setValue(min(max(0, top - 8), bar.maximum()))

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

    @staticmethod
    def open_folder(folder: Path) -> None:
        """The file manager on ``folder`` (the export's "Open folder")."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

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
            text = texts.fill(
                translate("Dashboard", "Exported %n visit(s) to %1", None, rows), str(path)
            )
            if self.bridge is not None:
                self.bridge.offer(
                    Level.SUCCESS,
                    text,
                    "dashboard",
                    translate("Dashboard", "Open folder"),
                    lambda: self.open_folder(path.parent),
                )
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
        record = self.selected_record()
        view = self.view
        view.fix_record.setEnabled(
            record is not None and record.kind in FIXABLE_KINDS and record.member_id is not None
        )
        view.withdraw_record.setEnabled(record is not None)
        view.dismiss_record.setEnabled(
            record is not None and bool(view.dismiss_reason.text().strip())
        )

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

    # --- rejected and parked records: fix, withdraw, dismiss (clerk/rejected.py) ---------------

    def _picked(self, table: Any, other: Any) -> None:
        """One record at a time: a row picked in one list clears the other's selection."""
        if table.selectionModel().hasSelection():
            other.selectionModel().blockSignals(True)
            other.clearSelection()
            other.selectionModel().blockSignals(False)
        self._sync_buttons()

    def selected_record(self) -> RejectedItem | ParkedItem | None:
        """The open rejected or parked record selected (none while the archive is listed)."""
        view = self.view
        for table in (view.rejected_table, view.parked_table):
            sel = table.selectionModel()
            rows = sel.selectedRows() if sel is not None else []
            if rows:
                item = rows[0].data(ItemRole)
                if isinstance(item, ParkedItem):
                    return item
                if isinstance(item, RejectedItem) and item.state == "rejected":
                    return item
        return None

    def fix_selected(self) -> None:
        """ "Fix and resend": the record as kept is fetched, then opened in its form on the
        customer page (``fix_requested``; the window routes it)."""
        record = self.selected_record()
        if record is None:
            return
        require(self.session, "conflicts")
        session, iid = self.session, record.id
        self._set_busy(+1)

        def done(row: Settled | None) -> None:
            self._set_busy(-1)
            if row is None or row.state not in ("rejected", "attention"):
                self.refresh()  # settled meanwhile
                return
            self.fix_requested.emit(row, session)

        self.runner.submit(lambda: self.source.record(iid), done, self._action_failed)

    def withdraw_selected(self) -> None:
        record = self.selected_record()
        if record is not None:
            self.withdraw(record.id)

    def withdraw(self, iid: str) -> None:
        """Take the record back (kept, never sent, never counted; audited) and refresh."""
        require(self.session, "conflicts")
        session = self.session
        self._set_busy(+1)

        def done(_row: Settled) -> None:
            self._set_busy(-1)
            self._say_success(translate("Dashboard", "Record withdrawn"))
            self.closed.emit(iid, "withdrawn")
            self.refresh()

        self.runner.submit(lambda: self.source.withdraw(session, iid), done, self._action_failed)

    def dismiss_selected(self) -> None:
        record = self.selected_record()
        reason = self.view.dismiss_reason.text().strip()
        if record is not None and reason:
            self.dismiss(record.id, reason)

    def dismiss(self, iid: str, reason: str) -> None:
        """Close the record with ``reason`` (managers only; audited) and refresh."""
        require(self.session, "conflicts")
        session = self.session
        self._set_busy(+1)

        def done(_row: Settled) -> None:
            self._set_busy(-1)
            self.view.dismiss_reason.clear()
            self._say_success(translate("Dashboard", "Record dismissed"))
            self.closed.emit(iid, "dismissed")
            self.refresh()

        self.runner.submit(
            lambda: self.source.dismiss(session, iid, reason), done, self._action_failed
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
