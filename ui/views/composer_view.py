"""The inline recording panels (never modal dialogs): one :class:`Composer` card shows one
form at a time — note, product interest, coupon redemption, assisted sale, points redemption,
consent, a service case opened, a case noted or closed, a follow-up task, a client-book
assignment. Each form is a module of its own in ``ui/views/forms/`` (with the field builders
they share); this module stacks them in the card, with its title, its buttons and the scroll
area that keeps Save in view.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ui.models.product_choices_model import ProductChoicesModel
from ui.qt import (
    QApplication,
    QEvent,
    QFrame,
    QHBoxLayout,
    QObject,
    QScrollArea,
    QSize,
    QSizePolicy,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    translate,
)
from ui.views.forms.assign_form import AssignForm
from ui.views.forms.case_form import CaseForm, CaseUpdateForm
from ui.views.forms.consent_form import ConsentForm
from ui.views.forms.interest_form import InterestForm
from ui.views.forms.note_form import NoteForm
from ui.views.forms.points_form import PointsForm
from ui.views.forms.redeem_form import RedeemForm
from ui.views.forms.sale_form import SaleForm
from ui.views.forms.task_form import TaskForm
from ui.views.widgets import (
    Chip,
    FlowRow,
    LanguageAware,
    button,
    icon_label,
    label,
    set_prop,
    tool_button,
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
        self._chrome_texts()

    def show_draft(self, kept: bool, *, undo: bool = False) -> None:
        """The "Draft kept" chip and the discard button (``undo``: it offers to undo a
        discard instead)."""
        self.draft_chip.setVisible(kept)
        self.undo_discard = undo
        self.discard.setVisible(kept or undo)
        self._chrome_texts()

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
        for form in self._forms():
            if form is not self.assign:  # the roster is read again when the form opens
                form.forget()

    def retranslate(self) -> None:
        self._chrome_texts()
        for form in self._forms():
            form.retranslate()

    def _chrome_texts(self) -> None:
        """The card's own words (title, buttons, chips) for the form and state it shows — not
        the forms' (they change only with the language: :meth:`retranslate`)."""
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
