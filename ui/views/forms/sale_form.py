"""The assisted sale: the products sold (one line each), the total, a note."""

from __future__ import annotations

from clerk.shared.money import AmountError, parse_cents
from ui.models.product_choices_model import ProductChoicesModel, SaleLineValue, cents_text
from ui.qt import (
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QLocale,
    QSizePolicy,
    QSpinBox,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    translate,
)
from ui.views.forms.fields import accept_yuan, form_column, labelled_entry
from ui.views.forms.product_picker import ProductPicker
from ui.views.widgets import label, tool_button


class SaleLineRow(QFrame):
    """One product sold: its name (wrapped, never cut), sku, quantity, unit price (the
    catalogue's, editable) and a remove button."""

    changed = Signal()
    remove = Signal(object)

    def __init__(self, value: SaleLineValue, max_qty: int) -> None:
        super().__init__()
        self.setObjectName("saleLine")
        self.sku = value.sku
        self.title_text = value.title
        self.cart_item_id = value.cart_item_id
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 4, 0, 4)
        box.setSpacing(2)
        self.title = label(value.title, "", wrap=True)
        self.title.setObjectName("saleLineTitle")
        box.addWidget(self.title)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.sku_label = label(value.sku, "muted")
        row.addWidget(self.sku_label, 1)
        self.qty = QSpinBox()
        self.qty.setObjectName("saleQty")
        self.qty.setRange(1, max_qty)  # never more than the vocabulary takes
        self.qty.setValue(min(max(value.qty, 1), max_qty))
        self.qty.setMinimumHeight(40)
        self.qty.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.qty.valueChanged.connect(self.changed)
        row.addWidget(self.qty)
        self.price = QLineEdit(cents_text(value.price_cents))
        self.price.setObjectName("salePrice")
        self.price.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.price.setMinimumHeight(40)
        self.price.setFixedWidth(120)
        self.price.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        accept_yuan(self.price)
        self.price.textChanged.connect(self.changed)
        row.addWidget(self.price)
        self.remove_button = tool_button("close", object_name="saleLineRemove")
        self.remove_button.clicked.connect(lambda: self.remove.emit(self))
        row.addWidget(self.remove_button)
        box.addLayout(row)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.retranslate()

    def price_cents(self) -> int | None:
        try:
            return parse_cents(
                self.price.text(),
                decimal_point=QLocale().decimalPoint(),
                group_separator=QLocale().groupSeparator(),
            )
        except AmountError:
            return None

    def value(self) -> SaleLineValue:
        return SaleLineValue(
            self.sku, self.title_text, self.qty.value(), self.price_cents() or 0, self.cart_item_id
        )

    def retranslate(self) -> None:
        self.qty.setAccessibleName(
            translate("Composer", "Quantity of %1").replace("%1", self.title_text)
        )
        self.price.setAccessibleName(
            translate("Composer", "Unit price of %1 in yuan").replace("%1", self.title_text)
        )
        self.remove_button.setAccessibleName(
            translate("Composer", "Remove %1").replace("%1", self.title_text)
        )
        self.remove_button.setToolTip(self.remove_button.accessibleName())


class SaleForm(QWidget):
    """An assisted sale of anything in the store: products found in the catalogue (or
    suggested from the online cart: a tap adds one — nothing is pre-ticked), each with its
    quantity and unit price, the total computed from them (less a coupon redeemed here) and
    editable."""

    lines_changed = Signal()
    suggestion_clicked = Signal(int)

    def __init__(self, products: ProductChoicesModel) -> None:
        super().__init__()
        box = form_column(self, 8)
        self.picker = ProductPicker(products, "sale")
        box.addWidget(self.picker)
        self.products = self.picker.list
        self.lines_label = label("", "section")
        box.addWidget(self.lines_label)
        self.lines_box = QVBoxLayout()
        self.lines_box.setSpacing(0)
        box.addLayout(self.lines_box)
        self.lines_empty = label("", "hint", wrap=True)
        self.lines_empty.setObjectName("saleLinesEmpty")
        box.addWidget(self.lines_empty)
        self.discount = label("", "muted", wrap=True)
        self.discount.setObjectName("saleDiscount")
        box.addWidget(self.discount)
        self.amount = QLineEdit()
        self.amount.setObjectName("saleAmount")
        accept_yuan(self.amount)
        row, self.amount_label = labelled_entry(self.amount)
        box.addLayout(row)
        self.computed = label("", "hint", wrap=True)
        self.computed.setObjectName("saleComputed")
        box.addWidget(self.computed)
        self.text = QLineEdit()
        self.text.setObjectName("saleText")
        box.addWidget(self.text)
        self.rows: list[SaleLineRow] = []
        self.max_qty = 999  # set by the controller from the vocabulary
        self.amount_edited = False  # the associate typed the total: it no longer follows
        self.amount.textEdited.connect(self._amount_typed)
        self._update_empty()

    def _amount_typed(self, _text: str) -> None:
        self.amount_edited = True

    def add_line(self, value: SaleLineValue) -> SaleLineRow:
        """A new line, or one more of a product already on a line."""
        for existing in self.rows:
            if existing.sku == value.sku:
                existing.qty.setValue(min(existing.qty.value() + value.qty, self.max_qty))
                if value.cart_item_id and not existing.cart_item_id:
                    existing.cart_item_id = value.cart_item_id
                return existing
        line = self._append(value)
        self._update_empty()
        self.lines_changed.emit()
        return line

    def set_lines(self, values: list[SaleLineValue]) -> None:
        """Exactly these lines (a draft restored, a rejected sale reopened), each kept as its
        own line."""
        self.clear_lines()
        for value in values:
            self._append(value)
        self._update_empty()
        self.lines_changed.emit()

    def _append(self, value: SaleLineValue) -> SaleLineRow:
        line = SaleLineRow(value, self.max_qty)
        line.changed.connect(self.lines_changed)
        line.remove.connect(self.remove_line)
        self.rows.append(line)
        self.lines_box.addWidget(line)
        return line

    def remove_line(self, line: SaleLineRow) -> None:
        if line in self.rows:
            self.rows.remove(line)
            self.lines_box.removeWidget(line)
            line.deleteLater()
            self._update_empty()
            self.lines_changed.emit()

    def clear_lines(self) -> None:
        for line in self.rows:
            self.lines_box.removeWidget(line)
            line.deleteLater()
        self.rows = []
        self._update_empty()

    def values(self) -> list[SaleLineValue]:
        return [line.value() for line in self.rows]

    def _update_empty(self) -> None:
        self.lines_empty.setVisible(not self.rows)

    def forget(self) -> None:
        """Forget everything typed or shown (the terminal locked)."""
        self.picker.search.clear()
        self.text.clear()
        self.amount.clear()
        self.clear_lines()

    def retranslate(self) -> None:
        self.picker.retranslate()
        self.lines_label.setText(translate("Composer", "PRODUCTS SOLD"))
        self.lines_empty.setText(
            translate(
                "Composer", "No product yet: pick one above (a suggestion, a search or a scan)."
            )
        )
        self.amount_label.setText(translate("Composer", "Total paid (¥)"))
        self.amount.setAccessibleName(translate("Composer", "Total paid in yuan"))
        self.text.setPlaceholderText(translate("Composer", "Note (optional)"))
        self.text.setAccessibleName(translate("Composer", "Sale note"))
        for line in self.rows:
            line.retranslate()
