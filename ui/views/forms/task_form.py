"""The follow-up task form: what to do, when, and whether it contacts the customer."""

from __future__ import annotations

from ui.qt import QCheckBox, QDate, QDateEdit, QHBoxLayout, QLineEdit, QWidget, translate
from ui.views.forms.fields import check_row, form_column
from ui.views.widgets import label


class TaskForm(QWidget):
    """A follow-up task: what to do, the day it is due (at 18:00), and whether it contacts
    the customer (only with their marketing consent)."""

    def __init__(self) -> None:
        super().__init__()
        box = form_column(self, 6)
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
        line, self.outreach_text = check_row(self.outreach)
        box.addLayout(line)
        self.hint = label("", "hint", wrap=True)
        box.addWidget(self.hint)
        box.addStretch(1)
        self.consented = True

    def forget(self) -> None:
        """Forget everything typed or shown (the terminal locked)."""
        self.title.clear()

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
