"""What "the window fits" means, checked the same way offscreen (tests/ui/test_window_fit.py)
and on a real X server (tests/x11/test_x11_window_fit.py, through tests/x11/fit_app.py).

* :func:`overflow` — visible widgets reaching beyond the window, or beyond what holds them: the
  content of a scroll area may be taller than its viewport (the page scrolls), never wider
  (nothing scrolls sideways), and everything inside it stays inside it;
* :func:`status_bar_problems` — the status bar shown, inside the window, and every item of it
  inside the bar;
* :func:`frame_problems` — the window's frame (title bar and borders, when a window manager
  draws them) inside the available geometry of its screen.

Only Qt is imported here (PySide6 directly: this is test code, not ``ui/``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QMainWindow, QScrollArea, QWidget


def _describe(widget: QWidget) -> str:
    return f"{type(widget).__name__}#{widget.objectName() or '-'}"


def _rect(r: QRect) -> str:
    return f"{r.x()},{r.y()} {r.width()}x{r.height()}"


def _scroll_content_of(widget: QWidget) -> QScrollArea | None:
    """The scroll area whose content widget ``widget`` is, if it is one."""
    viewport = widget.parentWidget()
    area = viewport.parentWidget() if viewport is not None else None
    if isinstance(area, QScrollArea) and area.widget() is widget:
        return area
    return None


def _holder(widget: QWidget, window: QWidget) -> QWidget:
    """What must contain ``widget``: the content widget of the nearest scroll area around it,
    the viewport of the item view it sits in, else the window."""
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if _scroll_content_of(parent) is not None:
            return parent
        grand = parent.parentWidget()
        if isinstance(grand, QAbstractScrollArea) and grand.viewport() is parent:
            return parent
        parent = grand
    return window


def _widest(widget: QWidget) -> str:
    """The chain of widest minimums under ``widget``: what makes it that wide."""
    chain = []
    while True:
        kids = [
            k
            for k in widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
            if k.isVisible() and not k.isWindow()
        ]
        if not kids or len(chain) > 12:
            return " > ".join(chain)
        widget = max(kids, key=lambda k: max(k.minimumSizeHint().width(), k.minimumWidth()))
        need = max(widget.minimumSizeHint().width(), widget.minimumWidth())
        chain.append(f"{_describe(widget)}({need})")


def overflow(window: QWidget) -> list[str]:
    """Every visible widget of ``window`` that reaches outside what holds it (empty: it fits)."""
    out: list[str] = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.isWindow():
            continue
        area = _scroll_content_of(widget)
        if area is not None:
            if area.isVisible() and widget.width() > area.viewport().width():
                out.append(
                    f"{_describe(widget)} in {_describe(area)}: {widget.width()} px wide in a "
                    f"{area.viewport().width()} px viewport (it would scroll sideways): "
                    + _widest(widget)
                )
            continue  # taller than the viewport is fine: the page scrolls
        holder = _holder(widget, window)
        rect = QRect(widget.mapTo(holder, QPoint(0, 0)), widget.size())
        if not holder.rect().contains(rect):
            out.append(
                f"{_describe(widget)} at {_rect(rect)} outside {_describe(holder)} "
                f"({holder.width()}x{holder.height()})"
            )
    return out


def status_bar_problems(window: QMainWindow) -> list[str]:
    bar = window.statusBar()
    if not bar.isVisible():
        return ["the status bar is hidden"]
    out = []
    rect = QRect(bar.mapTo(window, QPoint(0, 0)), bar.size())
    if not window.rect().contains(rect):
        out.append(f"the status bar at {_rect(rect)} is outside the window")
    for item in bar.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if item.isVisible() and not bar.rect().contains(item.geometry()):
            out.append(f"{_describe(item)} at {_rect(item.geometry())} is outside the status bar")
    return out


def frame_problems(window: QWidget) -> list[str]:
    """The frame outside the available geometry of the window's screen. Above a device pixel
    ratio of 1 Qt rounds the window manager's frame (in device pixels) to logical pixels: one
    logical pixel of rounding is allowed there (the real-X test also measures the frame in
    device pixels, exactly, through the X server)."""
    screen = window.screen()
    slack = 0 if window.devicePixelRatio() == 1 else 1
    area = screen.availableGeometry().adjusted(-slack, -slack, slack, slack)
    frame = window.frameGeometry()
    if area.contains(frame):
        return []
    return [f"the window's frame {_rect(frame)} is outside the screen's {_rect(area)}"]


def report(window: QMainWindow, page: str) -> dict[str, Any]:
    """Everything the checks found on ``page`` (JSON-ready; the real-X driver prints it)."""
    return {
        "page": page,
        "size": [window.width(), window.height()],
        "frame": [
            window.frameGeometry().x(),
            window.frameGeometry().y(),
            window.frameGeometry().width(),
            window.frameGeometry().height(),
        ],
        "overflow": overflow(window),
        "status_bar": status_bar_problems(window),
        "frame_problems": frame_problems(window),
    }


FORMS = ("note", "interest", "redeem", "points_redeem", "sale", "consent", "task", "assign")


def walk(
    window: Any,
    access: Any,
    member_code: str,
    wait_until: Any,
    check: Any,
) -> None:
    """Show every page of the app in ``window`` (a ``ui.main_window.MainWindow`` behind the
    sign-in screen of ``access``) and call ``check(page_name)`` on each: sign-in, enrolment,
    scan, the customer (``member_code``) alone and with each form open, someone no member
    matches and the form linking their card to a member, settings, the manager's client book,
    follow-ups and dashboard. ``wait_until(condition)`` waits for the app (qtbot's, or an event
    loop's in the real-X driver)."""
    from clerk.staff import Session
    from sync.enrolment import Enrolment
    from ui.screens import enrol_screen

    signin = access.signin
    access.show_signin()
    wait_until(lambda: signin.view.staff_model.rowCount() > 0)
    check("signin")

    terminal = window.terminal  # the enrolment is only shown here, never run
    enrol = enrol_screen(Enrolment(terminal.home, terminal.settings), parent=window.pages)
    window.nav.show_page(enrol.view)
    check("enrolment")
    window.pages.removeWidget(enrol.view)
    enrol.shutdown(0)
    enrol.view.deleteLater()

    manager = next(m for m in signin.auth.roster() if m.role == "manager")
    access.sign_in_without_pin(Session(manager.id, manager.name, manager.role, 0))
    wait_until(lambda: window.nav.page == "scan")
    check("scan")

    screens = window.screens
    painted: list[bool] = []
    screens.customer_view.painted.connect(lambda: painted.append(True))
    screens.scan.submit_text(member_code, "typed")
    wait_until(lambda: window.nav.page == "customer" and bool(painted))
    check("customer")
    for form in FORMS:
        screens.customer.action(form)
        wait_until(lambda f=form: screens.customer_view.composer.form == f)
        check(f"customer+{form}")
        screens.customer.cancel()

    # Someone no member matches (a card no one has), and the form linking it to a member.
    from clerk.identify import luhn_check_digit

    card = "620000000000123" + luhn_check_digit("620000000000123")
    screens.scan.submit_text(card, "typed")
    wait_until(lambda: screens.customer_view.unknown.link_button.isVisible())
    check("customer+unknown")
    screens.customer_view.unknown.link_button.click()
    wait_until(lambda: screens.customer_view.link.isVisible())
    check("customer+link")
    screens.customer_view.link.close_button.click()

    window.nav.show_settings()
    wait_until(lambda: window.nav.page == "settings")
    check("settings")

    window.nav.show_client_book()
    wait_until(lambda: window.nav.page == "clientbook" and screens.client_book.runner.pending == 0)
    check("clientbook")

    window.nav.show_follow_ups()
    wait_until(lambda: window.nav.page == "followups" and screens.follow_ups.runner.pending == 0)
    check("followups")

    window.nav.show_dashboard()
    wait_until(
        lambda: (
            screens.dashboard is not None
            and screens.dashboard.data is not None
            and screens.dashboard.runner.pending == 0
        )
    )
    check("dashboard")
