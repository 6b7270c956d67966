"""One truth about sync: the header, banner, status bar, toasts and row chips agree.

A scripted offline → record → online → sync sequence through the real window, the real
SyncWorker and Scheduler. The engine is a stand-in with the real engine's effect on the files:
offline it fails with a TransportError (and notes "offline" in cache.db as the engine does),
online it settles every pending row with ``clerk.outbox.apply_results``; its ``probe`` is the
cheap reachability check (the hub's /healthz) the scheduler runs while offline.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk.db import Transaction
from sync.backoff import Backoff
from sync.errors import TransportError
from ui.models.rows_model import Roles
from ui.qt import Qt
from ui.workers import SyncWorker

HERO = "M00000001"
NOW = 1_763_900_000


class SwitchedEngine:
    """``up``: the hub answers; otherwise every request fails as a cut network does."""

    def __init__(self, home: Path, *, why: int = errno.ECONNREFUSED) -> None:
        self.outbox = outbox_mod.open_outbox(home / "outbox.db")
        self.cache = cache_mod.open_cache(home / "cache.db")
        self.up = False
        self.why = why
        self.rounds = 0
        self.probes = 0

    def _fail(self) -> None:
        cause = OSError(self.why, "down")
        try:
            raise cause
        except OSError as exc:
            raise TransportError("hub not reached (ConnectError): down") from exc

    def _note(self, online: bool) -> None:
        with Transaction(self.cache):
            cache_mod.set_state(self.cache, "online", "1" if online else "0")
            if online:
                cache_mod.set_state(self.cache, "last_pull_at", str(NOW))

    def probe(self) -> None:
        self.probes += 1
        if not self.up:
            self._fail()

    def sync_once(self) -> dict[str, int]:
        self.rounds += 1
        if not self.up:
            self._note(False)
            self._fail()
        batch = outbox_mod.next_batch(self.outbox)
        outbox_mod.mark_sent(self.outbox, [r.id for r in batch], now=NOW)
        counts = outbox_mod.apply_results(
            self.outbox, [{"id": r.id, "status": "accepted"} for r in batch], now=NOW
        )
        self._note(True)
        return counts

    def close(self) -> None:
        self.outbox.close()
        self.cache.close()


@pytest.fixture
def engine(home: Any) -> Any:
    e = SwitchedEngine(home.home)
    yield e
    e.close()


def _worker(engine: Any) -> SyncWorker:
    worker = SyncWorker(engine, interval=3600)
    # Probes while offline at a test's pace (the app's: 1 s doubling to 8 s, jittered), and
    # the round after one answers too (the app's: within 2 s).
    worker.scheduler.probe_backoff = Backoff(base=0.05, cap=0.2)
    worker.scheduler.reconnect_spread_s = 0.1
    return worker


def _five(w: Any) -> dict[str, Any]:
    """What each of the five places says right now."""
    visits = w.screens.customer_models.visits
    chips = [
        visits.index(i, 0).data(Roles.Chip)
        for i in range(visits.rowCount())
        if visits.index(i, 0).data(visits.SyncState)
    ]
    return {
        "bar": w.status_bar.network.text.text(),
        "pending": w.status_bar.pending.text.text(),
        "banner": w.banner.text.text() if w.banner.isVisibleTo(w) else "",
        "header": w.screens.customer_view.header.freshness.text(),
        "toasts": [t.text.text() for t in w.toasts.toasts()],
        "chips": chips,
    }


@pytest.mark.parametrize("size", [(1280, 800), (414, 800), (1920, 1080)])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_offline_record_online_sync_all_five_agree(
    qtbot: Any,
    session: Any,
    home: Any,
    engine: Any,
    open_customer: Any,
    lang: str,
    size: tuple[int, int],
) -> None:
    from ui import texts
    from ui.qt import translate

    w = session.window
    session.translations.set_language(lang)
    w.resize(*size)
    offline, online = translate("Customer", "offline"), translate("Customer", "online")
    pending_chip = texts.term(texts.SYNC_STATES, "pending")
    synced_chip = texts.term(texts.SYNC_STATES, "acked")
    will_sync = translate("Customer", "Note saved · will sync")
    open_customer(home.code(HERO))
    worker = _worker(engine)
    w.attach_sync(worker)
    worker.start()
    try:
        # 1. Offline: every place says offline, F5 says so too (and why), never "Syncing…".
        qtbot.waitUntil(lambda: _five(w)["bar"] == translate("Status", "Offline"), timeout=5_000)
        qtbot.waitUntil(lambda: offline in _five(w)["header"], timeout=5_000)
        why = w.status.offline_text()
        assert w.status.state.why == "hub_unreachable"
        now = _five(w)
        assert now["banner"] == why
        assert online not in now["header"].replace(offline, "")
        qtbot.keyClick(w, Qt.Key.Key_F5)
        qtbot.waitUntil(lambda: why in _five(w)["toasts"], timeout=5_000)
        assert translate("MainWindow", "Syncing…") not in _five(w)["toasts"]

        # 2. A note recorded offline: pending everywhere, the toast says it will sync.
        view = w.screens.customer_view
        qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(view.composer.note.text, "Wants the blue strap")
        qtbot.waitUntil(
            lambda: view.composer.note.text.toPlainText() == "Wants the blue strap", timeout=2_000
        )
        qtbot.mouseClick(view.composer.save, Qt.MouseButton.LeftButton)
        waiting = translate("Status", "%n waiting to sync", None, 2)
        qtbot.waitUntil(lambda: _five(w)["pending"] == waiting, timeout=5_000)
        two = translate("Customer", "%n pending", None, 2)
        qtbot.waitUntil(lambda: two in _five(w)["header"], timeout=5_000)
        # The header follows the terminal's sync state at once; the timeline's chips come with
        # the customer read again on a worker after the save — a moment later (longer on a busy
        # machine). Then all five agree, still offline.
        qtbot.waitUntil(lambda: _five(w)["chips"] == [pending_chip] * 2, timeout=5_000)
        now = _five(w)
        assert will_sync in now["toasts"]
        assert now["bar"] == translate("Status", "Offline")
        assert now["banner"] == why

        # 3. The network is back: synced within seconds (a probe, not the 1-hour interval).
        engine.up = True
        qtbot.waitUntil(lambda: _five(w)["chips"] == [synced_chip] * 2, timeout=5_000)
        qtbot.waitUntil(lambda: _five(w)["bar"] == translate("Status", "Online"), timeout=5_000)
        qtbot.waitUntil(
            lambda: _five(w)["pending"] == translate("Status", "All records synced"),
            timeout=5_000,
        )
        now = _five(w)
        assert online in now["header"] and offline not in now["header"]
        assert translate("Customer", "%n pending", None, 1) not in now["header"]
        assert two not in now["header"]
        assert now["banner"] == ""
        assert will_sync not in now["toasts"]
        assert engine.probes >= 1
    finally:
        worker.stop()


def test_f5_without_a_network_says_there_is_no_network(qtbot: Any, session: Any, home: Any) -> None:
    engine = SwitchedEngine(home.home, why=errno.ENETUNREACH)
    w = session.window
    worker = _worker(engine)
    w.attach_sync(worker)
    worker.start()
    try:
        qtbot.waitUntil(lambda: w.status_bar.network.text.text() == "Offline", timeout=5_000)
        qtbot.keyClick(w, Qt.Key.Key_F5)
        qtbot.waitUntil(
            lambda: any("no network" in t.text.text() for t in w.toasts.toasts()), timeout=5_000
        )
    finally:
        worker.stop()
        engine.close()


def test_a_record_synced_before_its_toast_is_not_called_pending(
    qtbot: Any, session: Any, home: Any, engine: Any, open_customer: Any
) -> None:
    w = session.window
    engine.up = True
    worker = _worker(engine)
    w.attach_sync(worker)
    with qtbot.waitSignal(worker.synced, timeout=10_000):
        worker.start()
    try:
        open_customer(home.code(HERO))
        view = w.screens.customer_view
        qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(view.composer.note.text, "Asked about the S3")
        qtbot.waitUntil(
            lambda: view.composer.note.text.toPlainText() == "Asked about the S3", timeout=2_000
        )
        qtbot.mouseClick(view.composer.save, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: _five(w)["chips"] == ["Synced"] * 2, timeout=5_000)
        qtbot.waitUntil(lambda: _five(w)["pending"] == "All records synced", timeout=5_000)
        assert not any("pending" in t or "will sync" in t for t in _five(w)["toasts"])
    finally:
        worker.stop()
