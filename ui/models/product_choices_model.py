"""Products the associate can pick while recording (interest, assisted sale): suggestions from
the customer's online cart and browsing, or what a catalogue search found. Rows are picked
(a click, Enter), never ticked: nothing is chosen until the associate chooses it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ui.i18n import fmt_money
from ui.models.rows_model import Roles, RowsModel
from ui.qt import QT_TRANSLATE_NOOP, QLocale, translate

SOURCES = {
    "cart": QT_TRANSLATE_NOOP("Composer", "In the online cart"),
    "browsed": QT_TRANSLATE_NOOP("Composer", "Browsed online"),
    "catalogue": "",
}


@dataclass(frozen=True)
class Choice:
    sku: str
    title: str  # in the UI's language (the controller refills on a language switch)
    price_cents: int
    image: str
    qty: int = 1
    source: str = "catalogue"  # cart | browsed | catalogue
    cart_item_id: str | None = None  # the online-cart line a sale of it settles


@dataclass(frozen=True)
class SaleLineValue:
    """One line of the sale form as the associate set it."""

    sku: str
    title: str
    qty: int
    price_cents: int
    cart_item_id: str | None = None


def cents_text(cents: int) -> str:
    """Fen as an amount field shows it in this locale (no group separator): ``1999.00``."""
    locale = QLocale()
    return locale.toString(cents / 100, "f", 2).replace(locale.groupSeparator(), "")


class ProductChoicesModel(RowsModel[Choice]):
    Sku = Roles.First
    PriceCents = Roles.First + 1

    ROLES: ClassVar[dict[int, tuple[bytes, str]]] = {
        Roles.Title: (b"title", "_title"),
        Roles.Subtitle: (b"subtitle", "_subtitle"),
        Roles.Trailing: (b"trailing", "_price"),
        Roles.Tile: (b"tile", "_tile"),
        Roles.Key: (b"key", "_sku"),
        Sku: (b"sku", "_sku"),
        PriceCents: (b"priceCents", "_price_cents"),
    }

    def set_choices(self, rows: list[Choice]) -> None:
        self.set_rows(rows)

    def row_of(self, sku: str) -> int:
        return next((i for i, c in enumerate(self._rows) if c.sku == sku), -1)

    def _title(self, c: Choice) -> str:
        return c.title

    def _subtitle(self, c: Choice) -> str:
        source = SOURCES.get(c.source, "")
        where = translate("Composer", source) if source else ""
        return f"{c.sku} · {where}" if where else c.sku

    def _price(self, c: Choice) -> str:
        return fmt_money(c.price_cents)

    def _tile(self, c: Choice) -> str:
        return c.image

    def _sku(self, c: Choice) -> str:
        return c.sku

    def _price_cents(self, c: Choice) -> int:
        return c.price_cents
