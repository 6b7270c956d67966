"""Settings: language, layout, sync now and the sync details. Layout only."""

from __future__ import annotations

from ui.qt import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
    translate,
)
from ui.views.widgets import Card, LanguageAware, button, label


def _segment(
    names: list[str], object_prefix: str
) -> tuple[QHBoxLayout, QButtonGroup, dict[str, QPushButton]]:
    row = QHBoxLayout()
    row.setSpacing(8)
    group = QButtonGroup()
    group.setExclusive(True)
    buttons: dict[str, QPushButton] = {}
    for name in names:
        b = button("", kind="segment", checkable=True, object_name=f"{object_prefix}_{name}")
        group.addButton(b)
        row.addWidget(b)
        buttons[name] = b
    row.addStretch(1)
    return row, group, buttons


class SettingsPage(LanguageAware):
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
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        inner.setObjectName("column")
        box = QVBoxLayout(inner)
        box.setContentsMargins(24, 20, 24, 24)
        box.setSpacing(16)
        area.setWidget(inner)
        outer.addWidget(area)

        head = QHBoxLayout()
        self.back = button("", icon_name="back", kind="ghost", object_name="settingsBack")
        head.addWidget(self.back)
        self.title = label("", "title")
        head.addWidget(self.title, 1)
        box.addLayout(head)

        self.language_card = Card("", "language", object_name="languageCard")
        row, self.language_group, self.language_buttons = _segment(["zh_CN", "en"], "lang")
        self.language_card.body.setContentsMargins(16, 4, 16, 16)
        self.language_card.body.addLayout(row)
        box.addWidget(self.language_card)

        self.layout_card = Card("", "desktop", object_name="layoutCard")
        row, self.layout_group, self.layout_buttons = _segment(
            ["auto", "handheld", "desktop"], "layout"
        )
        self.layout_card.body.setContentsMargins(16, 4, 16, 16)
        self.layout_card.body.addLayout(row)
        box.addWidget(self.layout_card)

        self.sync_card = Card("", "sync", object_name="syncCard")
        self.sync_card.body.setContentsMargins(16, 4, 16, 16)
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(6)
        self.detail_names: dict[str, QLabel] = {}
        self.detail_values: dict[str, QLabel] = {}
        for i, key in enumerate(self.DETAILS):
            name = label("", "muted")
            value = label("", wrap=True)
            value.setObjectName(f"detail_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(name, i, 0)
            grid.addWidget(value, i, 1)
            self.detail_names[key] = name
            self.detail_values[key] = value
        grid.setColumnStretch(1, 1)
        self.sync_card.body.addLayout(grid)
        self.sync_now = button("", icon_name="sync", kind="primary", object_name="syncNow")
        sync_row = QHBoxLayout()
        sync_row.addWidget(self.sync_now)
        sync_row.addStretch(1)
        self.sync_card.body.addSpacing(12)
        self.sync_card.body.addLayout(sync_row)
        box.addWidget(self.sync_card)
        box.addStretch(1)
        self.retranslate()

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
        self.sync_card.set_title(translate("Settings", "Sync"))
        names = {
            "store": translate("Settings", "Store"),
            "device": translate("Settings", "Device"),
            "pending": translate("Settings", "Waiting to sync"),
            "rejected": translate("Settings", "Rejected by the hub"),
            "conflict": translate("Settings", "Conflicts"),
            "last_pull": translate("Settings", "Last update from the hub"),
            "last_push": translate("Settings", "Last upload to the hub"),
            "last_error": translate("Settings", "Last error"),
        }
        for key, text in names.items():
            self.detail_names[key].setText(text)
        self.sync_now.setText(translate("Settings", "Sync now"))
        self.sync_now.setAccessibleName(translate("Settings", "Sync now"))
