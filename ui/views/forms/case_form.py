"""The service-case forms: a case opened, and a note on (or the close of) an open one."""

from __future__ import annotations

from typing import Any

from ui.qt import QCheckBox, QLineEdit, QPlainTextEdit, QWidget, translate
from ui.views.forms.fields import check_row, form_column, segments
from ui.views.widgets import button, label

CASE_TYPES = ("repair", "complaint", "other")


class CaseForm(QWidget):
    """A service case opened: its type, what it is about, a note (optional)."""

    def __init__(self) -> None:
        super().__init__()
        box = form_column(self, 10)
        self.type_buttons: dict[str, Any] = {
            name: button("", kind="segment", checkable=True, object_name=f"caseType_{name}")
            for name in CASE_TYPES
        }
        seg, self.types = segments(self, list(self.type_buttons.values()))
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

    def forget(self) -> None:
        """Forget everything typed or shown (the terminal locked)."""
        self.subject.clear()
        self.text.clear()

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
        box = form_column(self, 10)
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
        row, self.close_text = check_row(self.close_case)
        box.addLayout(row)
        self.case_id = ""

    def forget(self) -> None:
        """Forget everything typed or shown (the terminal locked)."""
        self.text.clear()
        self.case.setText("")
        self.case_id = ""
        self.close_case.setChecked(False)

    def retranslate(self) -> None:
        self.text.setPlaceholderText(
            translate("Composer", "What happened? (a note — or, closing, how it was resolved)")
        )
        self.text.setAccessibleName(translate("Composer", "Case note"))
        self.close_text.setText(translate("Composer", "Close the case (resolved)"))
        self.close_case.setAccessibleName(translate("Composer", "Close the case"))
