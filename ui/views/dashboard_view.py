"""The manager's dashboard: layout only.

Top: the day picker, refresh, CSV export and the "includes N not yet synced" chip. Then the
KPI tiles (each with the same weekday last week), the visits-by-hour bar chart, the drill-down
list, the per-associate table, the products asked about, and the sync health panel (backlog,
last sync, rejected items (or, filtered, the archived ones), items parked for a person with
"send again", the actions on the rejected or parked record selected — fix and resend,
withdraw, dismiss with a reason — and coupon conflicts side by side with accept / reverse).

Everything is created once; :mod:`ui.controllers.dashboard_controller` fills it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ui.models.dashboard_models import DashboardModels
from ui.qt import (
    QAbstractItemView,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QBoxLayout,
    QChart,
    QChartView,
    QCheckBox,
    QColor,
    QComboBox,
    QDateEdit,
    QEvent,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMargins,
    QObject,
    QPainter,
    QSizePolicy,
    Qt,
    QTableView,
    QValueAxis,
    QVBoxLayout,
    QWidget,
    Signal,
    translate,
)
from ui.theme import COLORS
from ui.views.widgets import Card, Chip, FlowRow, LanguageAware, button, label, scrolled_page

KPIS = ("visits", "identified", "new", "coupons", "carts", "length", "points", "worked")
HOURS = 24


class KpiTile(QFrame):
    """One figure: caption, value, a detail line and the comparison with last week."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("card", True)
        self.setObjectName(f"kpi_{key}")
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 12, 16, 12)
        box.setSpacing(2)
        self.caption = label("", "statLabel")
        self.value = label("", "stat")
        self.value.setObjectName(f"kpi_{key}_value")
        self.detail = label("", "muted", wrap=True)
        self.compare = label("", "faint", wrap=True)
        self.compare.setObjectName(f"kpi_{key}_compare")
        for w in (self.caption, self.value, self.detail, self.compare):
            box.addWidget(w)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_texts(self, caption: str, value: str, detail: str, compare: str) -> None:
        self.caption.setText(caption)
        self.value.setText(value)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.compare.setText(compare)
        self.setAccessibleName(f"{caption}: {value}. {detail} {compare}".strip())


