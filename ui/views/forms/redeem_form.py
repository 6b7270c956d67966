"""The coupon redemption's confirmation: the coupon as a ticket and the question."""

from __future__ import annotations

from ui.qt import QFrame, QHBoxLayout, QVBoxLayout, QWidget, translate
from ui.views.forms.fields import form_column
from ui.views.widgets import label


class RedeemForm(QWidget):
    def __init__(self) -> None:
        super().__init__()
        box = form_column(self, 10)
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

    def forget(self) -> None:
        """Forget everything typed or shown (the terminal locked)."""
        for text_label in (self.offer, self.title, self.rule, self.validity, self.applies):
            text_label.setText("")

    def retranslate(self) -> None:
        # ``question`` names the coupon, its value and the member: the controller fills it.
        self.ticket.setAccessibleName(translate("Composer", "Coupon to redeem"))
