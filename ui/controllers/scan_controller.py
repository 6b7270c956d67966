"""The scan screen: from any input to a customer. Typed text, wedge scans, camera codes, image
files and the clipboard all end in ``submit_text`` → identify → open_customer, on the
terminal's worker; a name picked from the last customers opens that member.

The GUI thread only collects the text (or hands an image to the decode worker) and shows the
result; identification, the cache lookup, the hub fetch and recording the visit run on the
terminal runner. A typed phone that fits several cached members (the terminal holds only the
last four digits and a short bucket of each number) offers them in a menu, by name and masked
number; the associate asks the customer's name and picks.

A customer without a code is found by typing: letters (a name, in characters or pinyin) or
four digits (the last four of the phone) search this store's members once typing pauses
(``SEARCH_DELAY_MS``), on the terminal runner — one search at a time, the latest text winning.
The results show under the field: Up/Down choose one while the field keeps the focus, Enter or
a click opens it (``Terminal.open_found``: audited). Other digits keep the scan/phone path, and
scanner bursts never reach the field (the wedge takes them), so a scan opens its customer while
results are shown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from clerk.errors import ClerkError, IdentifyError, ProductScanned
from clerk.model import Identity, Product
from ui import texts
from ui.i18n import fmt_money, local
from ui.messages import MessageBridge
from ui.models.recent_customers_model import RecentCustomersModel
from ui.models.search_results_model import SearchResultsModel
from ui.qt import (
    QEvent,
    QFileDialog,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMenu,
    QObject,
    Qt,
    QTimer,
    Signal,
    translate,
)
from ui.views.scan_view import ScanView
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from clerk.ports import Opened, TerminalPort
    from clerk.search_terms import Found

log = logging.getLogger(__name__)

# The same code read again within this window (a camera sees it in every frame) is ignored.
REPEAT_WINDOW_S = 3.0
RECENT_SHOWN = 8
SEARCH_DELAY_MS = 150  # a pause in typing this long searches
_SEARCHED = ("name", "last4")  # what a typed text searches by (clerk.search.query_kind)


def _gray_pil(image: QImage) -> Any:
    """A PIL grayscale copy of a QImage (runs on the decode worker)."""
    from PIL import Image

    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data = bytes(gray.constBits())
    return Image.frombuffer(
        "L", (gray.width(), gray.height()), data, "raw", "L", gray.bytesPerLine(), 1
    )


def pick_code(found: list[Any]) -> str | None:
    """The most member-like of several decoded codes: a member code, then digits, then any."""
    texts_found = [str(getattr(d, "text", d)) for d in found]
    for t in texts_found:
        if t.upper().startswith("MC1:"):
            return t
    for t in texts_found:
        if t.strip().isdigit():
            return t
    return texts_found[0] if texts_found else None


class ScanController(QObject):
    opened = Signal(object)  # clerk.ports.Opened
    looking_up = Signal(bool)
    product_named = Signal(str, object)  # a product barcode scanned: its EAN-13, the Product

    def __init__(
        self,
        terminal: TerminalPort,
        view: ScanView,
        recent: RecentCustomersModel,
        found: SearchResultsModel,
        runner: TaskRunner,
        decode_runner: TaskRunner,
        bridge: MessageBridge,
        *,
        staff_id: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.view = view
        self.recent = recent
        self.found = found
        self.runner = runner
        self.decode_runner = decode_runner
        self.bridge = bridge
        self.staff_id = staff_id
        self.clock = clock
        self._last: tuple[str, float] | None = None
        self._in_flight = 0
        self.chooser: QMenu | None = None  # the candidates of a typed phone, while offered
        self.enabled = True  # False while the terminal is locked: nothing is looked up
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.search_now)
        self._searching: str | None = None  # the text of the search in flight
        self._search_again = False  # the text changed while it ran
        view.field.textEdited.connect(self._text_edited)
        view.results.list.activated.connect(self._result_activated)
        view.results.list.clicked.connect(self._result_activated)
        view.field.returnPressed.connect(self.submit_field)
        view.go.clicked.connect(self.submit_field)
        view.image_button.clicked.connect(self.open_image)
        view.paste_button.clicked.connect(self.paste)
        view.recent.list.activated.connect(self._recent_activated)
        view.recent.list.clicked.connect(self._recent_activated)
        view.field.installEventFilter(self)
        self.looking_up.connect(lambda busy: view.go.setEnabled(not busy))

    # --- text in -----------------------------------------------------------------------------

    def submit_field(self) -> None:
        text = self.view.field.text()
        if text.strip():
            self.submit_text(text, "typed")
        else:
            self.bridge.warning(texts.reason_message("empty"), key="identify")

    def submit_text(self, text: str, source: str = "typed") -> bool:
        """Identify ``text`` and open the customer. False if ignored (a repeat, or locked)."""
        if not self.enabled:
            return False
        key = text.strip()
        now = self.clock()
        if source == "camera" and self._last is not None:
            last_text, at = self._last
            if last_text == key and now - at < REPEAT_WINDOW_S:
                return False
        self._last = (key, now)
        self.clear_search()
        # A menu still asking which customer a typed phone was is about someone else now: a
        # person's next Return or click must not pick from it.
        self.close_chooser()
        terminal, staff = self.terminal, self.staff_id

        def work() -> Opened:
            return terminal.open_customer(terminal.identify(text), staff)

        self._start()
        self.runner.submit(work, self._done, self._failed)
        return True

    def open_member(self, member_id: str) -> None:
        """Open a member picked from the last-customers list."""
        if not self.enabled:
            return
        identity = Identity(kind="member_id", value=member_id, ref=f"member:{member_id}")
        terminal, staff = self.terminal, self.staff_id
        self.clear_search()
        self._start()
        self.runner.submit(
            lambda: terminal.open_customer(identity, staff), self._done, self._failed
        )

    def _recent_activated(self, index: Any) -> None:
        member_id = index.data(RecentCustomersModel.MemberId)
        if member_id:
            self.open_member(str(member_id))

    def _start(self) -> None:
        self._in_flight += 1
        if self._in_flight == 1:
            self.looking_up.emit(True)

    def _finish(self) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        if self._in_flight == 0:
            self.looking_up.emit(False)

    def _done(self, opened: Opened) -> None:
        self._finish()
        if opened.reason == "unknown_member":
            self.bridge.warning(texts.reason_message("unknown_member"), key="identify")
        if opened.candidates:
            self._choose(opened)
            return
        self.opened.emit(opened)

    def close_chooser(self) -> None:
        """Close the menu of a typed phone's candidates, if one is offered."""
        if self.chooser is not None:
            self.chooser.close()
            self.chooser = None

    def _choose(self, opened: Opened) -> None:
        """Offer the members a typed phone may be; a pick opens that member."""
        self.close_chooser()
        choices = []
        for c in opened.candidates:
            name = f"{c.name} ({c.name_en})" if c.name_en else c.name
            choices.append((f"{name} · {c.phone_masked or ''}", c.member_id))
        menu = self.view.offer_choices(choices)
        menu.triggered.connect(
            lambda action: self.pick(opened, str(action.data())) if action.data() else None
        )
        self.chooser = menu

    def pick(self, opened: Opened, member_id: str) -> None:
        """The associate picked one of a typed phone's candidates."""
        self.close_chooser()
        terminal, staff = self.terminal, self.staff_id
        self._start()
        self.runner.submit(
            lambda: terminal.pick_candidate(opened, member_id, staff), self._done, self._failed
        )

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self._last = None
        if isinstance(exc, ProductScanned):
            self.name_product(exc.gtin)
            return
        if isinstance(exc, IdentifyError):
            self.bridge.warning(texts.reason_message(exc.reason), key="identify")
            field = self.view.field
            if field.text():  # typed: say it at the field too, naming what was looked up
                self.view.show_error(
                    texts.fill(
                        translate("ScanPage", "“%1”: %2"),
                        _shortened(field.text().strip()),
                        texts.reason_message(exc.reason),
                    )
                )
                # Selected: the next keystroke replaces it, the next number is not appended.
                field.selectAll()
        elif isinstance(exc, ClerkError):
            self.bridge.error(texts.reason_message(exc.reason), key="identify")
        else:
            raise exc

    def name_product(self, code: str) -> None:
        """A product's barcode where a member was asked for: say which product it is (nothing
        member-related opens; the scan field is cleared for the next scan)."""
        terminal = self.terminal
        self.view.field.clear()

        def found(product: Product | None) -> None:
            if product is None:
                text = texts.fill(
                    translate("Scan", "Barcode %1 is not in this store's catalogue."), code
                )
            else:
                text = texts.fill(
                    translate("Scan", "Product %1 · %2 (%3) — a product, not a member."),
                    local(product.title),
                    fmt_money(product.price_cents),
                    product.sku,
                )
            self.bridge.info(text, key="identify")
            self.product_named.emit(code, product)

        self.runner.submit(lambda: terminal.product_by_barcode(code), found, self._failed)

    # --- a customer without a code: search ------------------------------------------------------

    def _text_edited(self, text: str) -> None:
        from clerk.search_terms import query_kind

        if self.enabled and query_kind(text) in _SEARCHED:
            self.search_timer.start()
        else:
            self.clear_search()

    def search_now(self) -> None:
        """Search for the field's text on the terminal runner (one search at a time: a text
        typed meanwhile is searched when the one in flight is back)."""
        self.search_timer.stop()
        if self._searching is not None:
            self._search_again = True
            return
        text = self.view.field.text()
        terminal, staff = self.terminal, self.staff_id
        self._searching = text
        self.runner.submit(
            lambda: terminal.search(text, staff), self._search_done, self._search_failed
        )

    def _search_done(self, rows: list[Found]) -> None:
        text, self._searching = self._searching or "", None
        if self._search_again:
            self._search_again = False
            self.search_now()
            return
        if not self.enabled or self.view.field.text() != text or self.search_timer.isActive():
            return  # typed on, cleared, or locked meanwhile
        self.found.set_found(text, rows)
        self.view.results.list.setCurrentIndex(self.found.index(-1, 0))
        self.view.show_results(True)

    def _search_failed(self, exc: BaseException) -> None:
        self._searching, self._search_again = None, False
        if isinstance(exc, ClerkError):
            self.bridge.warning(texts.reason_message(exc.reason), key="search")
        else:
            raise exc

    def clear_search(self) -> None:
        """No search shown (a scan, a customer opened, the field emptied, nobody here)."""
        self.search_timer.stop()
        if self._searching is not None:
            self._search_again = False
        if self.found.rowCount() or self.found.query:
            self.found.clear()
        self.view.show_results(False)

    def searching(self) -> bool:
        """A search is waiting for a pause in typing or running."""
        return self.search_timer.isActive() or self._searching is not None

    def open_found(self, member_id: str) -> None:
        """Open a customer the search found (the view is audited as found by search)."""
        if not self.enabled:
            return
        terminal, staff = self.terminal, self.staff_id
        self.clear_search()
        self.view.field.clear()
        self._start()
        self.runner.submit(lambda: terminal.open_found(member_id, staff), self._done, self._failed)

    def _result_activated(self, index: Any) -> None:
        member_id = index.data(SearchResultsModel.MemberId)
        if member_id:
            self.open_found(str(member_id))

    def _results_key(self, event: QKeyEvent) -> bool:
        """Up/Down/Enter/Esc in the field while results are shown; True when handled."""
        if not self.view.results.isVisibleTo(self.view):
            return False
        if event.key() == Qt.Key.Key_Escape:
            self.clear_search()
            return True
        if self.found.rowCount() == 0:
            return False
        lst = self.view.results.list
        row = lst.currentIndex().row() if lst.currentIndex().isValid() else -1
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            step = 1 if key == Qt.Key.Key_Down else -1
            row = max(0, min(self.found.rowCount() - 1, row + step))
            lst.setCurrentIndex(self.found.index(row, 0))
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.searching():
            if row < 0 and self.found.rowCount() > 1:
                lst.setCurrentIndex(self.found.index(0, 0))  # several: choose, Enter again
                return True
            self._result_activated(self.found.index(max(row, 0), 0))
            return True
        return False

    # --- the last customers ------------------------------------------------------------------

    def refresh_recent(self, now: int) -> None:
        terminal = self.terminal
        self.runner.submit(
            lambda: terminal.recent_customers(RECENT_SHOWN),
            lambda rows: self.recent.set_recent(rows, now),
        )

    def forget(self) -> None:
        """Nobody at the terminal: no last customers, nothing typed, nothing found."""
        self.recent.set_recent([], 0)
        self.view.field.clear()
        self.clear_search()

    # --- images and the clipboard ----------------------------------------------------------------

    def open_image(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self.view.window(),
            translate("MainWindow", "Read a member code from an image"),
            "",
            translate("MainWindow", "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)"),
        )
        if path:
            self.decode_file(path)

    def paste(self) -> None:
        """An image on the clipboard is decoded; text is looked up (and shown in the field
        while this screen is up)."""
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData()
        if mime is not None and mime.hasImage():
            self.decode_qimage(clipboard.image())
            return
        text = clipboard.text().strip()
        if text:
            if self.view.isVisible():
                self.view.field.setText(text)
            self.submit_text(text, "paste")
            return
        self.bridge.warning(texts.reason_message("no_image_on_clipboard"), key="identify")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view.field and isinstance(event, QKeyEvent):
            if event.type() == QEvent.Type.KeyPress and self._results_key(event):
                return True
            # Esc with results shown clears them (before the window's "next customer").
            if (
                event.type() == QEvent.Type.ShortcutOverride
                and event.key() == Qt.Key.Key_Escape
                and self.view.results.isVisibleTo(self.view)
            ):
                event.accept()
                return True
        # Ctrl+V in the scan field with an image on the clipboard: decode it (text pastes as usual).
        if (
            watched is self.view.field
            and event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Paste)
        ):
            mime = QGuiApplication.clipboard().mimeData()
            if mime is not None and mime.hasImage():
                event.accept()
                self.paste()
                return True
        return super().eventFilter(watched, event)

    def decode_file(self, path: str) -> None:
        def work() -> list[Any]:
            from clerk.decode import decode_file

            return decode_file(path)

        self.decode_runner.submit(work, self._decoded_image, self._decode_failed)

    def decode_qimage(self, image: QImage) -> None:
        image = QImage(image)  # an implicitly shared copy the worker owns

        def work() -> list[Any]:
            from clerk.decode import decode_pil

            if image.isNull():
                raise ClerkError("empty image", reason="unreadable_image")
            return decode_pil(_gray_pil(image))

        self.decode_runner.submit(work, self._decoded_image, self._decode_failed)

    def _decoded_image(self, found: list[Any]) -> None:
        text = pick_code(found)
        if text is None:
            self.bridge.warning(texts.reason_message("no_code_found"), key="identify")
            return
        self.submit_text(text, "image")

    def _decode_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ClerkError):
            self.bridge.warning(texts.reason_message(exc.reason), key="identify")
        else:
            raise exc

    def camera_code(self, _format: str, text: str) -> None:
        """Slot for FrameDecoder.decoded."""
        self.submit_text(text, "camera")


def _shortened(text: str, limit: int = 40) -> str:
    """What was typed, as an error message quotes it (a pasted page is not quoted whole)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
