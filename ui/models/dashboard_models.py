"""Item models of the manager's dashboard — drill-down visits, associates, products asked
about, rejected items, parked items, coupon conflicts — and :class:`DashboardModels`, the set
of them.

Each model holds a tuple of ``clerk.reports.model`` dataclasses and declares its columns once, as
(key, header, cell) — the header is translated when asked for, so a language switch only needs
``retranslate()``. ``ItemRole`` returns the row's object (what a click drills into), ``KeyRole``
a stable id. Times are shown in the store's time zone (the one the figures were computed in).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, ClassVar, Generic, TypeVar

from clerk.reports.model import (
    AssociateFigures,
    AssociateStats,
    Conflict,
    ParkedItem,
    ProductInterest,
    RejectedItem,
    VisitRow,
)
from ui import texts
from ui.i18n import fmt_money, fmt_number, is_chinese
from ui.qt import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    translate,
)

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex

ItemRole = Qt.ItemDataRole.UserRole + 1
KeyRole = Qt.ItemDataRole.UserRole + 2
SortRole = Qt.ItemDataRole.UserRole + 3

CTX = "Dashboard"


@dataclass(frozen=True)
class Column(Generic[T]):
    key: str
    header: object  # English source (QT_TRANSLATE_NOOP), translated in context "Dashboard"
    cell: Callable[[Any, T], str]  # (model, row) → text
    numeric: bool = False


def hhmm(ts: int | None, tz: tzinfo | None) -> str:
    if ts is None:
        return "—"
    return datetime.fromtimestamp(ts, tz).strftime("%H:%M")


def duration(seconds: int | None) -> str:
    """``12 min``, ``1 h 05 min``, ``45 s`` (translated units)."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return translate("Dashboard", "%1 s").replace("%1", str(seconds))
    minutes = round(seconds / 60)
    if minutes < 60:
        return translate("Dashboard", "%1 min").replace("%1", str(minutes))
    return (
        translate("Dashboard", "%1 h %2 min")
        .replace("%1", str(minutes // 60))
        .replace("%2", f"{minutes % 60:02d}")
    )


SYNC_STATES = {
    "pending": QT_TRANSLATE_NOOP("Dashboard", "Not yet synced"),
    "sent": QT_TRANSLATE_NOOP("Dashboard", "Sent, awaiting reply"),
    "acked": QT_TRANSLATE_NOOP("Dashboard", "Synced"),
    "conflict": QT_TRANSLATE_NOOP("Dashboard", "Conflict"),
    "rejected": QT_TRANSLATE_NOOP("Dashboard", "Rejected"),
}

RECORD_STATES = {  # a record the hub did not take, open or archived (clerk.outbox.ARCHIVED)
    "rejected": QT_TRANSLATE_NOOP("Dashboard", "Rejected"),
    "corrected": QT_TRANSLATE_NOOP("Dashboard", "Corrected"),
    "withdrawn": QT_TRANSLATE_NOOP("Dashboard", "Withdrawn"),
    "dismissed": QT_TRANSLATE_NOOP("Dashboard", "Dismissed"),
}

KINDS = {
    "visit": QT_TRANSLATE_NOOP("Dashboard", "Visit"),
    "note": QT_TRANSLATE_NOOP("Dashboard", "Note"),
    "interest": QT_TRANSLATE_NOOP("Dashboard", "Product interest"),
    "redeem": QT_TRANSLATE_NOOP("Dashboard", "Coupon redeemed"),
    "sale": QT_TRANSLATE_NOOP("Dashboard", "Assisted sale"),
    "points_redeem": QT_TRANSLATE_NOOP("Dashboard", "Points redeemed"),
    "consent": QT_TRANSLATE_NOOP("Dashboard", "Consent"),
    "case_open": QT_TRANSLATE_NOOP("Dashboard", "Case opened"),
    "case_note": QT_TRANSLATE_NOOP("Dashboard", "Case note"),
    "case_close": QT_TRANSLATE_NOOP("Dashboard", "Case closed"),
    "signup": QT_TRANSLATE_NOOP("Dashboard", "Sign-up"),
    "link": QT_TRANSLATE_NOOP("Dashboard", "Identity linked"),
    "resolve": QT_TRANSLATE_NOOP("Dashboard", "Conflict decision"),
    "audit": QT_TRANSLATE_NOOP("Dashboard", "Audit record"),
    "task": QT_TRANSLATE_NOOP("Dashboard", "Follow-up task"),
    "task_update": QT_TRANSLATE_NOOP("Dashboard", "Follow-up updated"),
    "assign": QT_TRANSLATE_NOOP("Dashboard", "Client assigned"),
    "contacted": QT_TRANSLATE_NOOP("Dashboard", "Customer contacted"),
}


def _tr(source: str) -> str:
    return translate(CTX, source)


class TableModel(QAbstractTableModel, Generic[T]):
    """Rows of ``T`` under named columns; ``set_rows`` resets (views re-read, nothing rebuilt)."""

    COLUMNS: ClassVar[Sequence[Column[Any]]] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: tuple[T, ...] = ()
        self.tz: tzinfo | None = None

    # data in ------------------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[T], tz: tzinfo | None = None) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        if tz is not None:
            self.tz = tz
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows(())

    @property
    def rows(self) -> tuple[T, ...]:
        return self._rows

    def row_at(self, row: int) -> T:
        return self._rows[row]

    def column_index(self, key: str) -> int:
        return [c.key for c in self.COLUMNS].index(key)

    def retranslate(self) -> None:
        if self.COLUMNS:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(self.COLUMNS) - 1)
            )

    def key(self, item: T) -> str:
        return str(getattr(item, "id", getattr(item, "sku", "")))

    # Qt model API ---------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt default argument)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt default argument)
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        column = self.COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return _tr(str(column.header))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(
                (Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft)
                | Qt.AlignmentFlag.AlignVCenter
            )
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= col < len(self.COLUMNS)):
            return None
        item = self._rows[row]
        column = self.COLUMNS[col]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.cell(self, item)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(
                (Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft)
                | Qt.AlignmentFlag.AlignVCenter
            )
        if role == ItemRole:
            return item
        if role == KeyRole:
            return self.key(item)
        return None


