"""The real app window on a real X server, driven over stdin/stdout (tests/x11, bench).

    DISPLAY=:N python tests/x11/x11_app.py HOME NOW

Builds the app's window (``ui.app.build_window``: the real MainWindow with the real wedge
filter installed on the application) on the demo data directory HOME with its clock fixed at
NOW, on the xcb platform, shows it and prints one JSON line per event:

* ``ready`` (with ``wid``, the X window id) once shown and painted;
* ``scanned`` (the wedge's text), ``submitted`` (an ``open`` command handed to the scan
  controller), ``opened`` (member id), ``painted`` (the customer page fully painted after an
  open) — each with ``t``, ``time.monotonic()`` in this process;
* ``key`` (a Return pressed in the reference window, ``t``) and ``ref_painted`` (its repaint);
* ``recorded`` (kind and payload of each record the customer screen made);
* answers to commands.

``{"cmd": "keys"}`` answers ``keys``: the key presses the X server delivered since the last
``keys`` (each with its X time stamp, in ms) and the wedge's gap — so a test can tell a burst
the harness failed to send at scanner speed from one the wedge mishandled.

Commands, one JSON object per line on stdin: ``{"cmd": "open", "text": …}``,
``{"cmd": "focus", "target": "note"|"search"|"sale"|"quick"|"reference"}``,
``{"cmd": "state"}``, ``{"cmd": "keys"}``, ``{"cmd": "where", "target": "coupons"|"sale"}``
(``where``: the screen positions of the rows and buttons to click, and what the form shows),
``{"cmd": "twin", "phone": …}`` (a second cached member with that phone's last four digits and
bucket, as two members of one store can be: typing the phone offline then offers both in a
menu), ``{"cmd": "quit"}``.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

os.environ["QT_QPA_PLATFORM"] = "xcb"
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false;qt.qpa.*=false")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clerk.terminal import Terminal
from ui.app import build_window
from ui.models.search_results_model import SearchResultsModel
from ui.qt import (
    QApplication,
    QEvent,
    QKeyEvent,
    QObject,
    QScrollArea,
    Qt,
    QTimer,
    QWidget,
    Signal,
)

NOTE_TEXT = "likes the blue one"
SALE_TEXT = "199.00"


def emit(event: str, **data: Any) -> None:
    sys.stdout.write(json.dumps({"event": event, **data}, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class Reference(QWidget):
    """An empty window: a Return repaints it (key → paint latency without the app)."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("reference")
        self.resize(200, 120)
        self.pending = False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            emit("key", t=time.monotonic())
            self.pending = True
            self.update()

    def paintEvent(self, event: Any) -> None:
        if self.pending:
            self.pending = False
            emit("ref_painted", t=time.monotonic())


class KeyProbe(QObject):
    """Every key press as the X server delivered it (installed on the application after the
    wedge, so it sees each press before the wedge holds it back): its X time stamp and name.
    Counted once, at the window (a key event also passes the application's filters on its way
    up the widgets); Shift and the other modifiers are left out, as xdotool adds them."""

    MODIFIERS = frozenset({Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta})

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[list[Any]] = []

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and event.spontaneous()
            and obj.isWindowType()
            and isinstance(event, QKeyEvent)
            and Qt.Key(event.key()) not in self.MODIFIERS
        ):
            self.keys.append([int(event.timestamp()), event.text() or Qt.Key(event.key()).name])
        return False


class Commands(QObject):
    """Lines of stdin, read on a thread, delivered on the GUI thread."""

    line = Signal(str)
    done = Signal()

    def read(self) -> None:
        for text in sys.stdin:
            if text.strip():
                self.line.emit(text)
        self.done.emit()


