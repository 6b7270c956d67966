"""The product picker the interest and sale forms share: a catalogue search above the
suggestions (the online cart, then what was browsed) or what the search found."""

from __future__ import annotations

from ui.models.product_choices_model import ProductChoicesModel
from ui.qt import QLineEdit, QWidget, Signal, translate
from ui.views.forms.fields import form_column
from ui.views.widgets import RowList, label


class ProductPicker(QWidget):
    """Search the catalogue (name in Chinese or English, or sku) above a list of products:
    the customer's cart and browsing as suggestions while the search is empty, what it
    found once typed. A click or Enter picks a row (``picked``); nothing is pre-picked."""

    picked = Signal(int)  # the row picked in ``model``
    search_changed = Signal(str)

    def __init__(self, model: ProductChoicesModel, name: str) -> None:
        super().__init__()
        box = form_column(self, 6)
        self.search = QLineEdit()
        self.search.setObjectName(f"{name}Search")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumHeight(44)
        self.search.textChanged.connect(self.search_changed)
        self.search.returnPressed.connect(self._enter)
        box.addWidget(self.search)
        self.list_label = label("", "section", wrap=True)
        box.addWidget(self.list_label)
        self.list = RowList(model, tile=36, dense=True)
        self.list.setObjectName(f"{name}Products")
        self.list.clicked.connect(lambda index: self.picked.emit(index.row()))
        self.list.activated.connect(lambda index: self.picked.emit(index.row()))
        box.addWidget(self.list)
        self.empty = label("", "hint", wrap=True)
        box.addWidget(self.empty)
        self.model = model
        model.modelReset.connect(self._update_empty)
        self._update_empty()

    def _enter(self) -> None:
        """Enter in the search picks the first product found."""
        if self.model.rowCount() and self.search.text().strip():
            self.picked.emit(0)

    def _update_empty(self) -> None:
        searching = bool(self.search.text().strip())
        self.list.setVisible(self.model.rowCount() > 0)
        self.empty.setVisible(self.model.rowCount() == 0)
        self.list_label.setText(
            translate("Composer", "FOUND IN THE CATALOGUE")
            if searching
            else translate("Composer", "SUGGESTED: ONLINE CART AND BROWSING")
        )
        self.list_label.setVisible(self.model.rowCount() > 0)
        self.empty.setText(
            translate(
                "Composer", "No product matches — try the name in Chinese or English, or the SKU."
            )
            if searching
            else translate("Composer", "Search the catalogue above, or scan the product's SKU.")
        )

    def retranslate(self) -> None:
        self.search.setPlaceholderText(
            translate("Composer", "Search products: name (中文 / English) or SKU")
        )
        self.search.setAccessibleName(translate("Composer", "Search the catalogue"))
        self.list.setAccessibleName(translate("Composer", "Products (click or Enter picks)"))
        self._update_empty()