# Cells are methods (``cell(self, item)``) so they can read the model's time zone.


class VisitsModel(TableModel[VisitRow]):
    """The drill-down: the visits of one hour, one associate, or the whole day."""

    def _time(self, v: VisitRow) -> str:
        return hhmm(v.at, self.tz)

    def _member(self, v: VisitRow) -> str:
        if v.member_id is None:
            return translate("Dashboard", "Walk-in (%1)").replace("%1", v.member_ref or "?")
        return v.member_name or v.member_id

    def _staff(self, v: VisitRow) -> str:
        return v.staff_name or v.staff_id or "—"

    def _kind(self, v: VisitRow) -> str:
        return translate("Dashboard", "Returning") if v.returning else translate("Dashboard", "New")

    def _length(self, v: VisitRow) -> str:
        return duration(v.length_s)

    def _count(self, v: VisitRow) -> str:
        return fmt_number(v.interactions)

    def _sync(self, v: VisitRow) -> str:
        if v.sync_state is None:
            return translate("Dashboard", "Other terminal")
        return _tr(str(SYNC_STATES.get(v.sync_state, v.sync_state)))

    COLUMNS: ClassVar[Sequence[Column[Any]]] = (
        Column("time", QT_TRANSLATE_NOOP("Dashboard", "Time"), _time),
        Column("member", QT_TRANSLATE_NOOP("Dashboard", "Customer"), _member),
        Column("staff", QT_TRANSLATE_NOOP("Dashboard", "Associate"), _staff),
        Column("kind", QT_TRANSLATE_NOOP("Dashboard", "New or returning"), _kind),
        Column("length", QT_TRANSLATE_NOOP("Dashboard", "Length"), _length, True),
        Column("interactions", QT_TRANSLATE_NOOP("Dashboard", "Records"), _count, True),
        Column("sync", QT_TRANSLATE_NOOP("Dashboard", "Sync"), _sync),
    )


class AssociatesModel(TableModel[AssociateStats]):
    def key(self, item: AssociateStats) -> str:
        return item.staff_id or f"name:{item.name}"

    def _name(self, a: AssociateStats) -> str:
        return a.name or a.staff_id or translate("Dashboard", "Unattributed")

    def _visits(self, a: AssociateStats) -> str:
        return fmt_number(a.visits)

    def _records(self, a: AssociateStats) -> str:
        return fmt_number(a.interactions)

    def _sales(self, a: AssociateStats) -> str:
        return fmt_number(a.sales)

    def _amount(self, a: AssociateStats) -> str:
        return fmt_money(a.sales_cents)

    def _coupons(self, a: AssociateStats) -> str:
        return fmt_number(a.coupons_redeemed)

    COLUMNS: ClassVar[Sequence[Column[Any]]] = (
        Column("name", QT_TRANSLATE_NOOP("Dashboard", "Associate"), _name),
        Column("visits", QT_TRANSLATE_NOOP("Dashboard", "Visits"), _visits, True),
        Column("records", QT_TRANSLATE_NOOP("Dashboard", "Records"), _records, True),
        Column("sales", QT_TRANSLATE_NOOP("Dashboard", "Sales"), _sales, True),
        Column("amount", QT_TRANSLATE_NOOP("Dashboard", "Sales amount"), _amount, True),
        Column("coupons", QT_TRANSLATE_NOOP("Dashboard", "Coupons"), _coupons, True),
    )


