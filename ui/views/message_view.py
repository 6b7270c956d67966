"""The outreach message panel (issue 17 item 6), under the Follow-ups list and the My customers
list: the message drafted from the chain's template for the reason (editable), Copy, Share —
only when the member has a phone number or e-mail the OS can send to, which a terminal never
holds: then hidden, and the hint says to copy — and Mark contacted. No dialog: it opens in
place, and Close hides it. ``ui.controllers.message_controller`` fills it and acts."""

from __future__ import annotations

from ui.qt import QPlainTextEdit, Qt, QWidget, translate
from ui.views.widgets import Card, FlowRow, button, label


class MessagePanel(Card):
    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__("", "note", object_name=object_name, parent=parent)
        body = self.body
        body.setContentsMargins(16, 4, 16, 16)
        body.setSpacing(10)
        self.text = QPlainTextEdit()
        self.text.setObjectName(f"{object_name}Text")
        self.text.setMinimumHeight(96)
        self.text.setMaximumHeight(160)
        self.text.setTabChangesFocus(True)
        body.addWidget(self.text)
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        row = FlowRow(8)
        self.copy = button("", icon_name="paste", kind="primary", object_name=f"{object_name}Copy")
        row.add(self.copy, 0, left)
        self.share = button("", icon_name="next", kind="ghost", object_name=f"{object_name}Share")
        row.add(self.share, 0, left)
        self.contacted = button(
            "", icon_name="phone", kind="ghost", object_name=f"{object_name}Contacted"
        )
        row.add(self.contacted, 0, left)
        row.add_stretch(1)
        self.close_button = button(
            "", icon_name="close", kind="ghost", object_name=f"{object_name}Close"
        )
        row.add(self.close_button, 0, left)
        body.addWidget(row)
        self.hint = label("", "hint", wrap=True)
        body.addWidget(self.hint)
        self.close_button.clicked.connect(self.hide)
        self.name = ""
        self.can_share = False
        self.share.setVisible(False)
        self.setVisible(False)
        self.retranslate()

    def show_message(self, name: str, text: str, *, can_share: bool) -> None:
        self.name = name
        self.can_share = can_share
        self.text.setPlainText(text)
        self.share.setVisible(can_share)
        self.retranslate()
        self.setVisible(True)

    def message(self) -> str:
        return self.text.toPlainText().strip()

    def retranslate(self) -> None:
        self.set_title(translate("Outreach", "Message to %1").replace("%1", self.name))
        self.text.setAccessibleName(translate("Outreach", "The message"))
        self.copy.setText(translate("Outreach", "Copy"))
        self.share.setText(translate("Outreach", "Share"))
        self.contacted.setText(translate("Outreach", "Mark contacted"))
        self.close_button.setText(translate("Outreach", "Close"))
        if self.can_share:
            hint = translate(
                "Outreach", "Edit it if you like, then copy or share it, and mark the contact."
            )
        else:
            hint = translate(
                "Outreach",
                "This terminal holds no phone number or e-mail: copy the message, send it from "
                "the store's phone, then mark the contact.",
            )
        self.hint.setText(hint)
