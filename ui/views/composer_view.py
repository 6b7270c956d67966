"""The inline recording panels (never modal dialogs): note, product interest, coupon
redemption, assisted sale, points redemption, consent, a service case opened, a case noted or
closed, a follow-up task. One :class:`Composer` card shows one form at a time.

Over 700 lines, on purpose for now: the six forms share one card, one scroll area and one
product picker, and are laid out together; the seam for a split is the picker and the sale
lines (``ProductPicker``, ``SaleLineRow``, ``FormScroll``) into a view module of their own.
"""

from __future__ import annotations

from typing import Any, ClassVar

from clerk.shared.money import MAX_CENTS, AmountError, parse_cents
from ui.i18n import fmt_number
from ui.models.product_choices_model import ProductChoicesModel, SaleLineValue, cents_text
from ui.qt import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDate,
    QDateEdit,
    QDoubleValidator,
    QEvent,
    QFrame,
    QHBoxLayout,
    QIntValidator,
    QLineEdit,
    QLocale,
    QObject,
    QPlainTextEdit,
    QScrollArea,
    QSize,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    translate,
)
from ui.views.widgets import (
    CheckText,
    Chip,
    FlowRow,
    LanguageAware,
    RowList,
    button,
    icon_label,
    label,
    set_prop,
    tool_button,
)


class NoteForm(QWidget):
    """The note editor with its length against the vocabulary's limit ("3,980 / 4,000", red
    past it): what the hub would refuse is seen while typing, not after "saved"."""

    def __init__(self) -> None:
        super().__init__()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        self.text = QPlainTextEdit()
        self.text.setObjectName("noteText")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(96)
        box.addWidget(self.text)
        self.count = label("", "hint")
        self.count.setObjectName("noteCount")
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight)
        box.addWidget(self.count)
        self.limit = 0  # set by the controller from the vocabulary (loaded with the first form)
        self.text.textChanged.connect(self._count)

    def set_limit(self, limit: int) -> None:
        self.limit = limit
        self._count()

    def over(self) -> bool:
        return bool(self.limit) and len(self.text.toPlainText()) > self.limit

    def _count(self) -> None:
        if not self.limit:
            self.count.setText("")
            return
        used = len(self.text.toPlainText())
        self.count.setText(
            translate("Composer", "%1 / %2 characters")
            .replace("%1", fmt_number(used))
            .replace("%2", fmt_number(self.limit))
        )
        set_prop(self.count, "role", "error" if used > self.limit else "hint")
        self.count.setAccessibleName(self.count.text())

    def retranslate(self) -> None:
        self.text.setPlaceholderText(
            translate("Composer", "What did the customer say or ask for? (Ctrl+Enter saves)")
        )
        self.text.setAccessibleName(translate("Composer", "Note text"))
        self._count()


class ProductPicker(QWidget):
    """Search the catalogue (name in Chinese or English, or sku) above a list of products:
    the customer's cart and browsing as suggestions while the search is empty, what it
    found once typed. A click or Enter picks a row (``picked``); nothing is pre-picked."""

    picked = Signal(int)  # the row picked in ``model``
    search_changed = Signal(str)

    def __init__(self, model: ProductChoicesModel, name: str) -> None:
        super().__init__()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
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


class InterestForm(QWidget):
    def __init__(self, products: ProductChoicesModel) -> None:
        super().__init__()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        self.picker = ProductPicker(products, "interest")
        box.addWidget(self.picker)
        # The product the record names, shown as it will be saved.
        self.chosen = label("", "panelTitle", wrap=True)
        self.chosen.setObjectName("interestChosen")
        box.addWidget(self.chosen)
        seg = FlowRow(8)  # side by side, or one above the other in a narrow column
        self.tried_on = button(
            "", icon_name="check", kind="segment", checkable=True, object_name="triedOn"
        )
        self.asked_about = button(
            "", icon_name="info", kind="segment", checkable=True, object_name="askedAbout"
        )
        self.action = QButtonGroup(self)
        self.action.setExclusive(True)
        self.action.addButton(self.tried_on)
        self.action.addButton(self.asked_about)
        self.asked_about.setChecked(True)
        seg.add(self.tried_on)
        seg.add(self.asked_about)
        box.addWidget(seg)
        self.text = QLineEdit()
        self.text.setObjectName("interestText")
        box.addWidget(self.text)

    def show_chosen(self, title: str, sku: str, price: str) -> None:
        self.chosen.setText(f"{title} · {sku} · {price}" if sku else "")
        self.chosen.setVisible(bool(sku))

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


