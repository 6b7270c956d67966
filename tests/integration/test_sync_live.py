"""The terminal's live pull: a long-poll that applies the store's next change at once and
reports the members it touched; the listener that keeps it going."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk.errors import NotEnrolledError
from sync.client import HubClient
from sync.engine import PullResult, SyncEngine
from sync.errors import TransportError
from sync.hub.embedded import HubHandle
from sync.scheduler import LiveListener

STORE = "S001"


@pytest.fixture
def engine(hub: HubHandle, tmp_path: Path) -> Any:
    cache = cache_mod.open_cache(tmp_path / "cache.db")
    outbox = outbox_mod.open_outbox(tmp_path / "outbox.db")
    eng = SyncEngine(cache, outbox, HubClient(hub.url))
    eng.enroll(hub.url, STORE, hub.enrol_code(STORE), device_name="live")
    eng.pull_once()
    yield eng
    eng.client.close()
    cache.close()
    outbox.close()


def test_pull_live_applies_the_next_change_and_names_its_member(
    hub: HubHandle, engine: SyncEngine
) -> None:
    member = hub.store.members.ids(STORE, limit=1)[0]
    with hub.store.read() as conn:
        cart = conn.row(
            "SELECT c.id FROM cart_items c JOIN members m ON m.id = c.member_id "
            "WHERE m.home_store = ? AND m.consent_browsing = 1",
            (STORE,),
        )
    assert cart is not None
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(engine.pull_live, 20.0)
        with hub.store.write() as tx:
            tx.conn.execute("UPDATE members SET points = 4242 WHERE id = ?", (member,))
            tx.emit("member", member, "upsert", STORE)
        t0 = time.perf_counter()
        pulled = waiting.result(timeout=30)
        assert time.perf_counter() - t0 < 5
    assert pulled is not None and pulled.caught_up and pulled.members == {member}
    points = engine.cache.execute("SELECT points FROM members WHERE id = ?", (member,)).fetchone()
    assert points[0] == 4242
    # A delete carries no data: its member is read from the cache before the row goes.
    owner = engine.cache.execute(
        "SELECT member_id FROM cart_items WHERE id = ?", (cart[0],)
    ).fetchone()[0]
    with hub.store.write() as tx:
        tx.conn.execute("DELETE FROM cart_items WHERE id = ?", (cart[0],))
        tx.emit("cart", cart[0], "delete", STORE)
    pulled = engine.pull_live(20.0)
    assert pulled is not None and pulled.members == {owner} and pulled.touches(owner)
    assert not pulled.touches("M99999999")
    assert engine.pull_live(0.2) is None  # nothing new: the long-poll ends empty


def test_a_big_pull_does_not_name_members() -> None:
    assert PullResult(members=None).touches("anyone")


class _Engine:
    def __init__(self, answers: list[Any], stop: threading.Event) -> None:
        self.answers = answers
        self.stop = stop
        self.calls = 0

    def pull_live(self, wait_s: float) -> PullResult | None:
        self.calls += 1
        if not self.answers:
            self.stop.set()
            return None
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer  # type: ignore[no-any-return]


def test_the_listener_reports_backs_off_and_stops() -> None:
    stop = threading.Event()
    got = PullResult(pages=1, changes=1, caught_up=True, members=frozenset({"M1"}))
    eng = _Engine([None, TransportError("down"), got], stop)
    reports: list[PullResult] = []
    errors: list[Exception] = []
    now = [0.0]

    def clock() -> float:
        now[0] += 5.0  # every long-poll "took" 5 s: no minimum gap needed
        return now[0]

    listener = LiveListener(
        eng, on_report=reports.append, on_error=errors.append, wait_s=1, clock=clock
    )
    listener.backoff.cap = listener.backoff.base = 0.001  # no real wait in the test
    listener.run_forever(stop)
    assert reports == [got] and len(errors) == 1 and eng.calls == 4


def test_the_listener_tells_the_scheduler_and_waits_while_held() -> None:
    """A long-poll that finds no hub is told (``on_unreachable``: the scheduler goes offline),
    and no long-poll goes while the scheduler holds the lane (``hold`` > 0: offline, or the
    round after the probe's answer still ahead)."""
    stop = threading.Event()
    got = PullResult(pages=1, changes=1, caught_up=True, members=frozenset({"M1"}))
    eng = _Engine([TransportError("down"), got], stop)
    told: list[Exception] = []
    holds = [0.0, 0.001, 0.001, 0.001, 0.0]  # before each try: go, then held three times

    def hold() -> float:
        return holds.pop(0) if holds else 0.0

    listener = LiveListener(
        eng, on_report=lambda r: None, wait_s=1, hold=hold, on_unreachable=told.append
    )
    listener.backoff.cap = listener.backoff.base = 0.001
    listener.run_forever(stop)
    assert [str(e) for e in told] == ["down"] and eng.calls == 3
    assert holds == []  # the second long-poll went only once the hold was lifted


def test_the_listener_stops_when_the_terminal_is_not_enrolled() -> None:
    stop = threading.Event()
    eng = _Engine([NotEnrolledError("no")], stop)
    LiveListener(eng, on_report=lambda r: None).run_forever(stop)
    assert eng.calls == 1 and not stop.is_set()


def test_a_failure_while_the_app_shuts_the_engine_down_ends_the_listener_quietly() -> None:
    stop = threading.Event()

    class Closing:
        def pull_live(self, wait_s: float) -> PullResult | None:
            stop.set()  # the app stops the worker, then closes the engine's files under us
            raise RuntimeError("Cannot operate on a closed database.")

    reports: list[PullResult] = []
    LiveListener(Closing(), on_report=reports.append).run_forever(stop)
    assert reports == []
    with pytest.raises(RuntimeError):  # the same failure while running is a bug: raised
        LiveListener(Closing(), on_report=reports.append).run_forever(threading.Event())
