"""Products the associate can pick while recording (interest, assisted sale)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ui.i18n import fmt_money
from ui.models.rows_model import Index, Roles, RowsModel
from ui.qt import Qt


@dataclass(frozen=True)
class Choice:
    sku: str
    title: str
    price_cents: int
    image: str
    qty: int = 1
    in_cart: bool = False


class ProductChoicesModel(RowsModel[Choice]):
    """Checkable product rows; ``checked()`` is what the associate picked."""

    Sku = Roles.First
    PriceCents = Roles.First + 1

    ROLES: ClassVar[dict[int, tuple[bytes, str]]] = {
        Roles.Title: (b"title", "_title"),
        Roles.Trailing: (b"trailing", "_price"),
        Roles.Tile: (b"tile", "_tile"),
        Roles.Key: (b"key", "_sku"),
        Sku: (b"sku", "_sku"),
        PriceCents: (b"priceCents", "_price_cents"),
    }

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._checked: set[str] = set()

    def set_choices(self, rows: list[Choice], checked: set[str] | None = None) -> None:
        self._checked = set(checked or ())
        self.set_rows(rows)

    def checked(self) -> list[Choice]:
        return [c for c in self._rows if c.sku in self._checked]

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsUserCheckable if index.isValid() else base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.CheckStateRole
            and index.isValid()
            and 0 <= index.row() < len(self._rows)
        ):
            sku = self._rows[index.row()].sku
            return Qt.CheckState.Checked if sku in self._checked else Qt.CheckState.Unchecked
        return super().data(index, role)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        sku = self._rows[index.row()].sku
        state = Qt.CheckState(value) if not isinstance(value, Qt.CheckState) else value
        if state == Qt.CheckState.Checked:
            self._checked.add(sku)
        else:
            self._checked.discard(sku)
        self._display.pop(index.row(), None)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True

    def is_checked(self, row: int) -> bool | None:
        return self._rows[row].sku in self._checked

    def toggle(self, row: int) -> None:
        index = self.index(row, 0)
        checked = self.data(index, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
        self.setData(
            index,
            Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked,
            Qt.ItemDataRole.CheckStateRole,
        )

    def _title(self, c: Choice) -> str:
        return c.title

    def _price(self, c: Choice) -> str:
        return fmt_money(c.price_cents * c.qty)

    def _tile(self, c: Choice) -> str:
        return c.image

    def _sku(self, c: Choice) -> str:
        return c.sku

    def _price_cents(self, c: Choice) -> int:
        return c.price_cents * c.qty
