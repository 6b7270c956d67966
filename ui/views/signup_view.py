"""The sign-up form on the customer page (layout only; ui/controllers/signup_controller.py
decides): phone (the full number), name, optional birthday, the chain's consent wording as
delivered — with its version — and the two answers, then Sign up / Cancel. After the sign-up
the card shows the member's sign-up QR (clerk/signup.py: ``SU1:<provisional id>``) for the
member app."""

from __future__ import annotations

from ui.qt import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPixmap,
    Qt,
    QVBoxLayout,
    translate,
)
from ui.views.widgets import BannerForm, CheckText, FormField, label

FIELDS = ("phone", "name", "birthday")


class SignupForm(BannerForm):
    """Sign a new member up at the counter."""

    def __init__(self) -> None:
        super().__init__("signup")
        box = self.box
        self.phone = QLineEdit()
        self.phone.setObjectName("signupPhone")
        self.phone.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)
        self.name = QLineEdit()
        self.name.setObjectName("signupName")
        self.name.setMaxLength(64)
        self.birthday = QLineEdit()
        self.birthday.setObjectName("signupBirthday")
        self.birthday.setMaxLength(10)
        self.fields = {
            "phone": FormField("phone", self.phone),
            "name": FormField("name", self.name),
            "birthday": FormField("birthday", self.birthday, narrow=True),
        }
        for f in self.fields.values():
            box.addWidget(f)
        self.consent_title = label("", "fieldName")
        box.addWidget(self.consent_title)
        self.consent = label("", "consentText", wrap=True)
        self.consent.setObjectName("signupSignupText")
        self.consent.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.consent)
        self.marketing = QCheckBox()
        self.marketing.setObjectName("signupMarketing")
        self.browsing = QCheckBox()
        self.browsing.setObjectName("signupBrowsing")
        self.marketing_text = CheckText(self.marketing)
        self.browsing_text = CheckText(self.browsing)
        self.answers = QFrame()
        answers = QVBoxLayout(self.answers)
        answers.setContentsMargins(0, 0, 0, 0)
        for check, text in (
            (self.marketing, self.marketing_text),
            (self.browsing, self.browsing_text),
        ):
            row = QHBoxLayout()
            row.setSpacing(8)
            row.addWidget(check, 0, Qt.AlignmentFlag.AlignTop)
            row.addWidget(text, 1)
            answers.addLayout(row)
        box.addWidget(self.answers)
        self.add_buttons("user")
        # After the sign-up: the code the member app redeems.
        self.code = QLabel()
        self.code.setObjectName("signupCode")
        self.code.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.code.hide()
        box.addWidget(self.code)
        self.code_hint = label("", "hint", wrap=True)
        self.code_hint.hide()
        box.addWidget(self.code_hint)
        self.version = ""
        self.hide()

    def open(self, phone: str = "") -> None:
        """An empty form (the number typed at the scan, when there was one)."""
        for f in self.fields.values():
            f.set_error("")
        self.phone.setText(phone)
        self.name.clear()
        self.birthday.clear()
        self.marketing.setChecked(False)
        self.browsing.setChecked(False)
        self.show_problem("")
        self.show_code(None)
        self.save.setEnabled(False)  # until the consent wording is there
        self.retranslate()
        self.show()
        (self.name if phone else self.phone).setFocus()

    def set_consent(self, version: str, text: str | None) -> None:
        """The chain's wording (None: the hub has sent none yet — no sign-up until it has)."""
        self.version = version
        self.consent.setText(
            text
            if text is not None
            else translate(
                "Signup",
                "The chain's consent wording has not reached this terminal yet: sync once "
                "online, then sign the customer up.",
            )
        )
        self.consent_title.setText(
            translate("Signup", "Consent (version %1)").replace("%1", version)
            if text is not None
            else translate("Signup", "Consent")
        )
        self.save.setEnabled(text is not None)

    def show_problem(self, text: str, field: str | None = None) -> None:
        for key, f in self.fields.items():
            f.set_error(text if key == field else "")
        self.problem.setText(text if field not in self.fields else "")
        self.problem.setVisible(bool(text) and field not in self.fields)
        if field in self.fields:
            self.fields[field].editor.setFocus()

    def show_code(self, image: QPixmap | None, hint: str = "") -> None:
        """The new member's sign-up QR (the form's inputs folded away), or none (the form)."""
        if image is None:
            self.code.clear()
        else:
            self.code.setPixmap(image)
        for w in (*self.fields.values(), self.consent_title, self.consent, self.answers, self.save):
            w.setVisible(image is None)
        self.code.setVisible(image is not None)
        self.code_hint.setText(hint)
        self.code_hint.setVisible(bool(hint))

    def retranslate(self) -> None:
        self.title.setText(translate("Signup", "New member"))
        names = {
            "phone": (
                translate("Signup", "Mobile number"),
                translate("Signup", "The full number: the member's app and offers use it."),
            ),
            "name": (translate("Signup", "Name"), ""),
            "birthday": (
                translate("Signup", "Birthday (optional)"),
                translate("Signup", "YYYY-MM-DD"),
            ),
        }
        for key, (name, help_text) in names.items():
            self.fields[key].name.setText(name)
            self.fields[key].help.setText(help_text)
            self.fields[key].help.setVisible(bool(help_text))
            self.fields[key].editor.setAccessibleName(name)
        self.marketing_text.setText(translate("Signup", "Agrees to marketing messages"))
        self.browsing_text.setText(
            translate("Signup", "Agrees to the use of online browsing in store")
        )
        self.save.setText(translate("Signup", "Sign up"))
        self.close_button.setText(translate("Signup", "Close"))