class RedeemForm(QWidget):
    def __init__(self) -> None:
        super().__init__()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        self.ticket = QFrame()
        self.ticket.setObjectName("redeemTicket")
        t = QHBoxLayout(self.ticket)
        t.setContentsMargins(16, 14, 16, 14)
        t.setSpacing(16)
        self.offer = label("")
        self.offer.setObjectName("redeemOffer")
        t.addWidget(self.offer)
        col = QVBoxLayout()
        col.setSpacing(2)
        self.title = label("", "panelTitle", wrap=True)
        self.title.setObjectName("redeemTitle")
        self.rule = label("", "muted", wrap=True)
        self.rule.setObjectName("redeemRule")
        self.validity = label("", "muted", wrap=True)
        self.applies = label("", wrap=True)
        self.applies.setObjectName("redeemApplies")
        for w in (self.title, self.rule, self.validity, self.applies):
            col.addWidget(w)
        t.addLayout(col, 1)
        box.addWidget(self.ticket)
        self.question = label("", "muted", wrap=True)
        box.addWidget(self.question)

    def retranslate(self) -> None:
        # ``question`` names the coupon, its value and the member: the controller fills it.
        self.ticket.setAccessibleName(translate("Composer", "Coupon to redeem"))


class PointsForm(QWidget):
    """Points redeemed at the counter: the balance that may be redeemed here (the hub's less
    this terminal's unconfirmed redemptions), the points (whole, 1 up to the vocabulary's
    bound — over the balance is refused on save, naming it) and an optional note. The
    question under them names the points, the member and the balance after."""

    def __init__(self) -> None:
        super().__init__()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(8)
        self.available = label("", "panelTitle", wrap=True)
        self.available.setObjectName("pointsAvailable")
        box.addWidget(self.available)
        row = QHBoxLayout()
        row.setSpacing(10)
        self.points_label = label("", "muted")
        row.addWidget(self.points_label)
        self.points = QLineEdit()
        self.points.setObjectName("pointsAmount")
        # whole points only (the bound: ``set_limit``, from the vocabulary)
        self.validator = QIntValidator(0, 2**31 - 1, self.points)
        self.points.setValidator(self.validator)
        self.points.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.points.setMinimumHeight(44)
        row.addWidget(self.points, 1)
        box.addLayout(row)
        self.text = QLineEdit()
        self.text.setObjectName("pointsText")
        box.addWidget(self.text)
        self.question = label("", "muted", wrap=True)
        self.question.setObjectName("pointsQuestion")
        box.addWidget(self.question)

    def set_limit(self, max_points: int) -> None:
        """At most the vocabulary's bound (set by the controller with the first form): the
        field takes no more digits than that bound has."""
        self.validator.setTop(max_points)
        self.points.setMaxLength(len(str(max_points)))

    def value(self) -> int | None:
        """The points typed (None: nothing, or not a whole number)."""
        text = self.points.text().strip()
        return int(text) if text.isdigit() else None

    def retranslate(self) -> None:
        # ``available`` and ``question`` name the balance and the member: the controller.
        self.points_label.setText(translate("Composer", "Points to redeem"))
        self.points.setAccessibleName(translate("Composer", "Points to redeem"))
        self.text.setPlaceholderText(translate("Composer", "Note (optional)"))
        self.text.setAccessibleName(translate("Composer", "Points redemption note"))


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
        validator = QDoubleValidator(0.0, MAX_CENTS / 100, 2, self.price)
        validator.setNotation(QDoubleValidator.Notation.StandardNotation)
        self.price.setValidator(validator)
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
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(8)
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
        row = QHBoxLayout()
        row.setSpacing(10)
        self.amount_label = label("", "muted")
        row.addWidget(self.amount_label)
        self.amount = QLineEdit()
        self.amount.setObjectName("saleAmount")
        validator = QDoubleValidator(0.0, MAX_CENTS / 100, 2, self.amount)
        validator.setNotation(QDoubleValidator.Notation.StandardNotation)
        self.amount.setValidator(validator)
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.amount.setMinimumHeight(44)
        row.addWidget(self.amount, 1)
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
        line = SaleLineRow(value, self.max_qty)
        line.changed.connect(self.lines_changed)
        line.remove.connect(self.remove_line)
        self.rows.append(line)
        self.lines_box.addWidget(line)
        self._update_empty()
        self.lines_changed.emit()
        return line

    def set_lines(self, values: list[SaleLineValue]) -> None:
        """Exactly these lines (a draft restored, a rejected sale reopened), each kept as its
        own line."""
        self.clear_lines()
        for value in values:
            line = SaleLineRow(value, self.max_qty)
            line.changed.connect(self.lines_changed)
            line.remove.connect(self.remove_line)
            self.rows.append(line)
            self.lines_box.addWidget(line)
        self._update_empty()
        self.lines_changed.emit()

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


