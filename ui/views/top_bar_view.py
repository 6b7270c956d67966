"""The window's top bar: back, the brand and store, the next-member field (on the customer
screen), the language toggle, "My customers", "Follow-ups", the dashboard, settings and
sign-out buttons. Layout only: ``ui.controllers.navigation_controller`` shows and hides its
parts."""

from __future__ import annotations

from ui.qt import QFrame, QHBoxLayout, QLineEdit, QWidget, translate
from ui.theme import icon
from ui.views.widgets import button, label, tool_button


class TopBarView(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("topBar")
        row = QHBoxLayout(self)
        self.row = row
        row.setSpacing(10)
        self.back = tool_button("back", tint="text", object_name="backButton")
        row.addWidget(self.back)
        self.brand = label("")
        self.brand.setObjectName("brand")
        row.addWidget(self.brand)
        self.store = label("")
        self.store.setObjectName("storeName")
        row.addWidget(self.store)
        row.addStretch(1)
        self.quick_field = QLineEdit()
        self.quick_field.setObjectName("quickScanField")
        self.quick_field.setClearButtonEnabled(True)
        self.quick_field.setMinimumWidth(320)
        self.quick_field.addAction(
            icon("search", "text_muted"), QLineEdit.ActionPosition.LeadingPosition
        )
        row.addWidget(self.quick_field)
        self.lang_button = button("", kind="ghost", object_name="languageToggle")
        self.lang_button.setMinimumWidth(56)
        row.addWidget(self.lang_button)
        self.client_book_button = tool_button("user", tint="text", object_name="clientBookButton")
        self.client_book_button.hide()
        row.addWidget(self.client_book_button)
        self.follow_ups_button = tool_button("clock", tint="text", object_name="followUpsButton")
        self.follow_ups_button.hide()
        row.addWidget(self.follow_ups_button)
        self.dashboard_button = tool_button("trending", tint="text", object_name="dashboardButton")
        self.dashboard_button.hide()
        row.addWidget(self.dashboard_button)
        self.settings_button = tool_button("settings", tint="text", object_name="settingsButton")
        row.addWidget(self.settings_button)
        self.lock_button = tool_button("lock", tint="text", object_name="lockButton")
        self.lock_button.hide()
        row.addWidget(self.lock_button)
        self.set_layout_mode("desktop")

    def set_layout_mode(self, mode: str) -> None:
        self.row.setContentsMargins(*((12, 4, 6, 4) if mode == "handheld" else (12, 8, 12, 8)))

    def retranslate(self, chinese: bool) -> None:
        """The texts in the current language; the toggle offers the other one."""
        self.brand.setText(translate("MainWindow", "Omni Clerk"))
        self.back.setAccessibleName(translate("MainWindow", "Back"))
        self.back.setToolTip(translate("MainWindow", "Back (Esc)"))
        self.quick_field.setPlaceholderText(
            translate("MainWindow", "Scan or type the next member (F2)")
        )
        self.quick_field.setAccessibleName(
            translate("MainWindow", "Next member code, card or phone")
        )
        self.lang_button.setText("EN" if chinese else "中文")
        self.lang_button.setAccessibleName(translate("MainWindow", "Switch language"))
        self.lang_button.setToolTip(translate("MainWindow", "Switch language (Ctrl+L)"))
        self.settings_button.setAccessibleName(translate("MainWindow", "Settings"))
        self.settings_button.setToolTip(translate("MainWindow", "Settings (F10)"))
        self.client_book_button.setAccessibleName(translate("MainWindow", "My customers"))
        self.client_book_button.setToolTip(translate("MainWindow", "My customers (Ctrl+B)"))
        self.follow_ups_button.setAccessibleName(translate("MainWindow", "Follow-ups"))
        self.follow_ups_button.setToolTip(translate("MainWindow", "Follow-ups (Ctrl+U)"))
        self.dashboard_button.setAccessibleName(translate("MainWindow", "Store dashboard"))
        self.dashboard_button.setToolTip(translate("MainWindow", "Store dashboard (Ctrl+D)"))
        self.lock_button.setAccessibleName(translate("MainWindow", "Sign out"))
        self.lock_button.setToolTip(
            translate("MainWindow", "Sign out and lock the terminal (Ctrl+Shift+L)")
        )
