"""The product-interest form: the product picked, tried on or asked about, a note."""

from __future__ import annotations

from ui.models.product_choices_model import ProductChoicesModel
from ui.qt import QLineEdit, QWidget, translate
from ui.views.forms.fields import form_column, segments
from ui.views.forms.product_picker import ProductPicker
from ui.views.widgets import button, label


class InterestForm(QWidget):
    def __init__(self, products: ProductChoicesModel) -> None:
        super().__init__()
        box = form_column(self, 10)
        self.picker = ProductPicker(products, "interest")
        box.addWidget(self.picker)
        # The product the record names, shown as it will be saved.
        self.chosen = label("", "panelTitle", wrap=True)
        self.chosen.setObjectName("interestChosen")
        box.addWidget(self.chosen)
        self.tried_on = button(
            "", icon_name="check", kind="segment", checkable=True, object_name="triedOn"
        )
        self.asked_about = button(
            "", icon_name="info", kind="segment", checkable=True, object_name="askedAbout"
        )
        seg, self.action = segments(self, [self.tried_on, self.asked_about])
        self.asked_about.setChecked(True)
        box.addWidget(seg)
        self.text = QLineEdit()
        self.text.setObjectName("interestText")
        box.addWidget(self.text)

    def show_chosen(self, title: str, sku: str, price: str) -> None:
        self.chosen.setText(f"{title} · {sku} · {price}" if sku else "")
        self.chosen.setVisible(bool(sku))

    def forget(self) -> None:
        """Forget everything typed or shown (the terminal locked)."""
        self.text.clear()
        self.chosen.setText("")
        self.picker.search.clear()

    def retranslate(self) -> None:
        self.picker.retranslate()
        self.tried_on.setText(translate("Terms", "Tried on"))
        self.asked_about.setText(translate("Terms", "Asked about"))
        self.tried_on.setAccessibleName(translate("Terms", "Tried on"))
        self.asked_about.setAccessibleName(translate("Terms", "Asked about"))
        self.text.setPlaceholderText(
            translate("Composer", "Size, colour, anything to remember (optional)")
        )
        self.text.setAccessibleName(translate("Composer", "Interest note"))