class HourChart(QWidget):
    """Visits per store-local hour as bars; clicking a bar emits ``hour_clicked(hour)``."""

    hour_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = QChart()
        self.view = QChartView(self.chart)
        self.view.setObjectName("hourChart")
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.view)
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.legend().hide()
        self.chart.setBackgroundVisible(False)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.bars = QBarSet("")
        self.bars.setColor(QColor(COLORS["primary"]))
        self.bars.setBorderColor(QColor(COLORS["primary"]))
        self.bars.append([0.0] * HOURS)
        self.series = QBarSeries()
        self.series.setBarWidth(0.8)
        self.series.append(self.bars)
        self.chart.addSeries(self.series)
        self.x_axis = QBarCategoryAxis()
        self.x_axis.append([f"{h:02d}" for h in range(HOURS)])
        self.x_axis.setGridLineVisible(False)
        self.y_axis = self._value_axis()
        self.chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.x_axis)
        self.series.attachAxis(self.y_axis)
        self.bars.clicked.connect(self.hour_clicked)
        self.setMinimumHeight(220)
        self.counts: tuple[int, ...] = (0,) * HOURS

    @staticmethod
    def _value_axis() -> QValueAxis:
        axis = QValueAxis()
        axis.setLabelFormat("%d")
        axis.setRange(0, 4)
        axis.setTickCount(5)
        return axis

    def set_counts(self, counts: Sequence[int]) -> None:
        values = tuple(int(c) for c in counts)
        if values == self.counts:
            return
        for hour, value in enumerate(values):
            self.bars.replace(hour, float(value))
        top = max(values, default=0)
        nice = max(4, ((top + 3) // 4) * 4)
        self.y_axis.setRange(0, nice)
        self.counts = values


def _table(model: object, name: str, *, min_rows: int = 5) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)  # type: ignore[arg-type]
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setFrameShape(QFrame.Shape.NoFrame)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(36)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setResizeContentsPrecision(40)  # size columns from the first rows, not thousands
    header.setHighlightSections(False)
    view.setMinimumHeight(36 * (min_rows + 1))
    return view


class DashboardView(LanguageAware):
    """Layout of the dashboard. ``retranslated`` fires after a language switch so the
    controller can re-render the figures in the new language."""

    retranslated = Signal()

    def __init__(self, models: DashboardModels, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard")
        self.models = models
        self.scroll_area, box = scrolled_page(self, QBoxLayout.Direction.TopToBottom, top=20)
        box.setSpacing(16)

        # header ----------------------------------------------------------------------------
        # One row on a desktop; on a handheld the title, then the day's controls.
        head = FlowRow(10)
        self.title = label("", "title")
        head.add(self.title, 1)
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        self.unsynced = Chip("", "warn")
        self.unsynced.setObjectName("unsyncedChip")
        head.add(self.unsynced, 0, left)
        self.status = label("", "muted")
        self.status.setObjectName("dashboardStatus")
        head.add(self.status)
        controls = FlowRow(10)
        self.date = QDateEdit()
        self.date.setObjectName("dashboardDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMinimumHeight(44)
        controls.add(self.date)
        self.today = button("", kind="ghost", object_name="dashboardToday")
        controls.add(self.today)
        self.refresh = button(
            "", icon_name="sync", kind="secondary", object_name="dashboardRefresh"
        )
        controls.add(self.refresh)
        self.export = button("", kind="primary", object_name="dashboardExport")
        controls.add(self.export)
        head.add(controls)
        box.addWidget(head)
        self.head_rows = (head, controls)

        # KPI tiles: three a row, fewer on a narrow window (arrange_tiles) ------------------
        self.tile_grid = QGridLayout()
        self.tile_grid.setSpacing(12)
        self.tiles: dict[str, KpiTile] = {key: KpiTile(key) for key in KPIS}
        self.tile_columns = 0
        self.arrange_tiles(3)
        box.addLayout(self.tile_grid)

        # chart + drill-down ----------------------------------------------------------------
        self.chart_card = Card("", "trending", object_name="chartCard")
        self.chart = HourChart()
        self.chart_card.body.setContentsMargins(8, 0, 8, 8)
        self.chart_card.body.addWidget(self.chart)
        self.chart_hint = label("", "hint", wrap=True)
        self.chart_hint.setContentsMargins(8, 0, 8, 0)
        self.chart_card.body.addWidget(self.chart_hint)
        box.addWidget(self.chart_card)

        self.drill_card = Card("", "history", object_name="drillCard")
        self.hour = QComboBox()
        self.hour.setObjectName("drillHour")
        self.hour.setMinimumHeight(40)
        self.hour.addItem("", None)
        for h in range(HOURS):
            self.hour.addItem(f"{h:02d}:00–{h:02d}:59", h)
        self.drill_clear = button("", kind="ghost", object_name="drillClear")
        drill_controls = FlowRow(8)
        drill_controls.add_stretch(1)
        drill_controls.add(self.hour)
        drill_controls.add(self.drill_clear)
        self.drill_table = _table(self.models.visits, "drillTable", min_rows=6)
        self.drill_card.body.setContentsMargins(8, 0, 8, 8)
        self.drill_card.body.addWidget(drill_controls)
        self.drill_card.body.addWidget(self.drill_table)
        box.addWidget(self.drill_card)

        row = FlowRow(16)
        self.associates_card = Card("", "user", object_name="associatesCard")
        self.associates_table = _table(self.models.associates, "associatesTable")
        self.associates_card.body.setContentsMargins(8, 0, 8, 8)
        self.associates_card.body.addWidget(self.associates_table)
        row.add(self.associates_card, 3)
        self.products_card = Card("", "interest", object_name="productsCard")
        self.products_table = _table(self.models.products, "productsTable")
        # The product's title gives way (elided) so "Asked about" and its counts show whole.
        products_header = self.products_table.horizontalHeader()
        products_header.setStretchLastSection(False)
        products_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.products_card.body.setContentsMargins(8, 0, 8, 8)
        self.products_card.body.addWidget(self.products_table)
        row.add(self.products_card, 2)
        box.addWidget(row)

        # follow-ups per associate: the client book and its tasks (escalated: the manager's)
        self.followups_card = Card("", "clock", object_name="followupsCard")
        self.followups_table = _table(self.models.followups, "followupsTable", min_rows=3)
        self.followups_card.body.setContentsMargins(8, 0, 8, 8)
        self.followups_card.body.addWidget(self.followups_table)
        box.addWidget(self.followups_card)

        # sync health -------------------------------------------------------------------------
        self.sync_card = Card("", "sync", object_name="syncHealthCard")
        grid = QGridLayout()
        grid.setContentsMargins(16, 4, 16, 8)
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(6)
        self.health_names: dict[str, QLabel] = {}
        self.health_values: dict[str, QLabel] = {}
        for i, key in enumerate(("pending", "last_sync", "last_error")):
            name = label("", "muted")
            value = label("", wrap=True)
            value.setObjectName(f"health_{key}")
            grid.addWidget(name, i, 0)
            grid.addWidget(value, i, 1)
            self.health_names[key] = name
            self.health_values[key] = value
        grid.setColumnStretch(1, 1)
        self.sync_card.body.setContentsMargins(8, 0, 8, 8)
        self.sync_card.body.addLayout(grid)
        rejected_head = FlowRow(8)
        rejected_head.box.setContentsMargins(16, 8, 16, 4)
        self.rejected_title = label("", "section")
        rejected_head.add(self.rejected_title, 1)
        # the records corrected, withdrawn or dismissed: kept, listed on demand
        self.show_archived = QCheckBox()
        self.show_archived.setObjectName("showArchived")
        rejected_head.add(self.show_archived)
        self.sync_card.body.addWidget(rejected_head)
        self.rejected_table = _table(self.models.rejected, "rejectedTable", min_rows=3)
        self.sync_card.body.addWidget(self.rejected_table)
        parked_head = FlowRow(8)
        parked_head.box.setContentsMargins(16, 8, 16, 4)
        self.parked_title = label("", "section", wrap=True)
        self.parked_title.setObjectName("parkedTitle")
        parked_head.add(self.parked_title, 1)
        self.retry_parked = button(
            "", icon_name="sync", kind="secondary", object_name="retryParked"
        )
        parked_head.add(self.retry_parked)
        self.parked_head = parked_head
        self.sync_card.body.addWidget(parked_head)
        self.parked_table = _table(self.models.parked, "parkedTable", min_rows=3)
        self.sync_card.body.addWidget(self.parked_table)
        # what a manager does with the rejected or parked record selected above
        record_actions = FlowRow(8)
        record_actions.box.setContentsMargins(16, 4, 16, 8)
        self.record_hint = label("", "muted", wrap=True)
        record_actions.add(self.record_hint, 1)
        self.fix_record = button("", kind="primary", object_name="fixRecord")
        self.withdraw_record = button("", kind="secondary", object_name="withdrawRecord")
        self.dismiss_reason = QLineEdit()
        self.dismiss_reason.setObjectName("dismissReason")
        self.dismiss_reason.setMinimumWidth(240)
        self.dismiss_record = button("", kind="danger", object_name="dismissRecord")
        for widget in (
            self.fix_record,
            self.withdraw_record,
            self.dismiss_reason,
            self.dismiss_record,
        ):
            record_actions.add(widget)
        self.record_actions = record_actions
        self.sync_card.body.addWidget(record_actions)
        conflicts_head = FlowRow(8)
        conflicts_head.box.setContentsMargins(16, 8, 16, 4)
        self.conflicts_title = label("", "section")
        conflicts_head.add(self.conflicts_title, 1)
        self.accept = button("", kind="secondary", object_name="conflictAccept")
        self.reverse = button("", kind="danger", object_name="conflictReverse")
        conflicts_head.add(self.accept)
        conflicts_head.add(self.reverse)
        self.sync_card.body.addWidget(conflicts_head)
        self.conflicts_table = _table(self.models.conflicts, "conflictsTable", min_rows=3)
        self.sync_card.body.addWidget(self.conflicts_table)
        box.addWidget(self.sync_card)
        box.addStretch(1)
        self.scroll_area.viewport().installEventFilter(self)  # the tiles follow the page's width
        self.retranslate()

    def arrange_tiles(self, columns: int) -> None:
        """The KPI tiles ``columns`` a row (3 · 2 · 1: what the width holds)."""
        if columns == self.tile_columns:
            return
        self.tile_columns = columns
        for tile in self.tiles.values():
            self.tile_grid.removeWidget(tile)
        for i, key in enumerate(KPIS):
            self.tile_grid.addWidget(self.tiles[key], i // columns, i % columns)
        for column in range(3):
            self.tile_grid.setColumnStretch(column, 1 if column < columns else 0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.scroll_area.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_tiles()
        return super().eventFilter(watched, event)

    def _fit_tiles(self) -> None:
        inner = self.scroll_area.viewport().width()
        content = self.scroll_area.widget()
        column = content.layout() if content is not None else None
        if column is not None:
            m = column.contentsMargins()
            inner -= m.left() + m.right()
        widest = max(tile.minimumSizeHint().width() for tile in self.tiles.values())
        spacing = self.tile_grid.spacing()
        self.arrange_tiles(max(1, min(3, (inner + spacing) // (widest + spacing))))

    def set_busy(self, busy: bool) -> None:
        self.refresh.setEnabled(not busy)
        self.status.setText(translate("Dashboard", "Computing…") if busy else "")

    def retranslate(self) -> None:
        self.title.setText(translate("Dashboard", "Today at the store"))
        self.today.setText(translate("Dashboard", "Today"))
        self.today.setAccessibleName(translate("Dashboard", "Show today"))
        self.refresh.setText(translate("Dashboard", "Refresh"))
        self.refresh.setAccessibleName(translate("Dashboard", "Compute the figures again"))
        self.export.setText(translate("Dashboard", "Export CSV"))
        self.export.setAccessibleName(translate("Dashboard", "Export the day's visits as CSV"))
        self.date.setAccessibleName(translate("Dashboard", "Day shown"))
        self.chart_card.set_title(translate("Dashboard", "Visits by hour"))
        self.chart.setAccessibleName(translate("Dashboard", "Visits by hour"))
        self.chart_hint.setText(
            translate("Dashboard", "Click a bar (or pick an hour below) to list its visits.")
        )
        self.hour.setItemText(0, translate("Dashboard", "All hours"))
        self.hour.setAccessibleName(translate("Dashboard", "Hour to list"))
        self.drill_clear.setText(translate("Dashboard", "Show all"))
        self.drill_clear.setAccessibleName(translate("Dashboard", "Show all visits of the day"))
        self.drill_table.setAccessibleName(translate("Dashboard", "Visits"))
        self.associates_card.set_title(translate("Dashboard", "Associates"))
        self.followups_card.set_title(translate("Dashboard", "Follow-ups and client book"))
        self.followups_table.setAccessibleName(translate("Dashboard", "Follow-ups"))
        self.associates_table.setAccessibleName(translate("Dashboard", "Associates"))
        self.products_card.set_title(translate("Dashboard", "Products asked about"))
        self.products_table.setAccessibleName(translate("Dashboard", "Products asked about"))
        self.sync_card.set_title(translate("Dashboard", "Sync health"))
        self.health_names["pending"].setText(translate("Dashboard", "Waiting to sync"))
        self.health_names["last_sync"].setText(translate("Dashboard", "Last successful sync"))
        self.health_names["last_error"].setText(translate("Dashboard", "Last error"))
        self.rejected_title.setText(translate("Dashboard", "Rejected by the hub"))
        self.conflicts_title.setText(translate("Dashboard", "Coupon conflicts"))
        self.rejected_table.setAccessibleName(translate("Dashboard", "Rejected by the hub"))
        self.parked_title.setText(translate("Dashboard", "Needs attention"))
        self.parked_table.setAccessibleName(translate("Dashboard", "Needs attention"))
        self.show_archived.setText(translate("Dashboard", "Show archived"))
        self.show_archived.setAccessibleName(
            translate("Dashboard", "List the records corrected, withdrawn or dismissed")
        )
        self.record_hint.setText(
            translate(
                "Dashboard", "Select a rejected or parked record to fix, withdraw or dismiss it."
            )
        )
        self.fix_record.setText(translate("Dashboard", "Fix and resend"))
        self.fix_record.setAccessibleName(
            translate(
                "Dashboard", "Open the selected record's form to correct it and send it again"
            )
        )
        self.withdraw_record.setText(translate("Dashboard", "Withdraw"))
        self.withdraw_record.setAccessibleName(
            translate("Dashboard", "Withdraw the selected record: kept, never sent, never counted")
        )
        self.dismiss_reason.setPlaceholderText(translate("Dashboard", "Reason for dismissing"))
        self.dismiss_reason.setAccessibleName(translate("Dashboard", "Reason for dismissing"))
        self.dismiss_record.setText(translate("Dashboard", "Dismiss"))
        self.dismiss_record.setAccessibleName(
            translate("Dashboard", "Dismiss the selected record with the reason given")
        )
        self.retry_parked.setText(translate("Dashboard", "Send again"))
        self.retry_parked.setAccessibleName(
            translate("Dashboard", "Send the records that need attention to the hub again")
        )
        self.conflicts_table.setAccessibleName(translate("Dashboard", "Coupon conflicts"))
        for table in (
            self.drill_table,
            self.associates_table,
            self.products_table,
            self.rejected_table,
            self.parked_table,
            self.conflicts_table,
            self.followups_table,
        ):
            table.horizontalHeader().setAccessibleName(translate("Dashboard", "Columns"))
        self.accept.setText(translate("Dashboard", "Accept both"))
        self.accept.setAccessibleName(
            translate("Dashboard", "Accept: keep both redemptions of the selected coupon")
        )
        self.reverse.setText(translate("Dashboard", "Reverse ours"))
        self.reverse.setAccessibleName(
            translate("Dashboard", "Reverse: undo this store's redemption of the coupon")
        )
        for model in self.models.all():
            model.retranslate()
        self.retranslated.emit()
