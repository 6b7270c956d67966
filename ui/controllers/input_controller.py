"""Where input goes, whatever has the focus: scanner bursts (the keyboard wedge), the top
bar's next-member field, and Ctrl+O / Ctrl+V (read a code from an image file or the
clipboard).

A scanner burst opens a customer from any of the window's screens; on a hosted screen it goes
to that screen's handler (enrolment reads its QR code that way) or nowhere (sign-in: a locked
terminal opens no customer).
"""

from __future__ import annotations

from collections.abc import Callable

from ui.controllers.navigation_controller import Navigator
from ui.qt import QObject, QWidget
from ui.screens import Screens
from ui.views.top_bar_view import TopBarView


class InputRouter(QObject):
    def __init__(
        self, nav: Navigator, screens: Screens, top: TopBarView, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.nav = nav
        self.screens = screens
        self.top = top
        self._handlers: dict[QWidget, Callable[[str], None]] = {}
        top.quick_field.returnPressed.connect(self._submit_quick)

    def on_wedge_scan(self, text: str) -> None:
        """Slot for WedgeFilter.scanned: a scanner burst, wherever the focus was."""
        if self.nav.page == "other":
            current = self.nav.pages.currentWidget()
            handler = self._handlers.get(current) if current is not None else None
            if handler is not None:
                handler(text)
            return
        if self.nav.locked:
            return
        scan = self.screens.scan
        # The link form open: the member's code scanned is its proof.
        link = self.screens.link
        if self.nav.page == "customer" and link is not None and link.take_scan(text):
            return
        # The sale form open: a product's sku adds its line; anything else is a customer.
        if self.nav.page == "customer" and self.screens.customer.take_scan(
            text, lambda t: scan.submit_text(t, "wedge")
        ):
            return
        scan.submit_text(text, "wedge")

    def set_scan_handler(self, page: QWidget, handler: Callable[[str], None]) -> None:
        """Scanner bursts while ``page`` (a hosted screen) is shown go to ``handler``."""
        self._handlers[page] = handler

    def _submit_quick(self) -> None:
        field = self.top.quick_field
        text = field.text()
        if text.strip():
            self.screens.scan.submit_text(text, "typed")
            field.clear()

    def open_image(self) -> None:
        if not self._may_read():
            return
        self.screens.scan.open_image()

    def paste(self) -> None:
        if not self._may_read():
            return
        self.screens.scan.paste()

    def _may_read(self) -> bool:
        return not self.nav.locked and self.nav.page != "other"
