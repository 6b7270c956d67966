"""The ready-to-scan screen: a big scan target, the type/paste field with the customers a typed
name or last four digits find under it, the input sources, the camera preview, and the last
customers. Layout only: ``ui.screens`` composes it with the
scan and camera controllers; the window's input routing reads its field and buttons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ui.models.recent_customers_model import RecentCustomersModel
from ui.models.search_results_model import SearchResultsModel
from ui.qt import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QSizePolicy,
    Qt,
    QVBoxLayout,
    QWidget,
    translate,
)
from ui.views.widgets import LanguageAware, ListPanel, button, icon_label, label, set_prop

if TYPE_CHECKING:
    from ui.views.camera_preview_view import CameraPreview


class ScanView(LanguageAware):
    def __init__(
        self,
        recent: RecentCustomersModel,
        found: SearchResultsModel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.mode = ""

        # The scan card.
        self.target = QFrame()
        self.target.setObjectName("scanTarget")
        t = QVBoxLayout(self.target)
        self.target_box = t
        t.setContentsMargins(28, 28, 28, 24)
        t.setSpacing(12)
        icon = icon_label("qr", 72, "primary")
        t.addWidget(icon, 0, Qt.AlignmentFlag.AlignHCenter)
        self.title = label("", wrap=True)
        self.title.setObjectName("scanTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        t.addWidget(self.title)
        self.hint = label("", wrap=True)
        self.hint.setObjectName("scanHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        t.addWidget(self.hint)
        t.addSpacing(8)

        field_row = QHBoxLayout()
        field_row.setSpacing(10)
        self.field = QLineEdit()
        self.field.setObjectName("scanField")
        self.field.setClearButtonEnabled(True)
        self.field.setMaxLength(4096)
        field_row.addWidget(self.field, 1)
        self.go = button("", icon_name="search", kind="primary", object_name="lookUp")
        self.go.setMinimumHeight(52)
        field_row.addWidget(self.go)
        t.addLayout(field_row)
        # Why the text in the field identifies no one (a mobile number typed wrong …), under
        # the field until it is edited.
        self.error = label("", "error", wrap=True)
        self.error.setObjectName("scanError")
        self.error.hide()
        t.addWidget(self.error)
        self.field.textEdited.connect(lambda _text: self.show_error(""))

        # The customers the typed text finds: shown while there is a search, under the field.
        self.results = ListPanel(found, "search", object_name="searchResults", tile=40)
        self.results.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.results.hide()
        t.addWidget(self.results)

        self.sources = QGridLayout()
        self.sources.setHorizontalSpacing(10)
        self.sources.setVerticalSpacing(10)
        self.camera_button = button(
            "", icon_name="camera", kind="action", checkable=True, object_name="cameraToggle"
        )
        self.image_button = button("", icon_name="image", kind="action", object_name="openImage")
        self.paste_button = button("", icon_name="paste", kind="action", object_name="paste")
        t.addLayout(self.sources)

        # The camera area, shown while the camera is on.
        self.camera_box = QFrame()
        self.camera_box.setObjectName("cameraBox")
        cam = QVBoxLayout(self.camera_box)
        cam.setContentsMargins(0, 4, 0, 0)
        cam.setSpacing(8)
        pick_row = QHBoxLayout()
        self.camera_label = label("", "muted")
        pick_row.addWidget(self.camera_label)
        self.camera_picker = QComboBox()
        self.camera_picker.setObjectName("cameraPicker")
        self.camera_picker.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        pick_row.addWidget(self.camera_picker, 1)
        cam.addLayout(pick_row)
        self.preview_slot = QVBoxLayout()
        cam.addLayout(self.preview_slot)
        self._preview: CameraPreview | None = None  # made when the camera is first turned on
        self.camera_box.hide()
        t.addWidget(self.camera_box)

        self.keys_hint = label("", "faint", wrap=True)
        self.keys_hint.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        t.addWidget(self.keys_hint)

        self.recent = ListPanel(recent, "history", object_name="recentCustomers", tile=40)

        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(24, 24, 24, 24)
        self.grid.setHorizontalSpacing(24)
        self.grid.setVerticalSpacing(16)
        self.set_layout_mode("desktop")
        self.retranslate()

    def preview(self) -> CameraPreview:
        """The viewfinder, made (and placed in the camera area) on first use."""
        if self._preview is None:
            from ui.views.camera_preview_view import CameraPreview

            self._preview = CameraPreview()
            self._preview.setObjectName("cameraPreview")
            self._preview.setAccessibleName(translate("ScanPage", "Camera preview"))
            self.preview_slot.addWidget(self._preview)
        return self._preview

    def show_results(self, shown: bool) -> None:
        """Show or hide the search results (on a handheld they take the last customers'
        place: the screen is not tall enough for both)."""
        if self.results.isVisibleTo(self) != shown:
            self.results.setVisible(shown)
        self._place_recent()

    def _place_recent(self) -> None:
        wanted = not (self.mode == "handheld" and self.results.isVisibleTo(self))
        if self.recent.isVisibleTo(self) != wanted:
            self.recent.setVisible(wanted)

    def offer_choices(self, choices: Sequence[tuple[str, str]]) -> QMenu:
        """A menu under the field offering the customers a typed phone may be: (label, member
        id) each, under a title that asks which one. Shown at once; the caller listens to its
        ``triggered`` (the action's data is the member id)."""
        menu = QMenu(self)
        menu.setObjectName("phoneCandidates")
        title = menu.addAction(
            translate("ScanView", "Several customers have these last digits — which one?")
        )
        title.setEnabled(False)
        for text, member_id in choices:
            menu.addAction(text).setData(member_id)
        menu.popup(self.field.mapToGlobal(self.field.rect().bottomLeft()))
        return menu

    def set_layout_mode(self, mode: str) -> None:
        if mode == self.mode:
            return
        self.mode = mode
        for w in (self.target, self.recent):
            self.grid.removeWidget(w)
        for b in (self.camera_button, self.image_button, self.paste_button):
            self.sources.removeWidget(b)
        handheld = mode == "handheld"
        margin = 12 if handheld else 32
        self.grid.setContentsMargins(margin, margin, margin, margin)
        if handheld:
            self.grid.addWidget(self.target, 0, 0)
            self.grid.addWidget(self.recent, 1, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.setRowStretch(0, 0)
            self.grid.setRowStretch(1, 0)
            self.grid.setRowStretch(2, 1)
            self.grid.setColumnStretch(0, 1)
            self.grid.setColumnStretch(1, 0)
            self.sources.addWidget(self.camera_button, 0, 0)
            self.sources.addWidget(self.image_button, 0, 1)
            self.sources.addWidget(self.paste_button, 0, 2)
            self.target_box.setContentsMargins(16, 20, 16, 16)
        else:
            self.grid.addWidget(self.target, 0, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(self.recent, 0, 1, Qt.AlignmentFlag.AlignTop)
            self.grid.setColumnStretch(0, 3)
            self.grid.setColumnStretch(1, 2)
            self.grid.setRowStretch(0, 1)
            self.grid.setRowStretch(1, 0)
            self.grid.setRowStretch(2, 0)
            self.sources.addWidget(self.camera_button, 0, 0)
            self.sources.addWidget(self.image_button, 0, 1)
            self.sources.addWidget(self.paste_button, 0, 2)
            self.target_box.setContentsMargins(40, 36, 40, 28)
        self.keys_hint.setVisible(not handheld)
        self._place_recent()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        set_prop(self.field, "invalid", bool(text))
        self.field.setAccessibleDescription(text)

    def retranslate(self) -> None:
        self.title.setText(translate("ScanPage", "Scan the member code"))
        self.hint.setText(
            translate(
                "ScanPage",
                "Use the scanner or the camera — or type the card or phone number, a name, "
                "or the last four digits of the phone.",
            )
        )
        self.field.setPlaceholderText(
            translate("ScanPage", "Member code, card, phone, name or last four digits")
        )
        self.field.setAccessibleName(
            translate("ScanPage", "Member code, card, phone, name or last four digits")
        )
        self.results.set_texts(
            translate("ScanPage", "Customers of this store"),
            translate("ScanPage", "No customer of this store matches."),
            accessible=translate(
                "ScanPage", "Customers found: Up and Down to choose, Enter to open"
            ),
        )
        self.go.setText(translate("ScanPage", "Look up"))
        self.go.setAccessibleName(translate("ScanPage", "Look up the member"))
        self.camera_button.setText(translate("ScanPage", "Camera"))
        self.camera_button.setAccessibleName(translate("ScanPage", "Turn the camera on or off"))
        self.image_button.setText(translate("ScanPage", "Image…"))
        self.image_button.setAccessibleName(translate("ScanPage", "Read a code from an image file"))
        self.paste_button.setText(translate("ScanPage", "Paste"))
        self.paste_button.setAccessibleName(
            translate("ScanPage", "Read a code or number from the clipboard")
        )
        self.camera_label.setText(translate("ScanPage", "Camera:"))
        self.camera_picker.setAccessibleName(translate("ScanPage", "Choose the camera"))
        self.keys_hint.setText(
            translate("ScanPage", "F2 type · Ctrl+V paste an image · Esc next customer")
        )
        self.recent.set_texts(
            translate("ScanPage", "Last customers"),
            translate("ScanPage", "Customers you serve appear here."),
        )
