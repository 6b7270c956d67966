"""First start: enrol this terminal to its store, then download the store's data. Layout only.

A centred column: what this is, the two steps, the form (hub address, store id, the one-time
enrolment code — typed, scanned or read from the QR image — and this terminal's name), a
message line, the download progress, and one primary button.
"""

from __future__ import annotations

from typing import Any

from ui.qt import (
    QHBoxLayout,
    QLineEdit,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    translate,
)
from ui.views.widgets import (
    Banner,
    Card,
    Chip,
    FlowRow,
    FormField,
    LanguageAware,
    ProgressBar,
    button,
    centred_column,
    icon_label,
    label,
)

COLUMN_MAX_WIDTH = 640
FIELDS = ("hub_url", "store_id", "code", "device_name")
STEPS = ("enrol", "download")


class EnrolView(LanguageAware):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrol")
        _area, box = centred_column(self, max_width=COLUMN_MAX_WIDTH, top=28)

        head = QHBoxLayout()
        head.setSpacing(16)
        head.addWidget(icon_label("store", 48, "primary"), 0, Qt.AlignmentFlag.AlignTop)
        titles = QVBoxLayout()
        titles.setSpacing(4)
        self.title = label("", "title", wrap=True)
        self.title.setObjectName("enrolTitle")
        self.subtitle = label("", "muted", wrap=True)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        box.addLayout(head)

        steps = FlowRow(8)  # side by side, or one above the other on a handheld
        self.steps: dict[str, Chip] = {}
        for key in STEPS:
            chip = Chip("", "muted")
            chip.setObjectName(f"step_{key}")
            steps.add(chip, 0, Qt.AlignmentFlag.AlignLeft)
            self.steps[key] = chip
        steps.add_stretch(1)
        box.addWidget(steps)

        self.form_card = Card("", "qr", object_name="enrolForm")
        form = QVBoxLayout()
        form.setContentsMargins(16, 4, 16, 16)
        form.setSpacing(14)
        self.hub_url = QLineEdit()
        self.hub_url.setObjectName("enrolHubUrl")
        self.hub_url.setClearButtonEnabled(True)
        self.hub_url.setInputMethodHints(Qt.InputMethodHint.ImhUrlCharactersOnly)
        self.store_id = QLineEdit()
        self.store_id.setObjectName("enrolStoreId")
        self.store_id.setMaxLength(64)
        self.code = QLineEdit()
        self.code.setObjectName("enrolCode")
        self.code.setMaxLength(64)
        self.code.setInputMethodHints(
            Qt.InputMethodHint.ImhPreferUppercase | Qt.InputMethodHint.ImhNoPredictiveText
        )
        self.device_name = QLineEdit()
        self.device_name.setObjectName("enrolDeviceName")
        self.device_name.setMaxLength(200)
        self.fields: dict[str, FormField] = {
            "hub_url": FormField("hub_url", self.hub_url),
            "store_id": FormField("store_id", self.store_id),
            "code": FormField("code", self.code),
            "device_name": FormField("device_name", self.device_name),
        }
        self.read_image = button("", icon_name="image", kind="action", object_name="enrolImage")
        self.fields["code"].add_trailing(self.read_image)
        form.addWidget(self.fields["hub_url"])
        names = FlowRow(16)  # side by side, or one above the other on a handheld
        names.add(self.fields["store_id"], 1)
        names.add(self.fields["device_name"], 1)
        form.addWidget(names)
        form.addWidget(self.fields["code"])
        self.form_card.body.addLayout(form)
        for first, second in (
            (self.hub_url, self.store_id),
            (self.store_id, self.device_name),
            (self.device_name, self.code),
            (self.code, self.read_image),
        ):
            QWidget.setTabOrder(first, second)

        self.message = Banner("bad", "warning")
        self.message.setObjectName("enrolMessage")
        box.addWidget(self.message)

        self.progress_card = Card("", "sync", object_name="enrolProgress")
        prog = QVBoxLayout()
        prog.setContentsMargins(16, 4, 16, 16)
        prog.setSpacing(10)
        self.summary = label("", wrap=True)
        self.summary.setObjectName("enrolSummary")
        self.summary.hide()
        prog.addWidget(self.summary)
        self.progress = ProgressBar()
        prog.addWidget(self.progress)
        self.progress_text = label("", "muted", wrap=True)
        self.progress_text.setObjectName("enrolProgressText")
        prog.addWidget(self.progress_text)
        self.progress_card.body.addLayout(prog)
        self.progress_card.hide()
        # While downloading the progress comes first; the form (kept as typed) after it.
        box.addWidget(self.progress_card)
        box.addWidget(self.form_card)

        actions = QHBoxLayout()
        self.hint = label("", "hint", wrap=True)
        actions.addWidget(self.hint, 1)
        self.submit = button("", icon_name="next", kind="primary", object_name="enrolSubmit")
        self.submit.setMinimumWidth(220)
        self.submit.setMinimumHeight(52)
        actions.addWidget(self.submit, 0, Qt.AlignmentFlag.AlignTop)
        box.addLayout(actions)
        box.addStretch(1)
        self.stage = "form"
        self.retranslate()

    # --- state -----------------------------------------------------------------------------------

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self, self._focus_first)

    def _focus_first(self) -> None:
        if self.stage == "form":  # the first empty field takes the typing (or the scanner)
            empty = [e for e in (self.hub_url, self.store_id, self.code) if not e.text().strip()]
            (empty[0] if empty else self.submit).setFocus(Qt.FocusReason.OtherFocusReason)

    def set_stage(self, stage: str) -> None:
        """form | enrolling | downloading | retry (the download failed) | done."""
        self.stage = stage
        editable = stage == "form"
        for f in self.fields.values():
            f.editor.setEnabled(editable)
        self.read_image.setEnabled(editable)
        self.submit.setEnabled(stage in ("form", "retry"))
        self.progress_card.setVisible(stage in ("enrolling", "downloading", "retry", "done"))
        self.form_card.setVisible(stage in ("form", "enrolling"))
        tones = {
            "form": ("primary", "muted"),
            "enrolling": ("primary", "muted"),
            "downloading": ("good", "primary"),
            "retry": ("good", "bad"),
            "done": ("good", "good"),
        }[stage]
        for chip, tone in zip(self.steps.values(), tones, strict=True):
            chip.set_tone(tone)
        self.retranslate()

    def set_summary(self, text: str) -> None:
        """What the terminal is enrolled to (shown with the download)."""
        self.summary.setText(text)
        self.summary.setVisible(bool(text))

    def set_message(self, text: str) -> None:
        if text:
            self.message.show_text(text)
        else:
            self.message.hide()

    def clear_errors(self) -> None:
        for f in self.fields.values():
            f.set_error("")
        self.set_message("")

    def retranslate(self) -> None:
        self.title.setText(translate("Enrol", "Set up this terminal"))
        self.subtitle.setText(
            translate(
                "Enrol",
                "Connect it to your store's hub once. IT or HQ gives you the hub address, the "
                "store ID and a one-time enrolment code (also printed as a QR code).",
            )
        )
        self.steps["enrol"].setText(translate("Enrol", "1 · Connect to the hub"))
        self.steps["download"].setText(translate("Enrol", "2 · Download the store's data"))
        self.form_card.set_title(translate("Enrol", "Enrolment"))
        names = {
            "hub_url": (
                translate("Enrol", "Hub address"),
                translate("Enrol", "For example https://hub.example.com"),
            ),
            "store_id": (
                translate("Enrol", "Store ID"),
                translate("Enrol", "For example S001"),
            ),
            "code": (
                translate("Enrol", "Enrolment code"),
                translate(
                    "Enrol",
                    "Type the code, scan its QR code with the scanner, or read it from the "
                    "QR image file.",
                ),
            ),
            "device_name": (
                translate("Enrol", "Name of this terminal"),
                translate("Enrol", "For example Counter 2"),
            ),
        }
        for key, (name, help_text) in names.items():
            f = self.fields[key]
            f.name.setText(name)
            f.help.setText(help_text)
            f.unit.hide()
            f.editor.setAccessibleName(name)
        self.hub_url.setPlaceholderText("https://hub.example.com")
        self.store_id.setPlaceholderText("S001")
        self.code.setPlaceholderText("XXXX-XXXX-XXXX")
        self.read_image.setText(translate("Enrol", "From image…"))
        self.read_image.setAccessibleName(translate("Enrol", "Read the code from a QR image"))
        self.progress_card.set_title(translate("Enrol", "Downloading the store's data"))
        self.progress.setAccessibleName(translate("Enrol", "Download progress"))
        submit = {
            "form": translate("Enrol", "Connect"),
            "enrolling": translate("Enrol", "Connecting…"),
            "downloading": translate("Enrol", "Downloading…"),
            "retry": translate("Enrol", "Try again"),
            "done": translate("Enrol", "Done"),
        }[self.stage]
        self.submit.setText(submit)
        self.submit.setAccessibleName(submit)
        self.hint.setText(
            translate(
                "Enrol",
                "Nothing is lost if the connection fails: your entries stay here and you can "
                "try again.",
            )
            if self.stage in ("form", "retry")
            else ""
        )