class ConsentForm(QWidget):
    def __init__(self) -> None:
        super().__init__()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        self.marketing = QCheckBox()
        self.marketing.setObjectName("consentMarketingBox")
        self.browsing = QCheckBox()
        self.browsing.setObjectName("consentBrowsingBox")
        # The words beside each box wrap (a check box's own text never does): a handheld's
        # width, or a desktop column's.
        self.marketing_text = CheckText(self.marketing)
        self.browsing_text = CheckText(self.browsing)
        # The wording (and version) in force under each: what the customer agrees to.
        self.marketing_wording = label("", "hint", wrap=True)
        self.marketing_wording.setObjectName("consentMarketingWording")
        self.browsing_wording = label("", "hint", wrap=True)
        self.browsing_wording.setObjectName("consentBrowsingWording")
        for check, text, wording in (
            (self.marketing, self.marketing_text, self.marketing_wording),
            (self.browsing, self.browsing_text, self.browsing_wording),
        ):
            row = QHBoxLayout()
            row.setSpacing(8)
            row.addWidget(check, 0, Qt.AlignmentFlag.AlignTop)
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(text)
            column.addWidget(wording)
            wording.hide()
            row.addLayout(column, 1)
            box.addLayout(row)
        self.hint = label("", "hint", wrap=True)
        box.addWidget(self.hint)

    def retranslate(self) -> None:
        self.marketing_text.setText(translate("Composer", "Marketing messages (SMS, app, WeChat)"))
        self.marketing.setAccessibleName(translate("Composer", "Consent to marketing messages"))
        self.browsing_text.setText(
            translate("Composer", "Use online browsing to serve them in store")
        )
        self.browsing.setAccessibleName(translate("Composer", "Consent to use of browsing history"))
        self.hint.setText(
            translate(
                "Composer", "Tick or untick what the customer said; saving records the change."
            )
        )


CASE_TYPES = ("repair", "complaint", "other")


class CaseForm(QWidget):
    """A service case opened: its type, what it is about, a note (optional)."""

    def __init__(self) -> None:
        super().__init__()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        seg = FlowRow(8)
        self.types = QButtonGroup(self)
        self.types.setExclusive(True)
        self.type_buttons: dict[str, Any] = {}
        for name in CASE_TYPES:
            b = button("", kind="segment", checkable=True, object_name=f"caseType_{name}")
            self.types.addButton(b)
            self.type_buttons[name] = b
            seg.add(b)
        self.type_buttons["repair"].setChecked(True)
        box.addWidget(seg)
        self.subject = QLineEdit()
        self.subject.setObjectName("caseSubject")
        box.addWidget(self.subject)
        self.text = QLineEdit()
        self.text.setObjectName("caseText")
        box.addWidget(self.text)

    def case_type(self) -> str:
        return next((n for n, b in self.type_buttons.items() if b.isChecked()), "other")

    def retranslate(self) -> None:
        names = {
            "repair": translate("Terms", "Repair"),
            "complaint": translate("Terms", "Complaint"),
            "other": translate("Terms", "Service case"),
        }
        for name, b in self.type_buttons.items():
            b.setText(names[name])
            b.setAccessibleName(names[name])
        self.subject.setPlaceholderText(
            translate("Composer", "What is it about? e.g. screen replacement")
        )
        self.subject.setAccessibleName(translate("Composer", "Case subject"))
        self.text.setPlaceholderText(translate("Composer", "Note (optional)"))
        self.text.setAccessibleName(translate("Composer", "Case note"))


