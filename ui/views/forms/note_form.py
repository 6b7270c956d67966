"""The note form: the text and its length against the vocabulary's limit."""

from __future__ import annotations

from ui.i18n import fmt_number
from ui.qt import QPlainTextEdit, Qt, QWidget, translate
from ui.views.forms.fields import form_column
from ui.views.widgets import label, set_prop


class NoteForm(QWidget):
    """The note editor with its length against the vocabulary's limit ("3,980 / 4,000", red
    past it): what the hub would refuse is seen while typing, not after "saved"."""

    def __init__(self) -> None:
        super().__init__()
        box = form_column(self, 4)
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

    def forget(self) -> None:
        """Forget everything typed or shown (the terminal locked)."""
        self.text.clear()

    def retranslate(self) -> None:
        self.text.setPlaceholderText(
            translate("Composer", "What did the customer say or ask for? (Ctrl+Enter saves)")
        )
        self.text.setAccessibleName(translate("Composer", "Note text"))
        self._count()
