"""The client-book assignment (a manager's): the associate, or nobody."""

from __future__ import annotations

from ui.qt import QComboBox, QWidget, translate
from ui.views.forms.fields import form_column
from ui.views.widgets import label


class AssignForm(QWidget):
    """A manager's: the associate whose client book the member is in (or nobody's)."""

    def __init__(self) -> None:
        super().__init__()
        box = form_column(self, 6)
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
