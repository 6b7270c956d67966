"""Sync reports, the status bar and the health banner.

The sync engine here is a small stand-in with the real engine's effect on the files: it
settles outbox rows with ``clerk.outbox.apply_results`` (as the hub's answers would) and
notes the pull in cache.db's sync_state. The UI's SyncWorker and Scheduler are the real ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk.db import Transaction
from ui.models.rows_model import Roles
from ui.qt import Qt
from ui.workers import SyncWorker

HERO = "M00000001"
NOW = 1_763_900_000


class SettlingEngine:
    """Accepts every pending interaction; a redeem is answered ``conflict``."""

    def __init__(self, home: Path) -> None:
        self.outbox = outbox_mod.open_outbox(home / "outbox.db")
        self.cache = cache_mod.open_cache(home / "cache.db")
        self.rounds = 0

    def sync_once(self) -> dict[str, int]:
        self.rounds += 1
        batch = outbox_mod.next_batch(self.outbox)
        outbox_mod.mark_sent(self.outbox, [r.id for r in batch], now=NOW)
        results = [
            {"id": r.id, "status": "conflict", "reason": "already redeemed in another store"}
            if r.kind == "redeem"
            else {"id": r.id, "status": "accepted"}
            for r in batch
        ]
        counts = outbox_mod.apply_results(self.outbox, results, now=NOW)
        with Transaction(self.cache):
            cache_mod.set_state(self.cache, "last_pull_at", str(NOW))
            cache_mod.set_state(self.cache, "online", "1")
        return counts

    def close(self) -> None:
        self.outbox.close()
        self.cache.close()


@pytest.fixture
def engine(home: Any) -> Any:
    e = SettlingEngine(home.home)
    yield e
    e.close()


def test_records_turn_synced_or_conflict_after_a_sync(
    qtbot: Any, session: Any, home: Any, engine: Any, open_customer: Any
) -> None:
    w = session.window
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(w.screens.customer_view.composer.save, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.runners.terminal.pending == 0, timeout=5_000)
    visits = w.screens.customer_models.visits
    qtbot.waitUntil(lambda: visits.index(0, 0).data(visits.Kind) == "redeem", timeout=5_000)

    worker = SyncWorker(engine, interval=3600)
    session.window.attach_sync(worker)
    with qtbot.waitSignal(worker.synced, timeout=10_000):
        worker.start()
    try:

        def states() -> dict[str, str]:
            return {
                visits.index(i, 0).data(visits.Kind): visits.index(i, 0).data(Roles.Chip)
                for i in range(visits.rowCount())
                if visits.index(i, 0).data(visits.SyncState)
            }

        qtbot.waitUntil(
            lambda: states() == {"redeem": "Conflict", "visit": "Synced"}, timeout=5_000
        )
        qtbot.waitUntil(
            lambda: any("conflict" in t.text.text() for t in w.toasts.toasts()), timeout=5_000
        )
        qtbot.waitUntil(
            lambda: w.status_bar.pending.text.text() == "1 needs a manager",
            timeout=5_000,
        )
        assert w.status_bar.last_sync.text.text() == "Last sync 20:13"
    finally:
        worker.stop()
    assert engine.rounds >= 1


def test_status_bar_shows_network_pending_and_associate(
    qtbot: Any, session: Any, home: Any, open_customer: Any
) -> None:
    w = session.window
    open_customer(home.code(HERO))
    qtbot.waitUntil(lambda: w.status_bar.pending.text.text() == "1 waiting to sync", timeout=5_000)
    assert w.status_bar.network.text.text() == "Online"
    assert w.status_bar.associate.text.text() == "Associate: 王芳 (A01)"
    assert not w.banner.isVisible()


def _set_state(home: Any, **values: str) -> None:
    conn = cache_mod.open_cache(home.home / "cache.db")
    try:
        with Transaction(conn):
            for key, value in values.items():
                cache_mod.set_state(conn, key, value)
    finally:
        conn.close()


@pytest.fixture
def stale_home(home: Any) -> Any:
    _set_state(home, last_pull_at=str(NOW - 3 * 86_400), online="0", clock_offset_s="-900")
    return home


def test_banner_when_the_cache_is_stale_and_the_clock_is_off(
    qtbot: Any, stale_home: Any, session: Any
) -> None:
    w = session.window
    w.status.refresh()
    qtbot.waitUntil(lambda: w.banner.isVisible(), timeout=5_000)
    text = w.banner.text.text()
    assert "more than a day old" in text
    assert "clock is off by about 15 minutes" in text
    assert w.status_bar.network.text.text() == "Offline"


@pytest.fixture
def cloned_home(home: Any) -> Any:
    """A terminal whose records the hub saw twice under the same device sequence numbers."""
    ob = outbox_mod.open_outbox(home.home / "outbox.db")
    try:
        rec = outbox_mod.record(ob, "note", member_id=HERO, payload={"text": "x"}, now=NOW)
        outbox_mod.apply_results(
            ob,
            [{"id": rec.id, "status": "duplicate", "reason": outbox_mod.CLONE_REASON}],
            now=NOW,
        )
    finally:
        ob.close()
    return home


def test_banner_when_the_terminal_looks_like_a_copy(
    qtbot: Any, cloned_home: Any, session: Any
) -> None:
    w = session.window
    w.status.refresh()
    qtbot.waitUntil(lambda: w.banner.isVisible(), timeout=5_000)
    assert "looks like a copy" in w.banner.text.text()


@pytest.fixture
def revoked_home(home: Any) -> Any:
    """A terminal the hub answered ``device_revoked`` (HQ removed it from the store)."""
    ob = outbox_mod.open_outbox(home.home / "outbox.db")
    try:
        outbox_mod.set_meta(ob, {outbox_mod.META_DEVICE_REVOKED_AT: str(NOW)})
    finally:
        ob.close()
    return home


def test_banner_when_the_terminal_was_removed_from_the_store(
    qtbot: Any, revoked_home: Any, session: Any
) -> None:
    w = session.window
    w.status.refresh()
    qtbot.waitUntil(lambda: w.banner.isVisible(), timeout=5_000)
    assert "This terminal was removed from the store — ask IT" in w.banner.text.text()
    w.set_language("zh_CN")
    qtbot.waitUntil(lambda: "本终端已被移出门店" in w.banner.text.text(), timeout=5_000)
    assert "请联系 IT" in w.banner.text.text()
    w.set_language("en")


def test_parked_records_count_as_needing_a_manager(
    qtbot: Any, session: Any, home: Any, open_customer: Any, terminal: Any
) -> None:
    """A record the hub keeps failing on is parked (clerk/outbox.py): the status bar says it
    needs a manager, like a rejected one."""
    from clerk import outbox as outbox_mod

    w = session.window
    open_customer(home.code(HERO))
    qtbot.waitUntil(lambda: w.status_bar.pending.text.text() == "1 waiting to sync", timeout=5_000)
    visit = terminal.outbox.execute("SELECT id FROM interactions WHERE kind = 'visit'").fetchone()
    outbox_mod.park(terminal.outbox, visit[0], "error: the hub failed", now=NOW)
    w.status.refresh()
    qtbot.waitUntil(
        lambda: w.status_bar.pending.text.text() == "1 needs a manager",
        timeout=5_000,
    )