class PaintWatch(QObject):
    """The customer page's ``painted`` after each open: scan → customer painted."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.armed = False
        window.screens.scan.opened.connect(self.on_opened)
        window.screens.customer_view.painted.connect(self.on_painted)

    def on_opened(self, opened: Any) -> None:
        emit("opened", member_id=opened.member_id, t=time.monotonic())
        self.armed = True

    def on_painted(self) -> None:
        if self.armed:
            self.armed = False
            emit("painted", t=time.monotonic(), member_id=self.window.screens.customer.member_id)


def main() -> int:
    home, now = Path(sys.argv[1]), int(sys.argv[2])
    terminal = Terminal(home, clock=lambda: float(now))
    session = build_window(terminal, lang="en", layout="desktop", staff_id="A01")
    app, w, wedge = session.app, session.window, session.wedge
    wedge.scanned.connect(lambda text: emit("scanned", text=text, t=time.monotonic()))
    watch = PaintWatch(w)
    w.screens.customer.recorded.connect(
        lambda rec: emit("recorded", kind=rec.kind, payload=rec.payload, t=time.monotonic())
    )
    reference = Reference()
    probe = KeyProbe()
    app.installEventFilter(probe)  # after the wedge: asked first
    w.resize(1280, 780)
    w.move(0, 0)
    w.show()
    reference.move(1300, 0)

    def widget_for(target: str) -> QWidget:
        if target == "note":
            return w.screens.customer_view.composer.note.text
        if target == "sale":
            return w.screens.customer_view.composer.sale.amount
        if target == "quick":
            return w.top_bar.quick_field
        if target == "reference":
            return reference
        return w.screens.scan_view.field

    def focus(target: str) -> None:
        if target in ("note", "sale"):
            if w.nav.page != "customer":
                emit("error", text="open a customer first")
                return
            composer = w.screens.customer_view.composer
            composer.open_form(target)
            if target == "note":
                note = composer.note.text
                note.setPlainText(NOTE_TEXT)
                cursor = note.textCursor()
                cursor.movePosition(type(cursor).MoveOperation.End)
                note.setTextCursor(cursor)
            else:
                composer.sale.amount.setText(SALE_TEXT)
        elif target == "search":
            if w.nav.page != "scan":
                w.nav.next_customer()
            w.screens.scan_view.field.clear()
        top = reference if target == "reference" else w
        if target == "reference":
            reference.show()
        top.raise_()
        top.activateWindow()
        field = widget_for(target)
        field.setFocus(Qt.FocusReason.OtherFocusReason)

        def report(tries: int = 0) -> None:
            ok = field.hasFocus() and top.isActiveWindow()
            if ok or tries > 200:
                emit("focused", target=target, ok=ok, wid=int(top.winId()))
            else:
                top.activateWindow()
                field.setFocus(Qt.FocusReason.OtherFocusReason)
                QTimer.singleShot(10, lambda: report(tries + 1))

        report()

    def twin(phone: str) -> None:
        from demoworld.home import add_phone_twin

        emit("twin", member_id=add_phone_twin(terminal.cache, phone))

    def state() -> None:
        focused = QApplication.focusWidget()
        chooser = w.screens.scan.chooser
        composer = w.screens.customer_view.composer if w.screens.is_built("customer") else None
        emit(
            "state",
            page=w.nav.page,
            member_id=w.screens.customer.member_id if w.screens.is_built("customer") else None,
            note=composer.note.text.toPlainText() if composer is not None else None,
            sale=composer.sale.amount.text() if composer is not None else None,
            sale_lines=[v.sku for v in composer.sale.values()] if composer is not None else None,
            search=w.screens.scan_view.field.text(),
            results=[
                w.screens.search_model.index(i, 0).data(SearchResultsModel.MemberId)
                for i in range(w.screens.search_model.rowCount())
            ]
            if w.screens.scan_view.results.isVisible()
            else None,
            quick=w.top_bar.quick_field.text(),
            focus=focused.objectName() if focused is not None else None,
            holding=wedge.holding,
            chooser=bool(chooser is not None and chooser.isVisible()),
            popup=type(popup).__name__ if (popup := QApplication.activePopupWidget()) else None,
        )

    def centre(widget: QWidget, rect: Any = None) -> list[int]:
        point = (rect if rect is not None else widget.rect()).center()
        glob = widget.mapToGlobal(point)
        return [glob.x(), glob.y()]

    def bring_into_view(widget: QWidget) -> None:
        parent = widget.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None:
            parent.ensureWidgetVisible(widget, 0, 8)
            app.processEvents()

    def where(target: str) -> None:
        view = w.screens.customer_view
        composer = view.composer
        found: dict[str, Any] = {
            "form": composer.form,
            "save": centre(composer.save),
            "save_enabled": composer.save.isEnabled(),
        }
        if target == "coupons":
            lst = view.coupons.list
            bring_into_view(view.coupons)  # its column may be scrolled, as the associate would
            model = lst.model()
            rows = []
            for row in range(model.rowCount()):
                index = model.index(row, 0)
                lst.scrollTo(index)
                coupon = w.screens.customer_models.coupons.row_at(row)
                rows.append(
                    {
                        "id": coupon.id,
                        "title": coupon.title.en,
                        "redeemable": w.screens.customer_models.coupons.redeemable(coupon),
                        "at": centre(lst.viewport(), lst.visualRect(index)),
                    }
                )
            current = lst.currentIndex()
            found.update(
                rows=rows,
                current=current.row() if current.isValid() else -1,
                shown=composer.redeem.title.text(),
            )
        if target == "sale":
            sale = composer.sale
            lst = sale.picker.list
            model = lst.model()
            if model.rowCount():  # scrolled into view, as the associate would
                view.scroll_to_composer()
                composer.body.ensureWidgetVisible(lst, 0, 0)
                app.processEvents()
            picks = [
                {
                    "sku": model.row_at(r).sku,
                    "at": centre(lst.viewport(), lst.visualRect(model.index(r, 0))),
                }
                for r in range(model.rowCount())
            ]
            found.update(
                lines=[[v.sku, v.qty, v.price_cents] for v in sale.values()],
                amount=sale.amount.text(),
                search=sale.picker.search.text(),
                search_at=centre(sale.picker.search),
                picks=picks,
                save_visible=not composer.save.visibleRegion().isEmpty(),
                discount=sale.discount.text() if sale.discount.isVisibleTo(sale) else "",
                # the first pick is clickable (nothing, e.g. a toast, over it)
                clickable=bool(picks) and QApplication.widgetAt(*picks[0]["at"]) is lst.viewport(),
            )
        emit("where", **found)

    def on_command(line: str) -> None:
        command = json.loads(line)
        name = command["cmd"]
        if name == "open":
            if w.nav.page != "scan":
                w.nav.next_customer()
            emit("submitted", t=time.monotonic())
            w.screens.scan.submit_text(command["text"], "typed")
        elif name == "focus":
            focus(command["target"])
        elif name == "state":
            state()
        elif name == "where":
            where(command["target"])
        elif name == "twin":
            twin(command["phone"])
        elif name == "keys":
            emit("keys", keys=probe.keys, gap_ms=round(wedge.gap * 1000))
            probe.keys = []
        elif name == "quit":
            app.quit()

    commands = Commands()
    commands.line.connect(on_command)  # queued: read on a thread, handled on the GUI thread
    commands.done.connect(app.quit)
    reader = threading.Thread(target=commands.read, name="stdin", daemon=True)
    reader.start()

    class FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if obj is w and event.type() == QEvent.Type.Paint:
                w.removeEventFilter(self)
                QTimer.singleShot(0, lambda: emit("ready", wid=int(w.winId())))
            return False

    first = FirstPaint()
    w.installEventFilter(first)
    code = app.exec()
    _ = (watch, commands, first, probe)
    session.runners.wait()
    session.close()
    terminal.close()
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