class CaseUpdateForm(QWidget):
    """A note on an open case, or the case closed (the note says how it was resolved)."""

    def __init__(self) -> None:
        super().__init__()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        self.case = label("", "panelTitle", wrap=True)  # the case, as the panel shows it
        self.case.setObjectName("caseShown")
        box.addWidget(self.case)
        self.text = QPlainTextEdit()
        self.text.setObjectName("caseUpdateText")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(72)
        box.addWidget(self.text)
        self.close_case = QCheckBox()
        self.close_case.setObjectName("caseCloseBox")
        self.close_text = CheckText(self.close_case)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.close_case, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.close_text, 1)
        box.addLayout(row)
        self.case_id = ""

    def retranslate(self) -> None:
        self.text.setPlaceholderText(
            translate("Composer", "What happened? (a note — or, closing, how it was resolved)")
        )
        self.text.setAccessibleName(translate("Composer", "Case note"))
        self.close_text.setText(translate("Composer", "Close the case (resolved)"))
        self.close_case.setAccessibleName(translate("Composer", "Close the case"))


class TaskForm(QWidget):
    """A follow-up task: what to do, the day it is due (at 18:00), and whether it contacts
    the customer (only with their marketing consent)."""

    def __init__(self) -> None:
        super().__init__()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        self.title = QLineEdit()
        self.title.setObjectName("taskTitle")
        self.title.setMaxLength(200)
        box.addWidget(self.title)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.due_label = label("", "hint")
        row.addWidget(self.due_label)
        self.due = QDateEdit()
        self.due.setObjectName("taskDue")
        self.due.setCalendarPopup(True)
        self.due.setMinimumDate(QDate.currentDate())
        row.addWidget(self.due, 1)
        box.addLayout(row)
        self.outreach = QCheckBox()
        self.outreach.setObjectName("taskOutreach")
        self.outreach_text = CheckText(self.outreach)
        line = QHBoxLayout()
        line.setSpacing(8)
        line.addWidget(self.outreach, 0, Qt.AlignmentFlag.AlignTop)
        line.addWidget(self.outreach_text, 1)
        box.addLayout(line)
        self.hint = label("", "hint", wrap=True)
        box.addWidget(self.hint)
        box.addStretch(1)
        self.consented = True

    def retranslate(self) -> None:
        self.title.setPlaceholderText(translate("Composer", "e.g. call when size 38 arrives"))
        self.title.setAccessibleName(translate("Composer", "What to do"))
        self.due_label.setText(translate("Composer", "Due"))
        self.due.setAccessibleName(translate("Composer", "Due date"))
        self.outreach_text.setText(translate("Composer", "Contacts the customer"))
        self.outreach.setAccessibleName(translate("Composer", "Contacts the customer"))
        self.hint.setText(
            translate("Composer", "For you, due at 18:00 that day; synced to every terminal.")
            if self.consented
            else translate(
                "Composer",
                "No marketing consent: only a task that does not contact the customer.",
            )
        )


class AssignForm(QWidget):
    """A manager's: the associate whose client book the member is in (or nobody's)."""

    def __init__(self) -> None:
        super().__init__()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        self.staff = QComboBox()
        self.staff.setObjectName("assignStaff")
        self.staff.setMinimumHeight(44)
        box.addWidget(self.staff)
        self.hint = label("", "hint", wrap=True)
        box.addWidget(self.hint)
        box.addStretch(1)

    def set_roster(self, people: list[tuple[str, str]]) -> None:
        """(staff id, label) of each associate; the first choice is nobody's book."""
        self.staff.clear()
        self.staff.addItem(translate("Composer", "Nobody (not in a client book)"), "")
        for staff_id, text in people:
            self.staff.addItem(text, staff_id)

    def retranslate(self) -> None:
        self.staff.setAccessibleName(translate("Composer", "Associate"))
        if self.staff.count():
            self.staff.setItemText(0, translate("Composer", "Nobody (not in a client book)"))
        self.hint.setText(
            translate(
                "Composer",
                "The customer joins this associate's client book on every terminal of the store.",
            )
        )