class FollowupsModel(TableModel[AssociateFigures]):
    """Follow-up tasks per associate (clerk/clientbook.py): clients in their book, open,
    overdue, escalated (24 h overdue: the manager's) and done on the day shown."""

    def key(self, item: AssociateFigures) -> str:
        return item.staff_id or ""

    def _name(self, f: AssociateFigures) -> str:
        return f.name or f.staff_id or translate("Dashboard", "The store (unassigned)")

    COLUMNS: ClassVar[Sequence[Column[Any]]] = (
        Column("name", QT_TRANSLATE_NOOP("Dashboard", "Associate"), _name),
        Column(
            "clients",
            QT_TRANSLATE_NOOP("Dashboard", "Clients"),
            lambda _m, f: fmt_number(f.clients),
            True,
        ),
        Column(
            "open", QT_TRANSLATE_NOOP("Dashboard", "Open"), lambda _m, f: fmt_number(f.open), True
        ),
        Column(
            "overdue",
            QT_TRANSLATE_NOOP("Dashboard", "Overdue"),
            lambda _m, f: fmt_number(f.overdue),
            True,
        ),
        Column(
            "escalated",
            QT_TRANSLATE_NOOP("Dashboard", "Escalated"),
            lambda _m, f: fmt_number(f.escalated),
            True,
        ),
        Column(
            "done", QT_TRANSLATE_NOOP("Dashboard", "Done"), lambda _m, f: fmt_number(f.done), True
        ),
    )


class ProductsModel(TableModel[ProductInterest]):
    def _title(self, p: ProductInterest) -> str:
        return p.title("zh" if is_chinese() else "en")

    def _count(self, p: ProductInterest) -> str:
        return fmt_number(p.count)

    COLUMNS: ClassVar[Sequence[Column[Any]]] = (
        Column("product", QT_TRANSLATE_NOOP("Dashboard", "Product"), _title),
        Column("sku", QT_TRANSLATE_NOOP("Dashboard", "SKU"), lambda _m, p: p.sku),
        Column("count", QT_TRANSLATE_NOOP("Dashboard", "Asked about"), _count, True),
    )


class RejectedModel(TableModel[RejectedItem]):
    def _kind(self, r: RejectedItem) -> str:
        return _tr(str(KINDS.get(r.kind, r.kind)))

    def _member(self, r: RejectedItem) -> str:
        """Who it was about, in words: the member's name, a masked card, "a phone number" or
        "walk-in" — never a sealed or hashed reference."""
        if r.member_name:
            return r.member_name
        if r.member_id:
            return r.member_id
        ref = r.member_ref or ""
        kind, _, value = ref.partition(":")
        if kind == "card" and value:
            return _tr(QT_TRANSLATE_NOOP("Dashboard", "Card ****%1")).replace("%1", value[-4:])
        if kind in ("phone_sealed", "phone_hash"):
            return _tr(QT_TRANSLATE_NOOP("Dashboard", "A phone number (not on this terminal)"))
        if kind in ("code", "member"):
            return _tr(QT_TRANSLATE_NOOP("Dashboard", "A member code (not on this terminal)"))
        return _tr(QT_TRANSLATE_NOOP("Dashboard", "Walk-in"))

    def _when(self, r: RejectedItem) -> str:
        return datetime.fromtimestamp(r.at, self.tz).strftime("%m-%d %H:%M")

    def _state(self, r: RejectedItem) -> str:
        """Open ("Rejected"), or how it was archived, by whom and why."""
        word = _tr(str(RECORD_STATES.get(r.state, r.state)))
        if r.state == "rejected":
            return word
        who = r.closed_by or "—"
        text = _tr(QT_TRANSLATE_NOOP("Dashboard", "%1 by %2")).replace("%1", word)
        text = text.replace("%2", who)
        return f"{text}: {r.closed_reason}" if r.closed_reason else text

    COLUMNS: ClassVar[Sequence[Column[Any]]] = (
        Column("when", QT_TRANSLATE_NOOP("Dashboard", "When"), _when),
        Column("kind", QT_TRANSLATE_NOOP("Dashboard", "Record"), _kind),
        Column("member", QT_TRANSLATE_NOOP("Dashboard", "Customer"), _member),
        Column(
            "reason",
            QT_TRANSLATE_NOOP("Dashboard", "Reason"),
            lambda _m, r: texts.hub_reason(r.reason) if r.reason else "—",
        ),
        Column("state", QT_TRANSLATE_NOOP("Dashboard", "State"), _state),
    )


