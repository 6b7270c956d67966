"""The base of every list model: rows of plain data, named roles, reset with new data.

A model holds a tuple of domain objects (``clerk.model`` dataclasses) and answers each role
with a small function of the row. Display roles (``TitleRole``, ``SubtitleRole`` …) are what
the shared :class:`~ui.views.delegates.RowDelegate` paints; every role also has a name
(``roleNames``) so a view, a test or QML can ask for ``"title"`` or ``"price"``. Formatted
text is computed when asked for, in the current language: after a language switch the model
announces that every row changed (``retranslate``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from ui.qt import QAbstractListModel, QByteArray, QModelIndex, QPersistentModelIndex, Qt

T = TypeVar("T")

Index = QModelIndex | QPersistentModelIndex

_ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)
_NO_FLAGS = Qt.ItemFlag.NoItemFlags

_U = Qt.ItemDataRole.UserRole


class Roles:
    """Display roles shared by all models (what the row delegate paints)."""

    Item = _U + 1  # the domain object itself
    Title = _U + 2
    Subtitle = _U + 3
    Detail = _U + 4  # a third line, e.g. an applicable coupon
    Trailing = _U + 5  # right-aligned, e.g. a price
    TrailingSub = _U + 6
    Tile = _U + 7  # product image descriptor "#rrggbb:glyph"
    Icon = _U + 8  # icon name in assets/icons
    Chip = _U + 9  # small status pill text
    ChipTone = _U + 10  # good | warn | bad | info | accent | primary | muted
    Emphasis = _U + 11  # bool: highlight the row (a talking point worth saying first)
    Wrap = _U + 12  # bool: the title wraps over several lines
    Key = _U + 13  # a stable id of the row
    Avatar = _U + 14  # a name to draw an avatar from
    DetailTone = _U + 15  # colour of the detail line: accent (default) | muted | good | bad
    # Model-specific named roles start here.
    First = _U + 32


BASE_ROLE_NAMES: dict[int, bytes] = {
    Roles.Item: b"item",
    Roles.Title: b"title",
    Roles.Subtitle: b"subtitle",
    Roles.Detail: b"detail",
    Roles.Trailing: b"trailing",
    Roles.TrailingSub: b"trailingSub",
    Roles.Tile: b"tile",
    Roles.Icon: b"icon",
    Roles.Chip: b"chip",
    Roles.ChipTone: b"chipTone",
    Roles.Emphasis: b"emphasis",
    Roles.Wrap: b"wrap",
    Roles.Key: b"key",
    Roles.Avatar: b"avatar",
    Roles.DetailTone: b"detailTone",
}


@dataclass(slots=True)
class RowDisplay:
    """Everything the row delegate paints for one row, computed once per reset.

    The delegate reads this straight from the model (a Python call) instead of a dozen
    ``QModelIndex.data()`` round trips per row per paint; ``heights`` caches the row height
    per view width, ``title_lines`` a wrapped title's lines and height per text width,
    ``beside`` and ``trailing_width`` the widths the row's text leaves to the rest.
    """

    title: str = ""
    subtitle: str = ""
    detail: str = ""
    detail_tone: str = "accent"
    trailing: str = ""
    trailing_sub: str = ""
    tile: str | None = None
    icon: str = ""
    chip: str = ""
    chip_tone: str = "muted"
    emphasis: bool = False
    wrap: bool = False
    avatar: str = ""
    checked: bool | None = None  # None: not a checkable row
    heights: dict[int, int] = field(default_factory=dict)
    title_lines: dict[int, Any] = field(default_factory=dict)  # a wrapped title, laid out per width
    # the width beside the text (padding, check box, leading visual, trailing column) and the
    # trailing column's own, worked out once (-1: not yet) by the delegate painting the row
    beside: int = -1
    trailing_width: int = -1


class RowsModel(QAbstractListModel, Generic[T]):
    """Rows of ``T``; subclasses fill ``ROLES`` with role → (name, getter)."""

    ROLES: ClassVar[dict[int, tuple[bytes, str]]] = {}

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: tuple[T, ...] = ()
        self._display: dict[int, RowDisplay] = {}
        self.limit: int | None = None  # rows shown until show_all() (long panels)
        self._expanded = False
        self._getters: dict[int, Callable[[T], Any]] = {}
        names = dict(BASE_ROLE_NAMES)
        for role, (name, method) in self.ROLES.items():
            names[role] = name
            self._getters[role] = getattr(self, method)
        self._names = {role: QByteArray(name) for role, name in names.items()}

    # --- data in -------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[T]) -> None:
        """Replace every row (one reset: views re-read, no widget is rebuilt)."""
        self.beginResetModel()
        self._rows = tuple(rows)
        self._display.clear()
        self._expanded = False
        self.endResetModel()

    @property
    def total(self) -> int:
        """All rows, shown or not."""
        return len(self._rows)

    @property
    def shown(self) -> int:
        if self.limit is None or self._expanded:
            return len(self._rows)
        return min(len(self._rows), self.limit)

    def show_all(self) -> None:
        """Show the rows beyond ``limit`` (inserted, not a reset)."""
        before = self.shown
        if before == len(self._rows):
            return
        self.beginInsertRows(QModelIndex(), before, len(self._rows) - 1)
        self._expanded = True
        self.endInsertRows()

    def clear(self) -> None:
        self.set_rows(())

    def retranslate(self) -> None:
        self._display.clear()
        if self.shown:
            self.dataChanged.emit(self.index(0, 0), self.index(self.shown - 1, 0))

    @property
    def rows(self) -> tuple[T, ...]:
        return self._rows

    def row_at(self, row: int) -> T:
        return self._rows[row]

    def value(self, row: int, role: int) -> Any:
        """The value of ``role`` for ``row``, as a plain Python call (no QVariant)."""
        if not 0 <= row < len(self._rows):
            return None
        if role == Roles.Item:
            return self._rows[row]
        getter = self._getters.get(role)
        return None if getter is None else getter(self._rows[row])

    def display(self, row: int) -> RowDisplay:
        """What the delegate paints for ``row`` (cached until the next reset)."""
        d = self._display.get(row)
        if d is None:
            d = self._make_display(self._rows[row], row)
            self._display[row] = d
        return d

    def _make_display(self, item: T, row: int) -> RowDisplay:
        g = self._getters

        def get(role: int, default: Any = "") -> Any:
            getter = g.get(role)
            value = None if getter is None else getter(item)
            return default if value is None else value

        return RowDisplay(
            title=str(get(Roles.Title)),
            subtitle=str(get(Roles.Subtitle)),
            detail=str(get(Roles.Detail)),
            detail_tone=str(get(Roles.DetailTone, "accent")),
            trailing=str(get(Roles.Trailing)),
            trailing_sub=str(get(Roles.TrailingSub)),
            tile=get(Roles.Tile, None),
            icon=str(get(Roles.Icon)),
            chip=str(get(Roles.Chip)),
            chip_tone=str(get(Roles.ChipTone, "muted")),
            emphasis=bool(get(Roles.Emphasis, False)),
            wrap=bool(get(Roles.Wrap, False)),
            avatar=str(get(Roles.Avatar)),
            checked=self.is_checked(row),
        )

    def is_checked(self, row: int) -> bool | None:
        """Checkable models answer True/False; others None."""
        return None

    # --- Qt model API --------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else self.shown

    def roleNames(self) -> dict[int, QByteArray]:
        return dict(self._names)

    def flags(self, index: Index) -> Qt.ItemFlag:
        # asked for every row at every paint: the flags are built once (an enum "|" is a
        # Python call)
        return _ROW_FLAGS if index.isValid() else _NO_FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row = index.row()
        if not 0 <= row < self.shown:
            return None
        item = self._rows[row]
        if role == Roles.Item:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            role = Roles.Title
        elif role == Qt.ItemDataRole.AccessibleTextRole:
            return self.accessible_text(item)
        getter = self._getters.get(role)
        return None if getter is None else getter(item)

    def accessible_text(self, item: T) -> str:
        """What a screen reader says for the row: its visible lines, joined."""
        parts = []
        for role in (Roles.Title, Roles.Subtitle, Roles.Detail, Roles.Trailing, Roles.Chip):
            getter = self._getters.get(role)
            value = getter(item) if getter is not None else None
            if value:
                parts.append(str(value))
        return ", ".join(parts)
