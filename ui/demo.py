"""The demo's Qt half: the app driven to a view (and its screenshot), the member-code window.

``run_demo`` is what ``clerk demo`` runs once its embedded hub is up and the demo terminal is
enrolled and synced (``demoworld.app``): it opens the app on the demo terminal, drives it to the
requested view through the real input path (a member code submitted like a scan), waits until
the view is fully painted, saves a PNG and exits. The demo world itself — its data, the hub it
is seeded into, the business day behind the dashboard — is ``demoworld/``, Qt-free.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ui.qt import (
    QApplication,
    QDate,
    QEventLoop,
    QGridLayout,
    QImage,
    QLabel,
    QPixmap,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    translate,
)

if TYPE_CHECKING:
    from clerk.ports import TerminalPort

log = logging.getLogger(__name__)


# --- the demo member-code window ----------------------------------------------------------


class DemoCodesWindow(QWidget):
    """Rotating member-code QRs, as the members' phones would show them (three a row)."""

    COLUMNS = 3

    def __init__(self, codes: Callable[[], list[tuple[str, str]]], *, refresh_s: int = 60) -> None:
        super().__init__()
        self.setObjectName("demoCodes")
        self.codes = codes
        self.setWindowTitle(translate("Demo", "Demo member codes"))
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(16, 16, 16, 16)
        self.grid.setSpacing(16)
        self.cells: list[tuple[QLabel, QLabel]] = []
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_s * 1000)
        self.timer.timeout.connect(self.refresh)
        self.refresh()
        self.timer.start()

    def refresh(self) -> None:
        from clerk.shared.barcodes import member_code_qr_png

        items = self.codes()
        while len(self.cells) < len(items):
            cell = QVBoxLayout()
            image = QLabel()
            image.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption = QLabel()
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cell.addWidget(image)
            cell.addWidget(caption)
            n = len(self.cells)
            self.grid.addLayout(cell, n // self.COLUMNS, n % self.COLUMNS)
            self.cells.append((image, caption))
        for (image, caption), (member_id, text) in zip(self.cells, items, strict=False):
            png = member_code_qr_png(text, scale=4)
            pixmap = QPixmap()
            pixmap.loadFromData(png, "PNG")
            image.setPixmap(pixmap)
            image.setAccessibleName(translate("Demo", "Member code of %1").replace("%1", member_id))
            caption.setText(member_id)


# --- screenshots ---------------------------------------------------------------------------


def _show_in_corner(window: QWidget) -> None:
    """Show ``window`` in the bottom right corner of its screen's available area, no bigger
    than that area (its frame brought inside once the window manager has drawn it)."""
    from ui.app import FrameFit

    area = window.screen().availableGeometry()
    size = window.sizeHint().boundedTo(area.size())
    window.resize(size)
    window.move(area.right() - size.width() + 1, area.bottom() - size.height() + 1)
    FrameFit(window, size)  # once framed, the frame is brought inside the area
    window.show()


class _OfflineTerminal:
    """The demo terminal as a basement store sees it: the hub unreachable.

    Delegates everything to the real terminal but reports ``online = False`` (status and the
    views' freshness) and never fetches from the hub. Demo only.
    """

    def __init__(self, terminal: TerminalPort) -> None:
        self._t = terminal

    def __getattr__(self, name: str) -> Any:
        return getattr(self._t, name)

    def status(self) -> Any:
        return dataclasses.replace(self._t.status(), online=False)

    def _offline(self, view: Any) -> Any:
        if view is None:
            return None
        return dataclasses.replace(
            view, freshness=dataclasses.replace(view.freshness, online=False)
        )

    def view(self, member_id: str) -> Any:
        return self._offline(self._t.view(member_id))

    def open_customer(self, identity: Any, staff_id: str | None = None) -> Any:
        real: Any = self._t  # the concrete Terminal: its hub fetch is switched off meanwhile
        fetch, real.fetch_member = real.fetch_member, None
        try:
            opened = self._t.open_customer(identity, staff_id)
        finally:
            real.fetch_member = fetch
        return dataclasses.replace(opened, view=self._offline(opened.view))


def image_variance(image: QImage) -> float:
    """Variance of the grey levels of a sample of pixels (≈ 0 for a blank window)."""
    img = image.convertToFormat(QImage.Format.Format_Grayscale8)
    w, h = img.width(), img.height()
    if w == 0 or h == 0:
        return 0.0
    stride = img.bytesPerLine()
    data = bytes(img.constBits())
    step = max(1, (w * h) // 40_000)
    values = [data[(i // w) * stride + (i % w)] for i in range(0, w * h, step)]
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def _luhn_digit(body: str) -> str:
    """The check digit that makes ``body`` a card number (the Luhn rule)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def _wait(
    context: QWidget, condition: Callable[[], bool], then: Callable[[], None], deadline: float
) -> None:
    """Poll ``condition`` on the event loop; call ``then`` when true (or at the deadline).

    The timers belong to ``context``: they die with it, never firing into a closed window.
    """

    def tick() -> None:
        if condition() or time.monotonic() >= deadline:
            then()
        else:
            QTimer.singleShot(15, context, tick)

    QTimer.singleShot(0, context, tick)


def _demo_session(auth: Any, staff_id: str | None, *, manager: bool = False) -> Any:
    """The demo's signed-in staff member: ``staff_id`` (or the store's first manager when
    ``manager``), from the terminal's staff list; None when there is nobody to sign in."""
    from clerk.staff import Session

    roster = auth.roster()
    chosen = next((m for m in roster if manager and m.role == "manager"), None)
    if chosen is None:
        chosen = next((m for m in roster if m.id == staff_id), None)
    if chosen is not None:
        return Session(chosen.id, chosen.name, chosen.role, int(time.time()))
    if staff_id:
        return Session(staff_id, staff_id, "manager" if manager else "associate", int(time.time()))
    return None


def _seed_client_book(terminal: TerminalPort, roster: list[Any], staff_id: str) -> None:
    """The demo associate's client book and follow-ups, when they have none yet: a few of the
    store's customers assigned by the manager, two follow-ups (one overdue) — recorded as the
    app would, pending sync."""
    from clerk.shared.interactions import Assign, Task

    if terminal.client_book(staff_id, staff_id):
        return
    manager = next((m.id for m in roster if m.role == "manager"), None)
    found: list[str] = []
    for name in ("lin", "wang", "chen", "zhang"):
        found += [f.member_id for f in terminal.search(name, staff_id) if f.member_id not in found]
    now = int(terminal.clock())
    for i, member_id in enumerate(found[:6]):
        terminal.record(
            "assign", member_id=member_id, staff_id=manager, payload=Assign.of(staff_id)
        )
        if i < 2:
            title = translate("Demo", "Call when size 38 arrives") if i else ""
            title = title or translate("Demo", "Tell her the watch strap is back in blue")
            due = now - 2 * 3600 if i == 0 else now + 26 * 3600
            task = Task.of(title, due, staff_id, False)
            terminal.record("task", member_id=member_id, staff_id=staff_id, payload=task)


def run_demo(
    terminal: TerminalPort,
    engine_factory: Callable[[], Any] | None = None,
    *,
    screenshot: Path | None = None,
    exit_after: float | None = None,
    lang: str | None = None,
    layout: str | None = None,
    view: str = "customer",
    member_code: Callable[[], str] | None = None,
    member_code_text: str | None = None,
    demo_codes: Callable[[], list[tuple[str, str]]] | None = None,
    staff_id: str | None = None,
    dashboard_day: date | None = None,
) -> int:
    """Open the demo on ``view``: scan | customer | redeem | sale_form | task_form | offline | fix
    (a note the hub rejected, open in its form) | clientbook | followups | message (the
    follow-ups with a drafted outreach message open; signed in as the associate ``staff_id``),
    dashboard | settings | rejected (the sync panel with a rejected
    record selected; signed in as the store's manager), or signin (nobody signed in yet). The
    demo signs its staff member in without a PIN; the idle lock then works as in the app (the
    demo hub's staff have their demo PINs). The dashboard shows ``dashboard_day`` (the demo's
    business day, ``demoworld.day``) when given.

    With ``screenshot`` the window is rendered (offscreen when ``QT_QPA_PLATFORM=offscreen``)
    and saved as a PNG once the view is fully painted; the app then exits — 0 when the PNG
    was written, 1 when the view was not ready within ``exit_after`` seconds (default 30).
    Without it the demo runs interactively (with the member-code window) until closed or for
    ``exit_after`` seconds.
    """
    from ui import app as app_mod
    from ui.controllers.access_controller import AccessController
    from ui.screens import signin_screen

    if (
        screenshot is not None
        and "QT_QPA_PLATFORM" not in os.environ
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    layout_mode = layout or "desktop"
    if screenshot is not None and layout_mode == "handheld" and QApplication.instance() is None:
        os.environ.setdefault("QT_SCALE_FACTOR", "2")  # a phone's pixel density
    offline = view == "offline"
    term: Any = _OfflineTerminal(terminal) if offline else terminal
    app = app_mod.create_application()
    session = app_mod.build_window(term, lang=lang, layout=layout_mode)
    window = session.window
    signin = signin_screen(
        terminal,
        inputs=session.wedge,
        idle_minutes=float(terminal.settings.get("idle_lock_minutes") or 5),
        parent=window.pages,
    )
    access = AccessController(window, signin, parent=window)
    session.access = access
    staff = (
        None
        if view == "signin"
        else _demo_session(
            signin.auth, staff_id, manager=view in ("dashboard", "settings", "rejected")
        )
    )
    if staff is not None:
        access.sign_in_without_pin(staff)
    else:
        access.show_signin()
        if staff_id:  # the associate's name already chosen, as they would
            signin.roster_loaded.connect(lambda _n: signin.select(staff_id))
    if screenshot is None:  # on this screen, as the app opens
        app_mod.show_fitted(window, layout_mode)
    else:  # the documented size, whatever the (offscreen) screen
        window.resize(*app_mod.initial_size(layout_mode))
        window.show()
    window.status.start()
    codes_window: DemoCodesWindow | None = None
    if screenshot is None:
        if demo_codes is not None:
            codes_window = DemoCodesWindow(demo_codes)
            _show_in_corner(codes_window)
        if engine_factory is not None and not offline:
            interval = float(terminal.settings.get("sync_interval_s") or 30)
            QTimer.singleShot(
                0, window, lambda: app_mod.start_sync(session, engine_factory, interval)
            )

    result = {"code": 0 if screenshot is None else 1}
    limit = exit_after if exit_after is not None else (30.0 if screenshot is not None else None)
    deadline = time.monotonic() + (limit if limit is not None else 3600.0)
    text = member_code_text or (member_code() if member_code is not None else None)

    # A local event loop, not QApplication.exec(): quitting it leaves the application usable
    # (after app.quit() Qt ends every later event loop at once — fatal to a test process).
    loop = QEventLoop()
    app.lastWindowClosed.connect(loop.quit)

    def finish() -> None:
        if screenshot is not None:
            loop.quit()

    def shoot() -> None:
        if screenshot is None:
            return
        window.repaint()
        image = window.grab().toImage()
        if image.isNull() or image_variance(image) < 1.0:
            log.error("demo screenshot: the window rendered blank")
        else:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            if image.save(str(screenshot), "PNG"):  # type: ignore[call-overload]  # stub: bytes
                result["code"] = 0
        finish()

    def settle(then: Callable[[], None]) -> None:
        # Status bar filled, no task in flight, toasts gone: a clean picture.
        def ready() -> bool:
            dashboard = window.screens.dashboard
            return (
                window.status.status is not None
                and window.runners.terminal.pending == 0
                and window.runners.decode.pending == 0
                and signin.runner.pending == 0
                and signin.view.staff_model.rowCount() > 0
                and (
                    dashboard is None
                    or (
                        dashboard.runner.pending == 0
                        and dashboard.data is not None
                        and dashboard.data.summary.day == dashboard.day()
                    )
                )
            )

        def clear_toasts() -> None:
            for toast in window.toasts.toasts():
                toast.hide()
            window.toasts.hide()
            QTimer.singleShot(50, window, then)

        _wait(window, ready, clear_toasts, deadline)

    def open_customer(then: Callable[[], None]) -> None:
        if text is None:
            log.error("demo: no member code to open a customer with")
            finish()
            return
        painted = {"done": False}
        screens = window.screens
        screens.customer_view.painted.connect(lambda: painted.__setitem__("done", True))
        screens.scan.submit_text(text, "demo")
        _wait(window, lambda: window.nav.page == "customer" and painted["done"], then, deadline)

    def after_customer() -> None:
        customer = window.screens.customer
        if view == "redeem":
            customer.open_redeem()
        if view == "sale_form":  # the cart line picked from the suggestions, one more searched
            customer.action("sale")
            sale = window.screens.customer_view.composer.sale
            if sale.picker.list.model().rowCount():
                sale.picker.picked.emit(0)
        if view == "fix":  # the note the hub rejected, opened from its history row
            models = window.screens.customer_models.visits
            rows = [
                i for i in range(models.rowCount()) if models.row_at(i).sync_state == "rejected"
            ]
            if rows:
                customer.history_activated(models.index(rows[0], 0))
                composer = window.screens.customer_view.composer
                _wait(window, lambda: composer.form == "note", lambda: settle(shoot), deadline)
                return
        if view == "task_form":  # a follow-up being written
            customer.action("task")
            composer = window.screens.customer_view.composer
            composer.task.title.setText(translate("Demo", "Call when size 38 arrives"))
        if offline and customer.member_id is not None:
            from clerk.shared.interactions import Note

            customer.record(
                "note", Note.of(translate("Demo", "Asked about the watch strap in blue."))
            )
        settle(shoot)

    def start() -> None:
        if view == "dashboard":
            window.nav.show_dashboard()
            dashboard = window.screens.dashboard
            if dashboard is not None and dashboard_day is not None:
                day = dashboard_day
                dashboard.view.date.setDate(QDate(day.year, day.month, day.day))
            settle(shoot)
        elif view == "settings":
            window.nav.show_settings()
            settle(shoot)
        elif view == "rejected":  # the sync panel: a rejected record selected, its actions
            window.nav.show_dashboard()
            dashboard = window.screens.dashboard

            def pick() -> None:
                if dashboard is None:
                    return finish()
                table = dashboard.view.rejected_table
                if table.model().rowCount():
                    table.selectRow(0)
                dashboard.view.dismiss_reason.setText(
                    translate("Demo", "The customer did not want it kept")
                )
                dashboard.view.scroll_area.ensureWidgetVisible(dashboard.view.record_actions)
                settle(shoot)

            if dashboard is not None and dashboard_day is not None:
                day = dashboard_day
                dashboard.view.date.setDate(QDate(day.year, day.month, day.day))
            settle(pick)
        elif view in ("clientbook", "followups", "message") and staff is not None:
            _seed_client_book(terminal, signin.auth.roster(), staff.staff_id)
            if view == "clientbook":
                window.nav.show_client_book()
            else:
                window.nav.show_follow_ups()
            if view != "message":
                settle(shoot)
            else:
                signed_in = staff.staff_id

                def open_message() -> None:
                    # The first follow-up whose customer consented to marketing, its message open.
                    screen, page = window.screens.follow_ups, window.screens.follow_ups_view
                    rows = [page.model.row_at(i) for i in range(page.model.rowCount())]
                    pick = next(
                        (
                            i
                            for i, t in enumerate(rows)
                            if terminal.outreach(t.member_id, signed_in, task_id=t.id).consent
                        ),
                        0,
                    )
                    if rows:
                        page.list.setCurrentIndex(page.model.index(pick, 0))

                    def scrolled() -> None:
                        page.area.ensureWidgetVisible(page.message_panel)
                        shoot()

                    def show() -> None:
                        screen.message.open()
                        settle(scrolled)

                    _wait(window, lambda: screen.message.prepared is not None, show, deadline)

                settle(open_message)
        elif view in ("customer", "redeem", "sale_form", "task_form", "offline", "fix"):
            open_customer(after_customer)
        elif view == "scan" and text is not None:
            # Serve the hero once so "last customers" is not empty, then the next customer.
            def back_to_scan() -> None:
                window.nav.next_customer()
                settle(shoot)

            open_customer(back_to_scan)
        elif view in ("signup_form", "signed_up"):
            # Someone no member matches (a number typed at the counter): the sign-up form
            # filled in, or (signed_up) the new member served with their sign-up QR.
            def sign_up() -> None:
                window.nav.next_customer()
                screens = window.screens
                # a number no member has yet, even on a demo hub that signed one up before
                screens.scan.submit_text(f"139{int(time.time() * 10) % 10**8:08d}", "demo")
                view_ = screens.customer_view
                _wait(
                    window,
                    lambda: window.nav.page == "customer" and view_.unknown.isVisible(),
                    fill,
                    deadline,
                )

            def fill() -> None:
                screens = window.screens
                form = screens.customer_view.signup
                form_ok = screens.signup
                assert form_ok is not None
                form_ok.open(screens.customer.identity)

                def filled() -> None:
                    form.name.setText(translate("Demo", "Chen Yu"))
                    form.birthday.setText("1992-08-15")
                    form.marketing.setChecked(True)
                    if view == "signed_up":
                        form_ok.submit()
                        _wait(window, form.code.isVisible, lambda: settle(shoot), deadline)
                    else:
                        settle(shoot)

                _wait(window, form.save.isEnabled, filled, deadline)

            if text is not None:
                open_customer(sign_up)
            else:
                sign_up()
        elif view == "link_form":
            # A card no member has, scanned at the counter: the form linking it to the member
            # the customer proves to be (their code scanned, or their full number typed).
            def unknown_card() -> None:
                window.nav.next_customer()
                screens = window.screens
                body = f"6299{int(time.time() * 10) % 10**11:011d}"  # no member's card
                screens.scan.submit_text(body + _luhn_digit(body), "demo")
                _wait(
                    window,
                    lambda: screens.customer_view.unknown.link_button.isVisible(),
                    open_link,
                    deadline,
                )

            def open_link() -> None:
                screens = window.screens
                if screens.link is not None:
                    screens.link.open(screens.customer.identity)
                settle(shoot)

            if text is not None:
                open_customer(unknown_card)
            else:
                unknown_card()
        elif view == "search":
            # A customer without a code: a name typed in pinyin, the store's matches listed.
            def search() -> None:
                window.nav.next_customer()
                scan, scan_view = window.screens.scan, window.screens.scan_view
                scan_view.field.setText("lin")
                scan.search_now()
                _wait(
                    window,
                    lambda: scan_view.results.isVisible() and not scan.searching(),
                    lambda: settle(shoot),
                    deadline,
                )

            if text is not None:
                open_customer(search)
            else:
                search()
        else:
            settle(shoot)

    QTimer.singleShot(0, window, start)
    stopper = QTimer(window)
    stopper.setSingleShot(True)
    stopper.timeout.connect(loop.quit)
    if limit is not None:
        stopper.start(int(limit * 1000))
    try:
        loop.exec()
    finally:
        stopper.stop()
        app.lastWindowClosed.disconnect(loop.quit)
        if codes_window is not None:
            codes_window.close()
        session.close()
    return int(result["code"])