class ParkedModel(TableModel[ParkedItem]):
    """Records the hub failed on by themselves, again and again: no longer sent until the
    manager retries them."""

    def _kind(self, p: ParkedItem) -> str:
        return _tr(str(KINDS.get(p.kind, p.kind)))

    def _member(self, p: ParkedItem) -> str:
        return p.member_name or p.member_id or p.member_ref or "—"

    def _when(self, p: ParkedItem) -> str:
        return datetime.fromtimestamp(p.at, self.tz).strftime("%m-%d %H:%M")

    def _tries(self, p: ParkedItem) -> str:
        return fmt_number(p.attempts)

    COLUMNS: ClassVar[Sequence[Column[Any]]] = (
        Column("when", QT_TRANSLATE_NOOP("Dashboard", "When"), _when),
        Column("kind", QT_TRANSLATE_NOOP("Dashboard", "Record"), _kind),
        Column("member", QT_TRANSLATE_NOOP("Dashboard", "Customer"), _member),
        Column(
            "answer",
            QT_TRANSLATE_NOOP("Dashboard", "The hub's answer"),
            lambda _m, p: p.answer_words,
        ),
        Column("tries", QT_TRANSLATE_NOOP("Dashboard", "Tries"), _tries, True),
    )


class ConflictsModel(TableModel[Conflict]):
    """Ours and theirs side by side: who redeemed the coupon here, and the redemption the hub
    had already accepted elsewhere."""

    def _coupon(self, c: Conflict) -> str:
        title = c.coupon_title_zh if is_chinese() else c.coupon_title_en
        return title or c.coupon_id or "—"

    def _member(self, c: Conflict) -> str:
        return c.member_name or c.member_id or c.member_ref or "—"

    def _ours(self, c: Conflict) -> str:
        when = datetime.fromtimestamp(c.at, self.tz).strftime("%m-%d %H:%M")
        return f"{when} · {c.staff_id or '—'}"

    def _theirs(self, c: Conflict) -> str:
        if c.other_at is None:
            return translate("Dashboard", "Elsewhere (%1)").replace("%1", c.conflict_with or "?")
        when = datetime.fromtimestamp(c.other_at, self.tz).strftime("%m-%d %H:%M")
        return f"{when} · {c.other_store or '—'} · {c.other_staff or '—'}"

    COLUMNS: ClassVar[Sequence[Column[Any]]] = (
        Column("coupon", QT_TRANSLATE_NOOP("Dashboard", "Coupon"), _coupon),
        Column("member", QT_TRANSLATE_NOOP("Dashboard", "Customer"), _member),
        Column("ours", QT_TRANSLATE_NOOP("Dashboard", "Redeemed here"), _ours),
        Column("theirs", QT_TRANSLATE_NOOP("Dashboard", "Already redeemed"), _theirs),
        Column(
            "reason",
            QT_TRANSLATE_NOOP("Dashboard", "Reason"),
            lambda _m, c: texts.hub_reason(c.reason) if c.reason else "—",
        ),
    )


class DashboardModels:
    """The item models of the dashboard (reset on every refresh)."""

    def __init__(self) -> None:
        self.visits = VisitsModel()
        self.associates = AssociatesModel()
        self.products = ProductsModel()
        self.rejected = RejectedModel()
        self.parked = ParkedModel()
        self.conflicts = ConflictsModel()
        self.followups = FollowupsModel()

    def all(
        self,
    ) -> tuple[
        VisitsModel,
        AssociatesModel,
        ProductsModel,
        RejectedModel,
        ParkedModel,
        ConflictsModel,
        FollowupsModel,
    ]:
        return (
            self.visits,
            self.associates,
            self.products,
            self.rejected,
            self.parked,
            self.conflicts,
            self.followups,
        )
