"""Fixtures of the UI tests (pytest-qt, offscreen).

* every test fails on a Qt warning (a message handler installed around each test);
* ``home`` — a private copy of a terminal data directory built once from the demo world
  through the real ``clerk.cache.apply_changes`` path (``demoworld.home.build_home``), with a
  signing key so tests can issue member codes;
* ``terminal`` — a ``clerk.terminal.Terminal`` on it with a fixed clock;
* ``session`` — the app's window on that terminal (English, desktop, shown, 1366×860).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# QtMultimedia reports missing optional system libraries (VA-API, PipeWire) at load time.
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")
os.environ.setdefault("TZ", "Asia/Shanghai")

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demoworld.home import DemoHome, build_home
from ui.qt import QtMsgType, qInstallMessageHandler

# Sunday 2025-11-23 12:13:20 UTC (20:13 in the demo stores, UTC+8).
NOW = 1_763_900_000
HERO = "M00000001"

if hasattr(time, "tzset"):
    time.tzset()


# What the offscreen test platform itself says about features it lacks (not our code).
OFFSCREEN_NOISE = {
    "This plugin does not support propagateSizeHints()",
    "This plugin does not support raise()",  # a popup menu shown, the doorbell raising
    "This plugin does not support grabbing the keyboard",
}


@pytest.fixture(autouse=True)
def fail_on_qt_warnings() -> Iterator[list[str]]:
    """Any qWarning/qCritical during the test fails it."""
    seen: list[str] = []
    previous: Any = None

    def handler(msg_type: QtMsgType, context: Any, message: str) -> None:
        if message in OFFSCREEN_NOISE:
            pass
        elif msg_type in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            category = getattr(context, "category", "") or ""
            seen.append(f"{category}: {message}")
        if previous is not None:
            previous(msg_type, context, message)

    previous = qInstallMessageHandler(handler)
    try:
        yield seen
    finally:
        qInstallMessageHandler(previous)
    if seen:
        pytest.fail("Qt warnings:\n" + "\n".join(seen), pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def gui_thread_gc(qapp: Any) -> Iterator[None]:
    """As in the app: garbage cycles are collected on the GUI thread only."""
    from ui.workers import GuiThreadGc

    guard = qapp.findChild(GuiThreadGc) or GuiThreadGc(parent=qapp)
    yield
    guard.check()


@pytest.fixture(scope="session")
def home_template(tmp_path_factory: pytest.TempPathFactory) -> DemoHome:
    directory = tmp_path_factory.mktemp("ui-home-template") / "home"
    return build_home(directory, members=40, seed=42, now=NOW, products=400)


@pytest.fixture
def home(home_template: DemoHome, tmp_path: Path) -> DemoHome:
    target = tmp_path / "home"
    shutil.copytree(home_template.home, target)
    return DemoHome(
        home=target,
        now=home_template.now,
        private_key_hex=home_template.private_key_hex,
        code_ids=home_template.code_ids,
        cards=home_template.cards,
        phones=home_template.phones,
        hero=home_template.hero,
    )


@pytest.fixture
def terminal(home: DemoHome) -> Iterator[Any]:
    from clerk.terminal import Terminal

    t = Terminal(home.home, clock=lambda: NOW)
    try:
        yield t
    finally:
        t.close()


@pytest.fixture
def translations(qapp: Any) -> Iterator[Any]:
    """The app's language set to English (and back to English, its catalogues taken out,
    after the test: the next test starts without them)."""
    from ui.i18n import Translations

    t = Translations()
    t.set_language("en")
    try:
        yield t
    finally:
        t.set_language("en")
        t.uninstall()


@pytest.fixture
def session(qtbot: Any, terminal: Any) -> Iterator[Any]:
    from ui.app import build_window

    s = build_window(terminal, lang="en", layout="desktop", staff_id="A01")
    qtbot.addWidget(s.window)
    s.window.resize(1366, 860)
    s.window.show()
    qtbot.waitExposed(s.window)
    try:
        yield s
    finally:
        s.runners.wait()
        s.translations.set_language("en")
        s.close()  # its catalogues go with it


@pytest.fixture
def open_customer(qtbot: Any, session: Any) -> Any:
    """``open_customer(text)``: type it in the scan field, press Enter, wait for the customer
    page to be fully painted."""
    from ui.qt import Qt

    def run(text: str) -> None:
        w = session.window
        if w.nav.page != "scan":
            w.nav.next_customer()
        w.screens.scan_view.field.setText(text)
        with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
            qtbot.keyClick(w.screens.scan_view.field, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: w.nav.page == "customer", timeout=5_000)

    return run


@pytest.fixture
def outbox_rows(home: DemoHome) -> Any:
    """``outbox_rows()``: the interactions in the terminal's outbox.db, oldest first."""
    import json

    from clerk.db import connect

    def run() -> list[dict[str, Any]]:
        conn = connect(home.home / "outbox.db", synchronous="NORMAL", readonly=True)
        try:
            rows = conn.execute("SELECT * FROM interactions ORDER BY device_seq").fetchall()
            return [
                {**{k: r[k] for k in r.keys()}, "payload": json.loads(r["payload"])}  # noqa: SIM118
                for r in rows
            ]
        finally:
            conn.close()

    return run


@pytest.fixture
def wait_idle(qtbot: Any, session: Any) -> Any:
    """``wait_idle()``: until no terminal or decode task is in flight."""

    def run() -> None:
        qtbot.waitUntil(
            lambda: session.runners.terminal.pending == 0 and session.runners.decode.pending == 0,
            timeout=10_000,
        )

    return run