FORMS = (
    "note",
    "interest",
    "redeem",
    "sale",
    "points_redeem",
    "consent",
    "case_open",
    "case_update",
    "task",
    "assign",
)
# the forms a record the hub did not take is corrected in (a redemption is withdrawn instead)
FIXABLE_KINDS = ("note", "interest", "sale", "consent")


class FormScroll(QScrollArea):
    """A scroll area as tall as its form (so a short form takes no more room), which scrolls
    when the card is bounded, keeping the focused field in view."""

    def __init__(self, content: QWidget) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(content)
        self.viewport().setAutoFillBackground(False)
        content.setAutoFillBackground(False)
        content.installEventFilter(self)  # its size changes (lines added) reach the card

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
            focused = QApplication.focusWidget()
            if focused is not None:  # once laid out, the field with the focus stays in view
                QTimer.singleShot(0, lambda: self._follow_if_alive(focused))
        return False

    def sizeHint(self) -> QSize:
        inner = self.widget()
        hint = inner.sizeHint() if inner is not None else QSize(0, 0)
        return QSize(hint.width(), hint.height() + 2 * self.frameWidth())

    limit = 10_000  # the most the form may take (Composer.fit_height): beyond, it scrolls
    card: QWidget | None = None  # the card it is in (kept whole on the page)

    def minimumSizeHint(self) -> QSize:
        # As tall as the form up to the limit: the page scrolls to show the card whole, the
        # card is not squeezed under the other panels.
        inner = self.widget()
        wanted = inner.sizeHint().height() if inner is not None else 0
        return QSize(0, max(80, min(wanted, self.limit)))

    def _follow_if_alive(self, widget: QWidget) -> None:
        try:
            self.follow_focus(None, widget)
        except RuntimeError:  # the widget went in the meantime (a line removed)
            return

    def follow_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        inner = self.widget()
        if new is not None and inner is not None and inner.isAncestorOf(new) and new.isVisible():
            self.ensureWidgetVisible(new, 8, 24)
            # and the page's scroll area shows the whole card (no taller than the page): the
            # field and the buttons with it
            card = self.card if self.card is not None else new
            outer = card.parentWidget()
            while outer is not None and not isinstance(outer, QScrollArea):
                outer = outer.parentWidget()
            if outer is not None:
                outer.ensureWidgetVisible(card, 0, 8)


