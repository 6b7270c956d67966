"""Staff sign-in: who you are, then your PIN. Layout only.

Touch: the staff list rows and the PIN keys are large (keys ≥ 64 px, well above the 44 px
touch minimum). Keyboard: arrows pick a name in the list, Enter moves to the PIN field, digits
type the PIN, Backspace deletes, Enter signs in, Escape clears. The PIN field shows dots only.
"""

from __future__ import annotations

from typing import Any

from ui.models.staff_model import StaffModel
from ui.qt import (
    QEvent,
    QFrame,
    QGridLayout,
    QKeyEvent,
    QLineEdit,
    QObject,
    QPushButton,
    QSizePolicy,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    translate,
)
from ui.views.widgets import Card, LanguageAware, RowList, button, centred_column, label

KEY_SIZE = 64  # px; the touch minimum is 44
PIN_MAX = 12


class PinPad(QWidget):
    """Digits 0–9, clear and backspace as big buttons (they take no keyboard focus: the PIN
    field does, and typing goes there)."""

    digit = Signal(str)
    backspace = Signal()
    clear = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinPad")
        grid = QGridLayout(self)
        grid.setSpacing(10)
        grid.setContentsMargins(0, 0, 0, 0)
        self.keys: dict[str, QPushButton] = {}
        # The theme's button height is the 44 px minimum; PIN keys are bigger still (the rule is
        # in theme.qss as #pinPad QPushButton: a widget's own style sheet would make Qt style
        # the whole pad a second time).
        layout = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back")
        for i, key in enumerate(layout):
            b = QPushButton(key if key.isdigit() else "")
            b.setObjectName(f"pinKey_{key}")
            b.setProperty("kind", "secondary")
            b.setMinimumSize(KEY_SIZE, KEY_SIZE)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setAutoRepeat(key == "back")
            font = b.font()
            font.setPointSizeF(font.pointSizeF() * 1.5)
            b.setFont(font)
            if key.isdigit():
                b.clicked.connect(lambda _c=False, k=key: self.digit.emit(k))
            elif key == "back":
                b.clicked.connect(self.backspace)
            else:
                b.clicked.connect(self.clear)
            grid.addWidget(b, i // 3, i % 3)
            self.keys[key] = b

    def retranslate(self) -> None:
        self.keys["clear"].setText(translate("SignIn", "Clear"))
        self.keys["clear"].setAccessibleName(translate("SignIn", "Clear"))
        self.keys["back"].setText("⌫")
        self.keys["back"].setAccessibleName(translate("SignIn", "Delete last digit"))
        for k in "0123456789":
            self.keys[k].setAccessibleName(k)


class PinField(QLineEdit):
    """The PIN as dots; digits only. Escape clears (the page handles Enter)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinField")
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self.setMaxLength(PIN_MAX)
        self.setMinimumHeight(52)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setInputMethodHints(
            Qt.InputMethodHint.ImhDigitsOnly
            | Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoPredictiveText
        )
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        self.setFont(font)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if event.key() == Qt.Key.Key_Escape:
            self.clear()
            return
        if text and text.isprintable() and not text.isdigit():
            return  # letters never reach a PIN
        super().keyPressEvent(event)


class SignInView(LanguageAware):
    """Staff list, PIN field + pad, message line, sign-in button.

    Wide (a counter desktop): the staff list and the PIN card side by side, centred. Narrow
    (a handheld): one above the other. The page scrolls when it is not tall enough.
    """

    WIDE = 860  # px of width from which the two cards stand side by side
    MAX_WIDTH = 1040

    def __init__(self, staff: StaffModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signIn")
        self.staff_model = staff
        self.area, column = centred_column(self, max_width=self.MAX_WIDTH, top=24)

        self.title = label("", "title")
        self.subtitle = label("", "muted", wrap=True)
        column.addWidget(self.title)
        column.addWidget(self.subtitle)

        self.staff_card = Card("", "user", object_name="staffCard")
        self.staff_list = RowList(self.staff_model, tile=40)
        self.staff_list.setObjectName("staffList")
        self.staff_list.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.staff_card.body.addWidget(self.staff_list)
        self.staff_empty = label("", "empty", wrap=True)
        self.staff_empty.setContentsMargins(16, 4, 16, 10)
        self.staff_empty.hide()  # until a loaded roster turns out empty (not while loading)
        self.staff_card.body.addWidget(self.staff_empty)
        self.staff_card.body.addStretch(1)

        self.pin_card = QFrame()
        self.pin_card.setProperty("card", True)
        self.pin_card.setObjectName("pinCard")
        self.pin_card.setMaximumWidth(460)
        pin_box = QVBoxLayout(self.pin_card)
        pin_box.setContentsMargins(20, 20, 20, 20)
        pin_box.setSpacing(12)
        self.who = label("", "name")
        self.who.setObjectName("signInWho")
        self.who.hide()  # until a name is chosen
        pin_box.addWidget(self.who)
        self.pin = PinField()
        pin_box.addWidget(self.pin)
        self.message = label("", "hint", wrap=True)
        self.message.setObjectName("signInMessage")
        self.message.setAccessibleName("")
        pin_box.addWidget(self.message)
        self.pad = PinPad()
        pin_box.addWidget(self.pad)
        self.submit = button("", icon_name="lock", kind="primary", object_name="signInButton")
        self.submit.setMinimumHeight(KEY_SIZE)
        pin_box.addWidget(self.submit)

        self.cards = QGridLayout()
        self.cards.setSpacing(16)
        column.addLayout(self.cards)
        column.addStretch(1)
        self.wide: bool | None = None
        self._arrange(False)
        self.staff_list.installEventFilter(self)
        self.retranslate()

    def _arrange(self, wide: bool) -> None:
        if wide == self.wide:
            return
        self.wide = wide
        for w in (self.staff_card, self.pin_card):
            self.cards.removeWidget(w)
        top = Qt.AlignmentFlag.AlignTop
        if wide:
            self.cards.addWidget(self.staff_card, 0, 0, top)
            self.cards.addWidget(self.pin_card, 0, 1, top)
            self.cards.setColumnStretch(0, 1)
            self.cards.setColumnStretch(1, 1)
        else:
            self.cards.addWidget(self.staff_card, 0, 0)
            self.cards.addWidget(self.pin_card, 1, 0)
            self.cards.setColumnStretch(0, 1)
            self.cards.setColumnStretch(1, 0)
        self.pin_card.setMaximumWidth(460 if wide else 16_777_215)

    def reveal_pin(self) -> None:
        """Scroll the PIN card into view (one above the other on a handheld)."""
        if not self.wide:
            self.area.ensureWidgetVisible(self.submit, 0, 16)
            self.area.ensureWidgetVisible(self.who, 0, 16)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._arrange(self.width() >= self.WIDE)

    # Enter on the list moves on to the PIN (keyboard path).
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.staff_list
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            index = self.staff_list.currentIndex()
            if index.isValid():
                self.staff_list.activated.emit(index)
                return True
        return super().eventFilter(watched, event)

    def set_message(self, text: str, tone: str = "hint") -> None:
        self.message.setProperty("role", tone if tone in ("hint", "muted") else "hint")
        self.message.setText(text)
        self.message.setAccessibleName(text)
        self.message.setVisible(bool(text))

    def set_locked(self, locked: bool) -> None:
        """While locked out, neither the pad nor the field takes a PIN."""
        self.pad.setEnabled(not locked)
        self.pin.setEnabled(not locked)
        self.submit.setEnabled(not locked)

    def retranslate(self) -> None:
        self.title.setText(translate("SignIn", "Sign in"))
        self.subtitle.setText(translate("SignIn", "Choose your name, then enter your PIN."))
        self.staff_card.set_title(translate("SignIn", "Staff"))
        self.staff_list.setAccessibleName(translate("SignIn", "Staff"))
        self.staff_empty.setText(
            translate("SignIn", "No staff for this store yet: sync with the hub first.")
        )
        self.pin.setPlaceholderText(translate("SignIn", "PIN"))
        self.pin.setAccessibleName(translate("SignIn", "PIN"))
        self.submit.setText(translate("SignIn", "Sign in"))
        self.submit.setAccessibleName(translate("SignIn", "Sign in"))
        self.pad.retranslate()
