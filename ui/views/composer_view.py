"""The inline recording panels (never modal dialogs): note, product interest, coupon
redemption, assisted sale, consent. One :class:`Composer` card shows one form at a time."""

from __future__ import annotations

from typing import ClassVar

from clerk.shared.money import MAX_CENTS
from ui.i18n import fmt_number
from ui.models.product_choices_model import ProductChoicesModel
from ui.qt import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleValidator,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    translate,
)
from ui.views.widgets import (
    Chip,
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


class InterestForm(QWidget):
    def __init__(self, products: ProductChoicesModel) -> None:
        super().__init__()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        self.product = QComboBox()
        self.product.setObjectName("interestProduct")
        self.product.setModel(products)
        self.product.setMinimumHeight(44)
        box.addWidget(self.product)
        seg = QHBoxLayout()
        seg.setSpacing(8)
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
        seg.addWidget(self.tried_on)
        seg.addWidget(self.asked_about)
        box.addLayout(seg)
        self.text = QLineEdit()
        self.text.setObjectName("interestText")
        box.addWidget(self.text)

    def retranslate(self) -> None:
        self.product.setAccessibleName(translate("Composer", "Product"))
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


class SaleForm(QWidget):
    def __init__(self, products: ProductChoicesModel) -> None:
        super().__init__()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        self.products_label = label("", "section")
        box.addWidget(self.products_label)
        self.products = RowList(products, tile=36, dense=True)
        self.products.setObjectName("saleProducts")
        box.addWidget(self.products)
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
        row.addWidget(self.amount, 1)
        box.addLayout(row)
        self.text = QLineEdit()
        self.text.setObjectName("saleText")
        box.addWidget(self.text)

    def retranslate(self) -> None:
        self.products_label.setText(translate("Composer", "PRODUCTS SOLD"))
        self.products.setAccessibleName(translate("Composer", "Products sold (Space ticks)"))
        self.amount_label.setText(translate("Composer", "Amount (¥)"))
        self.amount.setAccessibleName(translate("Composer", "Sale amount in yuan"))
        self.text.setPlaceholderText(translate("Composer", "Note (optional)"))
        self.text.setAccessibleName(translate("Composer", "Sale note"))


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
        box.addWidget(self.marketing)
        box.addWidget(self.browsing)
        self.hint = label("", "hint", wrap=True)
        box.addWidget(self.hint)

    def retranslate(self) -> None:
        self.marketing.setText(translate("Composer", "Marketing messages (SMS, app, WeChat)"))
        self.marketing.setAccessibleName(translate("Composer", "Consent to marketing messages"))
        self.browsing.setText(translate("Composer", "Use online browsing to serve them in store"))
        self.browsing.setAccessibleName(translate("Composer", "Consent to use of browsing history"))
        self.hint.setText(
            translate(
                "Composer", "Tick or untick what the customer said; saving records the change."
            )
        )


FORMS = ("note", "interest", "redeem", "sale", "consent")


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
        self.title = label("", "panelTitle")
        self.title.setObjectName("composerTitle")
        head.addWidget(self.title, 1)
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
        self.consent = ConsentForm()
        self.stack = QStackedWidget()
        for form in (self.note, self.interest, self.redeem, self.sale, self.consent):
            self.stack.addWidget(form)
        box.addWidget(self.stack)
        # What the vocabulary refused, in words, naming the field (shown until the next try).
        self.problem = label("", "error", wrap=True)
        self.problem.setObjectName("composerProblem")
        self.problem.hide()
        box.addWidget(self.problem)
        self._invalid: QWidget | None = None

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel = button("", kind="ghost", object_name="composerCancel")
        self.cancel.clicked.connect(self.cancel_clicked)
        self.save = button("", icon_name="check", kind="primary", object_name="composerSave")
        self.save.clicked.connect(self.save_clicked)
        self.save.setAutoDefault(True)  # Enter on the focused button confirms
        self.cancel.setAutoDefault(True)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.save)
        box.addLayout(buttons)
        self.form = ""
        self.hide()
        self.retranslate()

    _ICONS: ClassVar[dict[str, str]] = {
        "note": "note",
        "interest": "interest",
        "redeem": "redeem",
        "sale": "sale",
        "consent": "consent",
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
        self.stack.setCurrentIndex(current)
        self.stack.adjustSize()
        self.icon.setPixmap(icon_label(self._ICONS[form], 20, "primary").pixmap())
        self.retranslate()
        self.show()

    def close_form(self) -> None:
        self.form = ""
        self.show_problem("")
        self.hide()

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
        self.sale.text.clear()
        self.sale.amount.clear()
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

    def retranslate(self) -> None:
        titles = {
            "note": translate("Composer", "Add a note"),
            "interest": translate("Composer", "Product interest"),
            "redeem": translate("Composer", "Redeem coupon"),
            "sale": translate("Composer", "Assisted sale"),
            "consent": translate("Composer", "Consent"),
        }
        self.title.setText(titles.get(self.form, ""))
        self.save.setText(
            translate("Composer", "Confirm redemption")
            if self.form == "redeem"
            else translate("Composer", "Save")
        )
        self.save.setAccessibleName(self.save.text())
        self.cancel.setText(translate("Composer", "Cancel"))
        self.cancel.setAccessibleName(translate("Composer", "Cancel"))
        self.close_button.setAccessibleName(translate("Composer", "Close"))
        self.close_button.setToolTip(translate("Composer", "Close (Esc)"))
        for form in (self.note, self.interest, self.redeem, self.sale, self.consent):
            form.retranslate()
