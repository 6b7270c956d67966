"""The write door: fixed at ``max_pending_writes`` by default, or — ``HubConfig.write_wait_s``,
``CLERK_HUB_WRITE_WAIT_S``, a knob (docs/decisions.md) — sized by the writer's pace:
the batches inside may be what the writer gets through in ``write_wait_s`` at its smoothed rate
of answers, at least ``max_pending_writes``, at most ``max_pending_writes_cap`` — a burst behind
a short stall of a writer that keeps pace waits it out, while an overload (or a long stall) is
still shed at the door, fast."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from hub_client import app_hub, make_interaction

from sync.hub.app import HubConfig, Load
from sync.hub.embedded import HubHandle, running_hub

# The paced door as CLERK_HUB_WRITE_WAIT_S=0.5 makes it (the default is the fixed door).
PACED_HALF_S = HubConfig(write_wait_s=0.5)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _paced(load: Load, clock: Clock, rate: float, seconds: float) -> None:
    """``rate`` batches a second in and answered for ``seconds`` (one inside at a time)."""
    for _ in range(int(rate * seconds)):
        load.write_in()
        clock.now += 1.0 / rate
        load.write_out()


def _load(cfg: HubConfig, clock: Clock) -> Load:
    return Load(
        cfg.max_inflight,
        cfg.max_threads,
        cfg.max_pending_writes,
        cfg.write_wait_s,
        cfg.max_pending_writes_cap,
        clock=clock,
        write_burst=cfg.max_pending_writes_burst,
    )


def _standing(load: Load, clock: Clock, inside: int, seconds: float) -> None:
    """``inside`` batches inside for ``seconds``: as one is answered the next comes in (a
    standing queue — the door full at twice the saturating load)."""
    while load.writes < inside:
        load.write_in()
    for _ in range(int(seconds * 100)):
        clock.now += 0.01
        load.write_out()
        load.write_in()


def _burst(load: Load, clock: Clock, n: int) -> int:
    """``n`` batches arriving at once (within a few milliseconds): how many were shed."""
    shed = 0
    for _ in range(n):
        clock.now += 0.002
        if load.full(write=True):
            shed += 1
        else:
            load.write_in()
    return shed


def test_the_default_door_is_12_for_a_standing_queue() -> None:
    clock = Clock()
    load = _load(HubConfig(), clock)
    assert HubConfig().write_wait_s is None
    _standing(load, clock, 12, 3.0)  # however long: 12 inside, the 13th shed
    assert load.write_door() == 12 and load.full(write=True)
    _paced(load, clock, 400.0, 30.0)  # however fast the writer, once a queue stands: 12
    _standing(load, clock, 12, 3.0)
    assert load.write_door() == 12


def test_a_burst_into_a_quiet_process_is_let_in_up_to_24() -> None:
    """501 terminals on PostgreSQL, ~85 batches a second a process, each inside ~6 ms: now and
    then (Poisson) 13 or more arrive within ~50 ms — done within ~100 ms all together, yet a
    door of 12 shed the 13th (2-12 503s a run, docs/benchmarks.md, fourteenth session). A
    process whose batches inside were few on average lets a burst in, up to 24."""
    clock = Clock()
    load = _load(HubConfig(), clock)
    assert HubConfig().max_pending_writes_burst == 24
    _paced(load, clock, 85.0, 20.0)
    assert _burst(load, clock, 20) == 0 and load.writes == 20
    assert load.past_floor  # the last of them was let in past the floor: logged as a burst
    assert _burst(load, clock, 10) == 6  # 24, not more
    for _ in range(24):  # answered within ~100 ms
        clock.now += 0.004
        load.write_out()
    _paced(load, clock, 85.0, 1.0)
    assert _burst(load, clock, 20) == 0  # the next burst a second later: let in too


def test_a_queue_that_stands_closes_the_burst_door_within_a_third_of_a_second() -> None:
    clock = Clock()
    load = _load(HubConfig(), clock)
    _paced(load, clock, 85.0, 20.0)
    _standing(load, clock, 24, 0.05)  # the load rises past what the writer takes
    assert load.write_door() == 24
    _standing(load, clock, 24, 0.3)
    assert load.write_door() == 12 and load.full(write=True)
    for _ in range(24):  # the overload over: the writer empties its queue
        clock.now += 0.005
        load.write_out()
    _paced(load, clock, 85.0, 5.0)  # a few seconds of the ordinary pace: bursts let in again
    assert load.write_door() == 24


def test_a_process_just_started_lets_a_burst_in() -> None:
    """A restarted hub's fleet coming back, or a load's first seconds."""
    clock = Clock()
    load = _load(HubConfig(), clock)
    assert _burst(load, clock, 30) == 6


def test_the_burst_door_off_is_the_fixed_door() -> None:
    clock = Clock()
    load = _load(HubConfig(max_pending_writes_burst=12), clock)
    _paced(load, clock, 85.0, 20.0)
    assert _burst(load, clock, 20) == 8


def test_the_paced_door_is_sized_by_the_writers_pace() -> None:
    cfg = PACED_HALF_S
    assert cfg.write_wait_s == 0.5 and cfg.max_pending_writes == 12
    assert cfg.max_pending_writes_cap == 48
    clock = Clock()
    load = _load(cfg, clock)
    assert load.write_door() == 48  # nothing measured yet (a process just started): the cap
    clock.now += 60.0  # a minute idle (the fleet enrolling, a quiet hour): still not measured
    assert load.write_door() == 48
    _paced(load, clock, 85.0, 20.0)  # a process's steady pushes at 501 terminals
    assert 40 <= load.write_door() <= 44  # ~85 a second × 0.5 s
    clock.now += 600.0  # idle again: the measure is kept
    assert 40 <= load.write_door() <= 44
    _paced(load, clock, 400.0, 30.0)  # far more: the cap
    assert load.write_door() == 48
    fixed = _load(HubConfig(write_wait_s=None), clock)
    _paced(fixed, clock, 85.0, 20.0)
    _standing(fixed, clock, 12, 3.0)
    assert fixed.write_door() == 12  # without write_wait_s: the fixed door


def test_a_stall_of_0_3_s_under_a_steady_push_rate_sheds_nothing() -> None:
    """85 batches a second a process, then the writer stalls 0.3 s (a COMMIT's flush, the
    other process's turn) while they keep coming: 25 inside — a fixed door of 12 shed the
    13th; this one lets them all wait, and the stall barely moves its measure."""
    clock = Clock()
    load = _load(PACED_HALF_S, clock)
    _paced(load, clock, 85.0, 20.0)
    before = load.write_door()
    shed = 0
    bursts = 0
    for _ in range(25):  # 0.3 s of arrivals, none answered
        clock.now += 1.0 / 85.0
        if load.full(write=True):
            shed += 1
        else:
            bursts += load.past_floor
            load.write_in()
    assert shed == 0 and load.writes == 25
    assert bursts == 0  # let in by the paced door, not a burst's allowance
    assert load.write_door() >= 0.9 * before


def test_an_overload_or_a_long_stall_is_shed() -> None:
    clock = Clock()
    load = _load(PACED_HALF_S, clock)
    _paced(load, clock, 85.0, 20.0)
    door = load.write_door()
    for _ in range(door):  # the door full: the next batch is refused, a pull is not
        load.write_in()
    assert load.full(write=True) and not load.full()
    clock.now += 10.0  # ten seconds with nothing answered: the measure falls to the floor
    assert load.write_door() == 12
    for _ in range(door):
        load.write_out()
    assert not load.full(write=True)


def test_batches_inside_do_not_take_the_pulls_places() -> None:
    """The door for every request counts the requests other than batches: batches waiting
    for the writer (bounded by their own door) do not shed pulls."""
    load = Load(max_inflight=4, max_writes=40)
    for _ in range(10):
        load.inflight += 1
        load.write_in()
    assert not load.full() and not load.full(write=True)
    load.inflight += 4  # four pulls inside: the door for every request is full
    assert load.full() and load.full(write=True)


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


def _at_once_behind_a_stall(
    db: str, clients: list[httpx.Client], next_seq: Callable[[], int]
) -> list[int]:
    """A push from each client at once (a barrier) while another connection holds SQLite's
    write lock 0.3 s: their statuses, in order. The clients are closed."""
    go = threading.Barrier(len(clients))
    seq_lock = threading.Lock()

    def push(client: httpx.Client) -> int:
        with seq_lock:
            seq = next_seq()
        go.wait(5)
        body = {"interactions": [make_interaction("visit", device_seq=seq)]}
        return client.post("/v1/interactions", json=body).status_code

    held = threading.Event()
    stall = threading.Thread(target=_stalled_writer, args=(db, 0.3, held))
    stall.start()
    held.wait(5)
    try:
        with ThreadPoolExecutor(len(clients)) as pool:
            return list(pool.map(push, clients))
    finally:
        stall.join()
        for c in clients:
            c.close()


# A door that measures: the writer's pace × 2 s (a test's writer is slower than a hub's).
PACED = HubConfig(write_wait_s=2.0)


def test_twenty_pushes_behind_a_short_stall_of_a_writer_that_keeps_pace_are_all_accepted(
    tmp_path: Path, _sqlite_template: Path
) -> None:
    db = _hub_db(tmp_path, _sqlite_template)
    with app_hub(db, PACED, "write-door") as (hub, load):
        token = str(hub.enrol("S001")["token"])
        clients = [hub.client(token) for _ in range(20)]
        seq = [0]
        seq_lock = threading.Lock()

        def next_seq() -> int:
            with seq_lock:
                seq[0] += 1
                return seq[0]

        def steady(i: int) -> None:  # the writer's pace measured first: ~3 s of pushes
            end = time.monotonic() + 3.0
            while time.monotonic() < end:
                body = {"interactions": [make_interaction("visit", device_seq=next_seq())]}
                assert clients[i].post("/v1/interactions", json=body).status_code == 200
                time.sleep(0.03)  # under the device's request rate (HubConfig.rate_per_s)

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(steady, range(4)))
        assert load.write_door() >= 22, load.write_rate  # a fixed door of 12 shed the 13th
        statuses = _at_once_behind_a_stall(db, clients, next_seq)
    assert statuses == [200] * 20


def test_twenty_pushes_at_once_into_a_quiet_hub_behind_a_short_stall_are_all_accepted(
    tmp_path: Path, _sqlite_template: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The default door (no measuring): a quiet hub, then 20 pushes at once while its writer is
    held 0.3 s — all inside together, all answered 200 (a door of 12 shed the 13th); the access
    log marks those let in past the floor (``"door": "burst"``)."""
    db = _hub_db(tmp_path, _sqlite_template)
    caplog.set_level(logging.INFO, logger="sync.hub.access")
    with app_hub(db, HubConfig(), "write-door-burst") as (hub, load):
        token = str(hub.enrol("S001")["token"])
        seqs = iter(range(1, 21))
        statuses = _at_once_behind_a_stall(
            db, [hub.client(token) for _ in range(20)], lambda: next(seqs)
        )
        assert load.shed == 0
    assert statuses == [200] * 20
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "sync.hub.access"]
    pushes = [x for x in lines if x["path"] == "/v1/interactions"]
    assert len(pushes) == 20 and all(x["status"] == 200 for x in pushes)
    assert 1 <= sum(x.get("door") == "burst" for x in pushes) <= 8


def test_pushes_past_the_door_are_shed_at_once_behind_a_stalled_writer(
    tmp_path: Path, _sqlite_template: Path
) -> None:
    """Answered 503 by the door while the batch inside still waits for the writer — not after
    it (no clock in the assertion: the stall outlasts any scheduling delay)."""
    db = _hub_db(tmp_path, _sqlite_template)
    no_door = HubConfig(max_pending_writes=1, max_pending_writes_cap=1, max_pending_writes_burst=1)
    with running_hub(db, config=no_door) as hub:
        token = str(hub.enrol("S001")["token"])
        held = threading.Event()
        stall = threading.Thread(target=_stalled_writer, args=(db, 3.0, held))
        stall.start()
        held.wait(5)
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(_push, hub, token, 1)  # inside, behind the stall
            time.sleep(0.3)
            status, _took = _push(hub, token, 2)  # the door is 1
            assert status == 503 and not first.done()
            with httpx.Client(base_url=hub.url) as anon:
                assert anon.get("/healthz").status_code == 200
            assert first.result()[0] == 200  # the one inside is answered after the stall
        stall.join()
