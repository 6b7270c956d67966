"""The "My customers" screen: an associate's client book. Layout only; ``ui.controllers.
client_book_controller`` fills it.

Head: back, the title, and — for a manager — the associate whose book shows. Then one list:
each customer's masked name, tier, the reasons to reach out now and the open follow-ups;
Enter or a double click opens the customer. Under it, for the selected customer, Message (only
with marketing consent, else disabled and the line beside says why) opens the outreach message
panel (``ui.views.message_view``).
"""

from __future__ import annotations

from ui.models.client_book_model import ClientBookModel
from ui.qt import QComboBox, Qt, QWidget, translate
from ui.views.message_view import MessagePanel
from ui.views.widgets import FlowRow, LanguageAware, ListPanel, button, centred_column, label

COLUMN_MAX_WIDTH = 920


class ClientBookView(LanguageAware):
    def __init__(self, model: ClientBookModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clientBookPage")
        self.model = model
        self.area, box = centred_column(self, max_width=COLUMN_MAX_WIDTH, top=20)
        head = FlowRow(16)  # one line, or one above the other on a handheld
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        self.back = button("", icon_name="back", kind="ghost", object_name="clientBookBack")
        head.add(self.back, 0, left)
        self.title = label("", "title")
        head.add(self.title, 1)
        self.associate_label = label("", "muted")
        head.add(self.associate_label, 0, left)
        self.associate = QComboBox()  # a manager's: whose client book
        self.associate.setObjectName("clientBookAssociate")
        self.associate.setMinimumHeight(44)
        head.add(self.associate, 0, left)
        self.show_associate_picker(False)
        box.addWidget(head)
        self.panel = ListPanel(model, "user", object_name="clientBook", tile=40)
        self.list = self.panel.list
        box.addWidget(self.panel)
        message_row = FlowRow(8)
        self.message = button("", icon_name="note", kind="ghost", object_name="clientBookMessage")
        message_row.add(self.message, 0, left)
        self.message_why = label("", "hint", wrap=True)  # why Message is disabled
        message_row.add(self.message_why, 1)
        box.addWidget(message_row)
        self.message_panel = MessagePanel("clientBookMessagePanel")
        box.addWidget(self.message_panel)
        box.addStretch(1)
        self.retranslate()

    def show_associate_picker(self, shown: bool) -> None:
        self.associate_label.setVisible(shown)
        self.associate.setVisible(shown)

    def retranslate(self) -> None:
        self.back.setText(translate("ClientBook", "Back"))
        self.title.setText(translate("ClientBook", "My customers"))
        self.associate_label.setText(translate("ClientBook", "Associate"))
        self.message.setText(translate("Outreach", "Message"))
        self.message_panel.retranslate()
        self.associate.setAccessibleName(translate("ClientBook", "Whose customers"))
        self.panel.set_texts(
            translate("ClientBook", "Customers to reach out to first"),
            translate("ClientBook", "No customers in this client book yet."),
            accessible=translate("ClientBook", "Client book"),
        )
