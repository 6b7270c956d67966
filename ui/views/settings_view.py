"""Settings: language, layout, the manager's terminal settings, sync details, diagnostics.
Layout only; ``ui.controllers.settings_controller`` fills and saves it.

Language and layout are for everyone (how this screen looks). The terminal settings — hub
address, idle lock, retention, camera — are shown to a manager only; anyone else sees a note
saying who may change them. Each field has its own error line under it.
"""

from __future__ import annotations

from ui.qt import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    translate,
)
from ui.views.widgets import (
    Card,
    Chip,
    FlowRow,
    FormField,
    LanguageAware,
    button,
    centred_column,
    icon_label,
    label,
)

COLUMN_MAX_WIDTH = 920
TERMINAL_FIELDS = ("hub_url", "idle_lock_minutes", "retention_days", "camera")


def _segment(
    names: list[str], object_prefix: str
) -> tuple[FlowRow, QButtonGroup, dict[str, QPushButton]]:
    row = FlowRow(8)
    group = QButtonGroup(row)
    group.setExclusive(True)
    buttons: dict[str, QPushButton] = {}
    for name in names:
        b = button("", kind="segment", checkable=True, object_name=f"{object_prefix}_{name}")
        group.addButton(b)
        row.add(b)
        buttons[name] = b
    row.add_stretch(1)
    return row, group, buttons


