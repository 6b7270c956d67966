"""The write door's age limit (``max_write_wait_s``, off by default — see docs/decisions.md): with
it and a deeper count a burst of pushes waits out a writer's momentary stall, and the door sheds
once the oldest batch inside has waited past the limit."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from hub_client import make_interaction

from sync.hub.app import HubConfig, Load
from sync.hub.embedded import HubHandle, running_hub


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


DEEP = HubConfig(max_pending_writes=48, max_write_wait_s=1.0)


def test_the_default_door_counts_batches_only() -> None:
    cfg = HubConfig()
    assert cfg.max_write_wait_s is None and cfg.max_pending_writes == 12


def test_a_burst_is_let_in_while_its_oldest_is_young_and_shed_once_it_is_old() -> None:
    cfg = DEEP
    clock = Clock()
    load = Load(cfg.max_inflight, cfg.max_threads, cfg.max_pending_writes, cfg.max_write_wait_s)
    load._clock = clock
    keys = [load.write_in() for _ in range(20)]  # 20 pushes behind a stalled writer
    assert load.writes == 20 and not load.full(write=True)  # a door of 12 alone shed the 13th
    assert cfg.max_write_wait_s is not None
    clock.now += cfg.max_write_wait_s + 0.01  # the oldest has waited too long
    assert load.full(write=True) and not load.full()  # reads still come in
    load.write_out(keys[0])  # the oldest answered: the next oldest is as old
    assert load.full(write=True)
    for k in keys[1:]:
        load.write_out(k)
    assert load.writes == 0 and not load.full(write=True) and load.oldest_write_s() == 0.0
    fresh = load.write_in()  # a new batch: young again
    assert not load.full(write=True)
    load.write_out(fresh)


def test_the_hard_cap_still_holds() -> None:
    load = Load(max_inflight=100, max_writes=3, max_write_wait_s=60.0)
    for _ in range(3):
        load.write_in()
    assert load.full(write=True)


def _stalled_writer(db: str, seconds: float, held: threading.Event) -> None:
    """Another connection holds SQLite's write lock for ``seconds`` (a checkpoint-like stall)."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def _push(hub: HubHandle, token: str, seq: int) -> tuple[int, float]:
    t0 = time.monotonic()
    with hub.client(token) as c:
        resp = c.post(
            "/v1/interactions", json={"interactions": [make_interaction("visit", device_seq=seq)]}
        )
    return resp.status_code, time.monotonic() - t0


def _hub_db(tmp_path: Path, template: Path) -> str:
    target = tmp_path / "hub.db"
    target.write_bytes(template.read_bytes())
    Path(f"{target}.keys").write_bytes(Path(f"{template}.keys").read_bytes())
    return str(target)


def test_twenty_pushes_behind_a_short_stall_are_all_accepted(
    tmp_path: Path, _sqlite_template: Path
) -> None:
    db = _hub_db(tmp_path, _sqlite_template)
    with running_hub(db, config=DEEP) as hub:
        token = str(hub.enrol("S001")["token"])
        clients = [hub.client(token) for _ in range(20)]
        for c in clients:  # connected before the burst: the 20 arrive together
            assert c.get("/v1/keys").status_code == 200
        go = threading.Barrier(20)

        def push(i: int) -> int:
            go.wait(5)
            body = {"interactions": [make_interaction("visit", device_seq=i + 1)]}
            return clients[i].post("/v1/interactions", json=body).status_code

        held = threading.Event()
        stall = threading.Thread(target=_stalled_writer, args=(db, 0.3, held))
        stall.start()
        held.wait(5)
        try:
            with ThreadPoolExecutor(20) as pool:
                statuses = list(pool.map(push, range(20)))
        finally:
            stall.join()
            for c in clients:
                c.close()
    assert statuses == [200] * 20


def test_pushes_are_shed_fast_once_the_oldest_inside_waited_too_long(
    tmp_path: Path, _sqlite_template: Path
) -> None:
    db = _hub_db(tmp_path, _sqlite_template)
    with running_hub(db, config=HubConfig(max_write_wait_s=0.2)) as hub:
        token = str(hub.enrol("S001")["token"])
        held = threading.Event()
        stall = threading.Thread(target=_stalled_writer, args=(db, 1.5, held))
        stall.start()
        held.wait(5)
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(_push, hub, token, 1)  # inside, behind the stall
            time.sleep(0.5)  # older than 0.2 s now
            status, took = _push(hub, token, 2)
            with httpx.Client(base_url=hub.url) as anon:
                assert anon.get("/healthz").status_code == 200
            assert status == 503 and took < 0.5, (status, took)
            assert first.result()[0] == 200  # the one inside is answered after the stall
        stall.join()
