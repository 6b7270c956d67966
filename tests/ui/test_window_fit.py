"""Windows fit the screen (issue 15, item 2).

* The first geometry (``ui.app.first_geometry``) is the layout's preferred size clamped to the
  available geometry of the screen the window opens on, its frame included; a window whose
  preferred size does not fit opens maximized, filling what the screen has to give.
* Every page — sign-in, enrolment, scan, the customer alone and with each form open,
  someone no member matches and the link-to-a-member form, settings, the manager's
  dashboard — fits the window at 1280×800, 1366×768, 1920×1080 and
  on a 720×1280 handheld (also at a phone's pixel density: 360×640 logical), and at each
  layout's minimum size: nothing reaches outside the window or sideways out of a scroll area,
  and the status bar is shown whole.
* The desktop layout has a minimum width; narrower, the window uses the handheld layout, even
  when the setting says desktop.

The real window manager's frame and the real start path on real screens of these sizes:
tests/x11/test_x11_window_fit.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.exceptions import TimeoutError as WaitTimeout
from window_fit import overflow, status_bar_problems, walk

from ui.qt import QMargins, QRect, QSize

# (screen, window manager's frame: left, top, right, bottom; a panel taking part of the screen)
SCREENS = {
    "1280x800": QRect(0, 0, 1280, 800),
    "1366x768": QRect(0, 0, 1366, 768),
    "1920x1080": QRect(0, 0, 1920, 1080),
    "720x1280": QRect(0, 0, 720, 1280),
}
FRAME = QMargins(1, 24, 1, 1)
PANEL = 32  # a task bar along the bottom


@pytest.mark.parametrize("layout", ["auto", "desktop", "handheld"])
@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("frame", [QMargins(), FRAME], ids=["no-frame", "frame"])
@pytest.mark.parametrize("panel", [0, PANEL], ids=["no-panel", "panel"])
def test_the_first_geometry_fits_the_available_screen(
    layout: str, screen: str, frame: QMargins, panel: int
) -> None:
    from ui.app import first_geometry, initial_size

    area = SCREENS[screen].adjusted(0, 0, 0, -panel)
    placed = first_geometry(QSize(*initial_size(layout)), QSize(360, 480), area, frame)
    outer = placed.rect.marginsAdded(frame)
    assert area.contains(outer), (placed, outer, area)
    preferred = QSize(*initial_size(layout))
    fits = (
        preferred.width() + frame.left() + frame.right() <= area.width()
        and preferred.height() + frame.top() + frame.bottom() <= area.height()
    )
    if fits:  # the preferred size, centred
        assert placed.rect.size() == preferred and not placed.maximized
        assert abs(outer.center().x() - area.center().x()) <= 1
    else:  # as much as the screen gives
        assert placed.maximized
        assert outer == area


def test_a_screen_smaller_than_the_minimum_still_gets_the_window_at_its_top_left() -> None:
    """Below the minimum the window cannot fit; it starts at the area's corner, whole title
    bar on the screen (where it can be grabbed)."""
    from ui.app import first_geometry

    area = QRect(0, 0, 320, 400)
    placed = first_geometry(QSize(1366, 860), QSize(360, 480), area, FRAME)
    assert placed.rect.size() == QSize(360, 480)
    assert placed.rect.marginsAdded(FRAME).topLeft() == area.topLeft()


def test_run_app_places_the_window_on_the_screen_it_opens_on(qtbot: Any, terminal: Any) -> None:
    """The offscreen screen of these tests is smaller than the desktop window's preferred
    1366×860: the window is clamped to it — as ``run_app`` and the demo place it."""
    from ui.app import build_app, show_fitted

    session = build_app(terminal, None, lang="en", layout="desktop")
    window = session.window
    qtbot.addWidget(window)
    try:
        area = window.screen().availableGeometry()
        assert area.width() < 1366 or area.height() < 860  # the offscreen platform's screen
        show_fitted(window, "desktop")
        qtbot.waitExposed(window)
        assert window.isMaximized()
        qtbot.waitUntil(lambda: area.contains(window.frameGeometry()), timeout=5_000)
    finally:
        session.runners.wait()
        session.close()


def test_the_desktop_layout_has_a_minimum_width_and_hands_over_to_handheld() -> None:
    """Never a desktop layout 414 px wide: narrower than its minimum, the handheld layout
    takes over, whatever the setting; from the minimum up the setting holds."""
    from ui.controllers.layout_controller import DESKTOP_MIN, HANDHELD_MIN, mode_for

    assert mode_for("desktop", QSize(414, 860)) == "handheld"
    assert mode_for("desktop", QSize(DESKTOP_MIN.width() - 1, 900)) == "handheld"
    assert mode_for("desktop", DESKTOP_MIN) == "desktop"
    assert mode_for("desktop", QSize(DESKTOP_MIN.width(), 2000)) == "desktop"  # the setting
    assert mode_for("auto", QSize(DESKTOP_MIN.width() - 1, 700)) == "handheld"
    assert mode_for("handheld", QSize(1920, 1080)) == "handheld"
    assert HANDHELD_MIN.width() <= 360 and HANDHELD_MIN.height() <= 600


@pytest.fixture(params=["en"])
def app(qtbot: Any, terminal: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    from ui.app import build_app

    s = build_app(terminal, None, lang=request.param, layout="auto", synchronous=False)
    qtbot.addWidget(s.window)
    s.window.show()
    qtbot.waitExposed(s.window)
    for step in s.window.deferred_steps():
        step()
    try:
        yield s
    finally:
        s.runners.wait()
        s.close()


def _walk_at(qtbot: Any, app: Any, home: Any, size: QSize, layout: str, mode: str) -> None:
    window = app.window
    window.set_layout_setting(layout)
    window.resize(size)
    qtbot.waitUntil(lambda: window.size() == size and window.layout_ctl.mode == mode, timeout=5_000)
    found: dict[str, list[str]] = {}

    def check(page: str) -> None:
        def fits() -> bool:
            return not overflow(window) and not status_bar_problems(window)

        try:  # laid out on the next turns of the event loop
            qtbot.waitUntil(fits, timeout=2_000)
        except WaitTimeout:
            found[page] = overflow(window) + status_bar_problems(window)
        assert window.size() == size, f"{page} resized the window to {window.size()}"
        assert window.layout_ctl.mode == mode, page

    walk(
        window,
        app.access,
        home.code(home.hero),
        lambda condition: qtbot.waitUntil(condition, timeout=10_000),
        check,
    )
    assert found == {}


# The client area a window gets on each screen with a window manager's title bar and a panel
# (what tests/x11 measures for real), and the handheld at a phone's pixel density.
CLIENT_SIZES = {
    "1280x800": (QSize(1280, 800 - PANEL - 24), "desktop"),
    "1366x768": (QSize(1366, 768 - PANEL - 24), "desktop"),
    "1920x1080": (QSize(1366, 860), "desktop"),  # the preferred size: it fits
    "720x1280": (QSize(720, 1280 - PANEL - 24), "handheld"),
    "720x1280@2x": (QSize(360, (1280 - PANEL - 24) // 2), "handheld"),
}


@pytest.mark.parametrize("screen", list(CLIENT_SIZES))
def test_every_page_fits_the_window_on_each_screen(
    qtbot: Any, app: Any, home: Any, screen: str
) -> None:
    size, mode = CLIENT_SIZES[screen]
    _walk_at(qtbot, app, home, size, "auto", mode)


@pytest.mark.parametrize("app", ["en", "zh_CN"], indirect=True)
@pytest.mark.parametrize("layout", ["desktop", "handheld"])
def test_every_page_fits_at_the_layouts_minimum_size(
    qtbot: Any, app: Any, home: Any, layout: str
) -> None:
    """In both languages: their words differ in length, and a row that fits in one may
    not in the other."""
    from ui.controllers.layout_controller import DESKTOP_MIN, HANDHELD_MIN

    size = DESKTOP_MIN if layout == "desktop" else HANDHELD_MIN
    assert app.window.minimumSize() == HANDHELD_MIN  # the window never gets smaller
    _walk_at(qtbot, app, home, size, layout, layout)


@pytest.mark.parametrize("app", ["en", "zh_CN"], indirect=True)
@pytest.mark.parametrize("layout", ["desktop", "handheld"])
def test_a_language_switch_reflows_what_no_longer_fits(
    qtbot: Any, app: Any, home: Any, layout: str
) -> None:
    """Rows that ran side by side in one language run one above the other when the other
    language's words no longer fit (and back)."""
    from ui.controllers.layout_controller import DESKTOP_MIN, HANDHELD_MIN

    size = DESKTOP_MIN if layout == "desktop" else HANDHELD_MIN
    _walk_at(qtbot, app, home, size, layout, layout)  # ends on the dashboard
    window = app.window
    for lang in ("zh_CN", "en", "zh_CN", "en"):
        window.set_language(lang)
        qtbot.waitUntil(lambda: not overflow(window), timeout=2_000)


def test_a_flow_row_reflows_when_a_text_grows_without_a_resize(qtbot: Any) -> None:
    """A row whose widths change (another language, a longer text) runs one above the other
    without waiting for the window to be resized — and back to a row when the text shrinks."""
    from ui.qt import QLabel
    from ui.views.widgets import FlowRow

    row = FlowRow()
    first, second = QLabel("one"), QLabel("two")
    row.add(first)
    row.add(second)
    qtbot.addWidget(row)
    row.setFixedWidth(200)
    row.show()
    qtbot.waitExposed(row)
    qtbot.waitUntil(row.is_row, timeout=2_000)
    first.setText("a text much longer than the row is wide, in any language")
    qtbot.waitUntil(lambda: not row.is_row(), timeout=2_000)
    assert row.width() == 200  # no resize did it
    first.setText("one")
    qtbot.waitUntil(row.is_row, timeout=2_000)