class Composer(LanguageAware):
    """The card that holds the open form, with Save / Cancel."""

    save_clicked = Signal()
    cancel_clicked = Signal()

    def __init__(self, products: ProductChoicesModel, sale_products: ProductChoicesModel) -> None:
        super().__init__()
        self.frame = QFrame(self)
        self.frame.setObjectName("composer")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.frame)
        box = QVBoxLayout(self.frame)
        box.setContentsMargins(16, 12, 12, 14)
        box.setSpacing(10)
        head = QHBoxLayout()
        self.icon = icon_label("note", 20, "primary")
        head.addWidget(self.icon)
        self.title = label("", "panelTitle", wrap=True)  # a narrow column: two lines
        self.title.setObjectName("composerTitle")
        head.addWidget(self.title, 1)
        self.draft_chip = Chip("", "warn")
        self.draft_chip.setObjectName("draftChip")
        self.draft_chip.hide()
        head.addWidget(self.draft_chip)
        self.for_chip = Chip("", "primary")
        head.addWidget(self.for_chip)
        self.close_button = tool_button("close", object_name="composerClose")
        self.close_button.clicked.connect(self.cancel_clicked)
        head.addWidget(self.close_button)
        box.addLayout(head)

        self.note = NoteForm()
        self.interest = InterestForm(products)
        self.redeem = RedeemForm()
        self.sale = SaleForm(sale_products)
        self.points = PointsForm()
        self.consent = ConsentForm()
        self.case_open = CaseForm()
        self.case_update = CaseUpdateForm()
        self.task = TaskForm()
        self.assign = AssignForm()
        self.stack = QStackedWidget()
        for form in self._forms():
            self.stack.addWidget(form)
        # The form scrolls inside the card when the card would be taller than the screen
        # (``fit_height``): the buttons below it stay in view — Save is always visible.
        # Fixing a record the hub rejected (or that was parked): what the hub said, above the
        # form that holds the record as it was; "Withdraw" takes it back instead.
        self.fixing = label("", "hint", wrap=True)
        self.fixing.setObjectName("composerFixing")
        self.fixing.hide()
        box.addWidget(self.fixing)
        self.body = FormScroll(self.stack)
        self.body.setObjectName("composerBody")
        self.body.card = self
        box.addWidget(self.body, 1)
        # What the vocabulary refused, in words, naming the field (shown until the next try).
        self.problem = label("", "error", wrap=True)
        self.problem.setObjectName("composerProblem")
        self.problem.hide()
        box.addWidget(self.problem)
        self._invalid: QWidget | None = None

        buttons = FlowRow(8)  # right-aligned, or one above the other in a narrow column
        # A kept draft: thrown away on purpose (then "Undo" brings it back until the form
        # closes).
        self.discard = button("", kind="ghost", object_name="discardDraft")
        self.discard.hide()
        self.discard_clicked = self.discard.clicked
        buttons.add(self.discard)
        self.undo_discard = False
        self.withdraw = button("", kind="danger", object_name="composerWithdraw")
        self.withdraw.hide()
        self.withdraw_clicked = self.withdraw.clicked
        buttons.add(self.withdraw)
        buttons.add_stretch(1)
        self.cancel = button("", kind="ghost", object_name="composerCancel")
        self.cancel.clicked.connect(self.cancel_clicked)
        self.save = button("", icon_name="check", kind="primary", object_name="composerSave")
        self.save.clicked.connect(self.save_clicked)
        self.save.setAutoDefault(True)  # Enter on the focused button confirms
        self.cancel.setAutoDefault(True)
        buttons.add(self.cancel)
        buttons.add(self.save)
        box.addWidget(buttons)
        self.form = ""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self.body.follow_focus)
        self.hide()
        self.retranslate()

    def _forms(self) -> tuple[Any, ...]:
        """The forms, in the order of :data:`FORMS`."""
        return (
            self.note,
            self.interest,
            self.redeem,
            self.sale,
            self.points,
            self.consent,
            self.case_open,
            self.case_update,
            self.task,
            self.assign,
        )

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._refollow()

    def moveEvent(self, event: Any) -> None:
        super().moveEvent(event)
        self._refollow()

    def _refollow(self) -> None:
        """The card moved or changed size under a focused field: once laid out, the field and
        the buttons are brought into view again."""
        focused = QApplication.focusWidget()
        if self.form and focused is not None and self.isAncestorOf(focused):
            QTimer.singleShot(0, lambda: self.body._follow_if_alive(focused))

    def fit_height(self, height: int) -> None:
        """At most ``height`` tall (the visible part of the page): the form scrolls inside,
        the buttons stay on screen."""
        height = max(240, height)
        chrome = max(0, self.sizeHint().height() - self.body.sizeHint().height())
        self.body.limit = max(80, height - chrome)
        self.body.updateGeometry()
        self.setMaximumHeight(height)

    _ICONS: ClassVar[dict[str, str]] = {
        "note": "note",
        "interest": "interest",
        "redeem": "redeem",
        "sale": "sale",
        "points_redeem": "gift",
        "consent": "consent",
        "case_open": "warning",
        "case_update": "note",
        "task": "clock",
        "assign": "user",
    }

    def open_form(self, form: str) -> None:
        self.form = form
        current = FORMS.index(form)
        for i in range(self.stack.count()):
            # Only the open form counts for the card's size (no blank space under short forms).
            policy = QSizePolicy.Policy.Preferred if i == current else QSizePolicy.Policy.Ignored
            page = self.stack.widget(i)
            if page is not None:
                page.setSizePolicy(policy, policy)
        self.show_problem("")
        self.draft_chip.hide()
        self.discard.hide()
        self.undo_discard = False
        self.show_fixing(None)
        self.stack.setCurrentIndex(current)
        self.stack.updateGeometry()
        self.icon.setPixmap(icon_label(self._ICONS[form], 20, "primary").pixmap())
        self.retranslate()
        self.show()

    def close_form(self) -> None:
        self.form = ""
        self.show_problem("")
        self.show_draft(False)
        self.show_fixing(None)
        self.hide()

    def show_fixing(self, text: str | None) -> None:
        """The open form fixes a record the hub did not take (``text``: what the hub said, in
        words), with "Withdraw"; None: an ordinary form."""
        self.fixing.setText(text or "")
        self.fixing.setVisible(text is not None)
        self.withdraw.setVisible(text is not None)
        self.retranslate()

    def show_draft(self, kept: bool, *, undo: bool = False) -> None:
        """The "Draft kept" chip and the discard button (``undo``: it offers to undo a
        discard instead)."""
        self.draft_chip.setVisible(kept)
        self.undo_discard = undo
        self.discard.setVisible(kept or undo)
        self.retranslate()

    def show_problem(self, text: str, widget: QWidget | None = None) -> None:
        """Say what is wrong under the form and mark the field at fault ("" clears)."""
        if self._invalid is not None:
            set_prop(self._invalid, "invalid", False)
            self._invalid.setAccessibleDescription("")
        self._invalid = widget if text else None
        if widget is not None and text:
            set_prop(widget, "invalid", True)
            widget.setAccessibleDescription(text)
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def reset(self) -> None:
        """Close the form and forget everything typed or shown in any form (a lock)."""
        self.close_form()
        self.for_chip.setText("")
        self.note.text.clear()
        self.interest.text.clear()
        self.interest.chosen.setText("")
        self.interest.picker.search.clear()
        self.sale.picker.search.clear()
        self.sale.text.clear()
        self.sale.amount.clear()
        self.sale.clear_lines()
        self.points.points.clear()
        self.points.text.clear()
        self.points.available.setText("")
        self.points.question.setText("")
        for text_label in (
            self.redeem.offer,
            self.redeem.title,
            self.redeem.rule,
            self.redeem.validity,
            self.redeem.applies,
        ):
            text_label.setText("")
        self.consent.marketing.setChecked(False)
        self.consent.browsing.setChecked(False)
        self.case_open.subject.clear()
        self.case_open.text.clear()
        self.case_update.text.clear()
        self.case_update.case.setText("")
        self.case_update.case_id = ""
        self.case_update.close_case.setChecked(False)
        self.task.title.clear()

    def retranslate(self) -> None:
        titles = {
            "note": translate("Composer", "Add a note"),
            "interest": translate("Composer", "Product interest"),
            "redeem": translate("Composer", "Redeem coupon"),
            "sale": translate("Composer", "Assisted sale"),
            "points_redeem": translate("Composer", "Redeem points"),
            "consent": translate("Composer", "Consent"),
            "case_open": translate("Composer", "Open a service case"),
            "case_update": translate("Composer", "Service case"),
            "task": translate("Composer", "Follow-up task"),
            "assign": translate("Composer", "Client book: assign"),
        }
        self.title.setText(titles.get(self.form, ""))
        self.save.setText(
            translate("Composer", "Confirm redemption")
            if self.form in ("redeem", "points_redeem")
            else translate("Composer", "Save and send again")
            if self.fixing.isVisibleTo(self)
            else translate("Composer", "Save")
        )
        self.withdraw.setText(translate("Composer", "Withdraw the record"))
        self.withdraw.setAccessibleName(
            translate("Composer", "Withdraw the record: it is kept, never sent, never counted")
        )
        self.save.setAccessibleName(self.save.text())
        self.draft_chip.setText(translate("Composer", "Draft kept"))
        self.discard.setText(
            translate("Composer", "Undo discard")
            if self.undo_discard
            else translate("Composer", "Discard draft")
        )
        self.discard.setAccessibleName(self.discard.text())
        self.cancel.setText(translate("Composer", "Cancel"))
        self.cancel.setAccessibleName(translate("Composer", "Cancel"))
        self.close_button.setAccessibleName(translate("Composer", "Close"))
        self.close_button.setToolTip(translate("Composer", "Close (Esc)"))
        for form in self._forms():
            form.retranslate()
