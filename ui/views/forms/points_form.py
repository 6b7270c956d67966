"""The points redeemed at the counter: the balance, the points, a note."""

from __future__ import annotations

from ui.qt import QIntValidator, QLineEdit, QWidget, translate
from ui.views.forms.fields import form_column, labelled_entry
from ui.views.widgets import label


class PointsForm(QWidget):
    """Points redeemed at the counter: the balance that may be redeemed here (the hub's less
    this terminal's unconfirmed redemptions), the points (whole, 1 up to the vocabulary's
    bound — over the balance is refused on save, naming it) and an optional note. The
    question under them names the points, the member and the balance after."""

    def __init__(self) -> None:
        super().__init__()
        box = form_column(self, 8)
        self.available = label("", "panelTitle", wrap=True)
        self.available.setObjectName("pointsAvailable")
        box.addWidget(self.available)
        self.points = QLineEdit()
        self.points.setObjectName("pointsAmount")
        # whole points only (the bound: ``set_limit``, from the vocabulary)
        self.validator = QIntValidator(0, 2**31 - 1, self.points)
        self.points.setValidator(self.validator)
        row, self.points_label = labelled_entry(self.points)
        box.addLayout(row)
        self.text = QLineEdit()
        self.text.setObjectName("pointsText")
        box.addWidget(self.text)
        self.question = label("", "muted", wrap=True)
        self.question.setObjectName("pointsQuestion")
        box.addWidget(self.question)

    def set_limit(self, max_points: int) -> None:
        """At most the vocabulary's bound (set by the controller with the first form): the
        field takes no more digits than that bound has."""
        self.validator.setTop(max_points)
        self.points.setMaxLength(len(str(max_points)))

    def value(self) -> int | None:
        """The points typed (None: nothing, or not a whole number)."""
        text = self.points.text().strip()
        return int(text) if text.isdigit() else None

    def forget(self) -> None:
        """Forget everything typed or shown (the terminal locked)."""
        self.points.clear()
        self.text.clear()
        self.available.setText("")
        self.question.setText("")

    def retranslate(self) -> None:
        # ``available`` and ``question`` name the balance and the member: the controller.
        self.points_label.setText(translate("Composer", "Points to redeem"))
        self.points.setAccessibleName(translate("Composer", "Points to redeem"))
        self.text.setPlaceholderText(translate("Composer", "Note (optional)"))
        self.text.setAccessibleName(translate("Composer", "Points redemption note"))