class SettingsView(LanguageAware):
    DETAILS = (
        "store",
        "device",
        "pending",
        "rejected",
        "conflict",
        "last_pull",
        "last_push",
        "last_error",
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        area, box = centred_column(self, max_width=COLUMN_MAX_WIDTH, top=20)
        self.area = area

        head = FlowRow(16)  # one line, or one above the other on a handheld
        self.back = button("", icon_name="back", kind="ghost", object_name="settingsBack")
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        head.add(self.back, 0, left)
        self.title = label("", "title")
        head.add(self.title, 1)
        self.signed_in = Chip("", "primary")
        self.signed_in.setObjectName("settingsSignedIn")
        self.signed_in.hide()
        head.add(self.signed_in, 0, left)
        box.addWidget(head)

        display = FlowRow(16)  # side by side, or one above the other on a handheld
        self.language_card = Card("", "language", object_name="languageCard")
        row, self.language_group, self.language_buttons = _segment(["zh_CN", "en"], "lang")
        self.language_card.body.setContentsMargins(16, 4, 16, 16)
        self.language_card.body.addWidget(row)
        display.add(self.language_card, 2)

        self.layout_card = Card("", "desktop", object_name="layoutCard")
        row, self.layout_group, self.layout_buttons = _segment(
            ["auto", "handheld", "desktop"], "layout"
        )
        self.layout_card.body.setContentsMargins(16, 4, 16, 16)
        self.layout_card.body.addWidget(row)
        display.add(self.layout_card, 3)
        box.addWidget(display)

        # --- the terminal (managers) -------------------------------------------------------------
        self.terminal_card = Card("", "settings", object_name="terminalCard")
        self.manager_chip = Chip("", "primary")
        self.terminal_card.add_trailing(self.manager_chip)
        body = QVBoxLayout()
        body.setContentsMargins(16, 4, 16, 16)
        body.setSpacing(16)
        self.hub_url = QLineEdit()
        self.hub_url.setObjectName("settingHubUrl")
        self.hub_url.setClearButtonEnabled(True)
        self.idle_lock = QLineEdit()
        self.idle_lock.setObjectName("settingIdleLock")
        self.idle_lock.setMaxLength(4)
        self.idle_lock.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.retention = QLineEdit()
        self.retention.setObjectName("settingRetention")
        self.retention.setMaxLength(5)
        self.retention.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.camera = QComboBox()
        self.camera.setObjectName("settingCamera")
        self.fields: dict[str, FormField] = {
            "hub_url": FormField("hub_url", self.hub_url),
            "idle_lock_minutes": FormField("idle_lock_minutes", self.idle_lock, narrow=True),
            "retention_days": FormField("retention_days", self.retention, narrow=True),
            "camera": FormField("camera", self.camera),
        }
        body.addWidget(self.fields["hub_url"])
        numbers = FlowRow(24)  # side by side, or one above the other on a handheld
        numbers.add(self.fields["idle_lock_minutes"], 1)
        numbers.add(self.fields["retention_days"], 1)
        body.addWidget(numbers)
        body.addWidget(self.fields["camera"])
        actions = FlowRow(10)
        self.saved_note = label("", "muted", wrap=True)
        self.saved_note.setObjectName("settingsSavedNote")
        actions.add(self.saved_note, 1)
        self.revert = button("", kind="ghost", object_name="settingsRevert")
        actions.add(self.revert)
        self.save = button("", icon_name="check", kind="primary", object_name="settingsSave")
        actions.add(self.save)
        body.addWidget(actions)
        self.terminal_card.body.addLayout(body)
        box.addWidget(self.terminal_card)

        self.manager_note = QFrame()
        self.manager_note.setProperty("card", True)
        self.manager_note.setObjectName("managerNote")
        note_row = QHBoxLayout(self.manager_note)
        note_row.setContentsMargins(16, 14, 16, 14)
        note_row.setSpacing(12)
        note_row.addWidget(icon_label("lock", 20, "text_muted"), 0, Qt.AlignmentFlag.AlignTop)
        self.manager_note_text = label("", "muted", wrap=True)
        note_row.addWidget(self.manager_note_text, 1)
        box.addWidget(self.manager_note)

        # --- sync -----------------------------------------------------------------------------
        self.sync_card = Card("", "sync", object_name="syncCard")
        self.sync_card.body.setContentsMargins(16, 4, 16, 16)
        details = QGridLayout()
        details.setHorizontalSpacing(24)
        details.setVerticalSpacing(6)
        self.detail_names: dict[str, QLabel] = {}
        self.detail_values: dict[str, QLabel] = {}
        for i, key in enumerate(self.DETAILS):
            name = label("", "muted")
            value = label("", wrap=True)
            value.setObjectName(f"detail_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            details.addWidget(name, i, 0)
            details.addWidget(value, i, 1)
            self.detail_names[key] = name
            self.detail_values[key] = value
        details.setColumnStretch(1, 1)
        self.sync_card.body.addLayout(details)
        self.sync_now = button("", icon_name="sync", kind="primary", object_name="syncNow")
        sync_row = QHBoxLayout()
        sync_row.addWidget(self.sync_now)
        sync_row.addStretch(1)
        self.sync_card.body.addSpacing(12)
        self.sync_card.body.addLayout(sync_row)
        box.addWidget(self.sync_card)

        # --- support --------------------------------------------------------------------------
        self.support_card = Card("", "info", object_name="supportCard")
        self.support_card.body.setContentsMargins(16, 4, 16, 16)
        support = QHBoxLayout()
        support.setSpacing(16)
        self.support_text = label("", "muted", wrap=True)
        support.addWidget(self.support_text, 1)
        self.diagnostics = button(
            "", icon_name="paste", kind="secondary", object_name="copyDiagnostics"
        )
        support.addWidget(self.diagnostics, 0, Qt.AlignmentFlag.AlignTop)
        self.support_card.body.addLayout(support)
        box.addWidget(self.support_card)
        box.addStretch(1)
        self.set_manager(False)
        self.retranslate()

    # --- state -----------------------------------------------------------------------------------

    def set_manager(self, manager: bool, who: str = "") -> None:
        """Show the terminal settings (a manager) or the note about who may change them."""
        self.terminal_card.setVisible(manager)
        self.manager_note.setVisible(not manager)
        self.signed_in.setText(who)
        self.signed_in.setVisible(bool(who))
        self.signed_in.setAccessibleName(who)

    def set_dirty(self, dirty: bool) -> None:
        self.save.setEnabled(dirty)
        self.revert.setEnabled(dirty)

    def clear_errors(self) -> None:
        for f in self.fields.values():
            f.set_error("")

    def retranslate(self) -> None:
        self.title.setText(translate("Settings", "Settings"))
        self.back.setText(translate("Settings", "Back"))
        self.back.setAccessibleName(translate("Settings", "Back to scanning"))
        self.language_card.set_title(translate("Settings", "Language"))
        self.language_buttons["zh_CN"].setText("简体中文")
        self.language_buttons["en"].setText("English")
        self.language_buttons["zh_CN"].setAccessibleName(
            translate("Settings", "Simplified Chinese")
        )
        self.language_buttons["en"].setAccessibleName(translate("Settings", "English"))
        self.layout_card.set_title(translate("Settings", "Screen layout"))
        for key, text in (
            ("auto", translate("Settings", "Automatic")),
            ("handheld", translate("Settings", "Handheld")),
            ("desktop", translate("Settings", "Counter desktop")),
        ):
            self.layout_buttons[key].setText(text)
            self.layout_buttons[key].setAccessibleName(text)

        self.terminal_card.set_title(translate("Settings", "This terminal"))
        self.manager_chip.setText(translate("Settings", "Managers only"))
        names = {
            "hub_url": (
                translate("Settings", "Hub address"),
                translate("Settings", "Where this terminal syncs, e.g. https://hub.example.com"),
                "",
            ),
            "idle_lock_minutes": (
                translate("Settings", "Lock when idle"),
                translate("Settings", "Back to the sign-in screen after this long unused."),
                translate("Settings", "minutes"),
            ),
            "retention_days": (
                translate("Settings", "Keep online browsing"),
                translate("Settings", "Older browsing history is removed from this terminal."),
                translate("Settings", "days"),
            ),
            "camera": (
                translate("Settings", "Camera"),
                translate("Settings", "Used to scan member codes when there is no scanner."),
                "",
            ),
        }
        for key, (name, help_text, unit) in names.items():
            f = self.fields[key]
            f.name.setText(name)
            f.help.setText(help_text)
            f.unit.setText(unit)
            f.unit.setVisible(bool(unit))
            f.editor.setAccessibleName(name)
        self.hub_url.setPlaceholderText("https://hub.example.com")
        self.save.setText(translate("Settings", "Save changes"))
        self.save.setAccessibleName(translate("Settings", "Save changes"))
        self.revert.setText(translate("Settings", "Undo changes"))
        self.revert.setAccessibleName(translate("Settings", "Undo changes"))
        self.manager_note_text.setText(
            translate(
                "Settings",
                "The hub address, the idle lock, data retention and the camera can be changed "
                "by a store manager. Sign in as a manager to change them.",
            )
        )

        self.sync_card.set_title(translate("Settings", "Sync"))
        details = {
            "store": translate("Settings", "Store"),
            "device": translate("Settings", "Device"),
            "pending": translate("Settings", "Waiting to sync"),
            "rejected": translate("Settings", "Rejected by the hub"),
            "conflict": translate("Settings", "Conflicts"),
            "last_pull": translate("Settings", "Last update from the hub"),
            "last_push": translate("Settings", "Last upload to the hub"),
            "last_error": translate("Settings", "Last error"),
        }
        for key, text in details.items():
            self.detail_names[key].setText(text)
        self.sync_now.setText(translate("Settings", "Sync now"))
        self.sync_now.setAccessibleName(translate("Settings", "Sync now"))

        self.support_card.set_title(translate("Settings", "Support"))
        self.support_text.setText(
            translate(
                "Settings",
                "Copies versions, settings, sync status and the latest log lines for IT "
                "support. Customer data is never included.",
            )
        )
        self.diagnostics.setText(translate("Settings", "Copy diagnostics"))
        self.diagnostics.setAccessibleName(translate("Settings", "Copy diagnostics"))
