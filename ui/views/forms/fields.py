"""The pieces every composer form is built from, in one place: the form's column, a row of
exclusive segment buttons, a check box with words that wrap, a labelled entry, and an amount
field in yuan."""

from __future__ import annotations

from clerk.shared.money import MAX_CENTS
from ui.qt import (
    QButtonGroup,
    QCheckBox,
    QDoubleValidator,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
)
from ui.views.widgets import CheckText, FlowRow, label


def form_column(form: QWidget, spacing: int) -> QVBoxLayout:
    """The form's own column: no margins (the composer's card has them)."""
    box = QVBoxLayout(form)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(spacing)
    return box


def segments(owner: QWidget, buttons: list[QPushButton]) -> tuple[FlowRow, QButtonGroup]:
    """Exclusive segment buttons side by side, or one above the other in a narrow column."""
    row = FlowRow(8)
    group = QButtonGroup(owner)
    group.setExclusive(True)
    for b in buttons:
        group.addButton(b)
        row.add(b)
    return row, group


def check_row(check: QCheckBox) -> tuple[QHBoxLayout, CheckText]:
    """A check box and its words beside it (they wrap; a check box's own text never does)."""
    words = CheckText(check)
    row = QHBoxLayout()
    row.setSpacing(8)
    row.addWidget(check, 0, Qt.AlignmentFlag.AlignTop)
    row.addWidget(words, 1)
    return row, words


def labelled_entry(entry: QLineEdit) -> tuple[QHBoxLayout, QLabel]:
    """A muted label (its words set on retranslate) and a right-aligned entry after it."""
    row = QHBoxLayout()
    row.setSpacing(10)
    caption = label("", "muted")
    row.addWidget(caption)
    entry.setAlignment(Qt.AlignmentFlag.AlignRight)
    entry.setMinimumHeight(44)
    row.addWidget(entry, 1)
    return row, caption


def accept_yuan(entry: QLineEdit) -> None:
    """The entry takes an amount in yuan: up to the vocabulary's bound, two decimals."""
    validator = QDoubleValidator(0.0, MAX_CENTS / 100, 2, entry)
    validator.setNotation(QDoubleValidator.Notation.StandardNotation)
    entry.setValidator(validator)
