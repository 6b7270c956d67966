"""The link form on the customer page (layout only; ui/controllers/link_controller.py
decides): a card or number no member has, linked to the member the customer proves to be —
their member code scanned (a scan while the form is open lands here) or their full mobile
number typed — then Link / Cancel."""

from __future__ import annotations

from ui.qt import QLineEdit, translate
from ui.views.widgets import BannerForm, FormField, label


class LinkForm(BannerForm):
    """Link a card or number met at the counter to a member who proved who they are."""

    def __init__(self) -> None:
        super().__init__("link")
        box = self.box
        self.what = label("", "bannerText", wrap=True)
        self.what.setObjectName("linkWhat")
        box.addWidget(self.what)
        self.proof = QLineEdit()
        self.proof.setObjectName("linkProof")
        self.proof.setMaxLength(256)
        self.proof.returnPressed.connect(self.submit)
        self.field = FormField("proof", self.proof)
        box.addWidget(self.field)
        self.add_buttons("check")
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
