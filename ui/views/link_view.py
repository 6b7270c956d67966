"""The link form on the customer page (layout only; ui/controllers/link_controller.py
decides): a card or number no member has, linked to the member the customer proves to be —
their member code scanned (a scan while the form is open lands here) or their full mobile
number typed — then Link / Cancel."""

from __future__ import annotations

from ui.qt import QFrame, QHBoxLayout, QLineEdit, QVBoxLayout, Signal, translate
from ui.views.widgets import FormField, button, label


class LinkForm(QFrame):
    """Link a card or number met at the counter to a member who proved who they are."""

    submit = Signal()
    cancel = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("linkForm")
        self.setProperty("banner", "info")
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 12, 16, 12)
        box.setSpacing(8)
        self.title = label("", "sectionTitle", wrap=True)
        box.addWidget(self.title)
        self.what = label("", "bannerText", wrap=True)
        self.what.setObjectName("linkWhat")
        box.addWidget(self.what)
        self.proof = QLineEdit()
        self.proof.setObjectName("linkProof")
        self.proof.setMaxLength(256)
        self.proof.returnPressed.connect(self.submit)
        self.field = FormField("proof", self.proof)
        box.addWidget(self.field)
        self.problem = label("", "error", wrap=True)
        self.problem.setObjectName("linkProblem")
        self.problem.hide()
        box.addWidget(self.problem)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        self.save = button("", icon_name="check", kind="primary", object_name="linkSave")
        self.save.clicked.connect(self.submit)
        self.close_button = button("", kind="secondary", object_name="linkCancel")
        self.close_button.clicked.connect(self.cancel)
        buttons.addWidget(self.save)
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        box.addLayout(buttons)
        self.kind = ""  # card | phone: what is linked
        self.masked = ""  # its last digits only
        self.hide()

    def open(self, kind: str, masked: str) -> None:
        """An empty form for linking the ``kind`` shown as ``masked``."""
        self.kind, self.masked = kind, masked
        self.proof.clear()
        self.show_problem("")
        self.save.setEnabled(True)
        self.retranslate()
        self.show()
        self.proof.setFocus()

    def show_problem(self, text: str, at_field: bool = True) -> None:
        self.field.set_error(text if at_field else "")
        self.problem.setText("" if at_field else text)
        self.problem.setVisible(bool(text) and not at_field)
        if text and at_field:
            self.proof.setFocus()

    def retranslate(self) -> None:
        self.title.setText(translate("Link", "Link to a member"))
        what = (
            translate("Link", "Card %1: linked to the member who proves who they are.")
            if self.kind == "card"
            else translate("Link", "Number %1: linked to the member who proves who they are.")
        )
        self.what.setText(what.replace("%1", self.masked))
        name = translate("Link", "Member's code or full mobile number")
        self.field.name.setText(name)
        self.field.help.setText(
            translate(
                "Link",
                "Scan the code in the member's app, or type the mobile number they joined with.",
            )
        )
        self.proof.setAccessibleName(name)
        self.save.setText(translate("Link", "Link"))
        self.close_button.setText(translate("Link", "Cancel"))
