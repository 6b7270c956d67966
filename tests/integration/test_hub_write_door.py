"""The write door: fixed at ``max_pending_writes`` by default, or — ``HubConfig.write_wait_s``,
``CLERK_HUB_WRITE_WAIT_S``, a knob (docs/decisions.md) — sized by the writer's pace:
the batches inside may be what the writer gets through in ``write_wait_s`` at its smoothed rate
of answers, at least ``max_pending_writes``, at most ``max_pending_writes_cap`` — a burst behind
a short stall of a writer that keeps pace waits it out, while an overload (or a long stall) is
still shed at the door, fast."""

from __future__ import annotations

import itertools
import random
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
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
    )


def test_the_default_door_is_fixed_at_12() -> None:
    clock = Clock()
    load = _load(HubConfig(), clock)
    assert HubConfig().write_wait_s is None
    assert load.write_door() == 12
    _paced(load, clock, 400.0, 30.0)  # however fast the writer: 12
    assert load.write_door() == 12


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
    for _ in range(25):  # 0.3 s of arrivals, none answered
        clock.now += 1.0 / 85.0
        if load.full(write=True):
            shed += 1
        else:
            load.write_in()
    assert shed == 0 and load.writes == 25
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


# The fixed door opened through a writer's stall (HubConfig.write_stall_s).
STALL_DOOR = HubConfig(write_stall_s=1.0)


def _stall_load(cfg: HubConfig, clock: Clock) -> Load:
    return Load(
        cfg.max_inflight,
        cfg.max_threads,
        cfg.max_pending_writes,
        cfg.write_wait_s,
        cfg.max_pending_writes_cap,
        clock=clock,
        write_stall_s=cfg.write_stall_s,
    )


def _arrivals(load: Load, clock: Clock, rate: float, n: int) -> int:
    """``n`` batches arriving at ``rate`` a second, none answered: how many were shed."""
    shed = 0
    for _ in range(n):
        clock.now += 1.0 / rate
        if load.full(write=True):
            shed += 1
        else:
            load.write_in()
    return shed


def test_the_fixed_door_opens_through_a_short_stall_of_the_writer() -> None:
    """85 batches a second a process, then the writer's COMMIT stalls 0.3 s on a busy disk
    while they keep coming (25 inside): the door of 12 shed the 13th; opened through the
    stall it sheds none, nor while the writer drains them, and is 12 again after."""
    clock = Clock()
    for cfg, shed_wanted in ((HubConfig(), 13), (STALL_DOOR, 0)):
        load = _stall_load(cfg, clock)
        _paced(load, clock, 85.0, 20.0)
        assert load.write_door() == 12  # a writer keeping pace: the fixed door
        shed = _arrivals(load, clock, 85.0, 25)  # 0.3 s of arrivals, none answered
        assert shed == shed_wanted
        if cfg is STALL_DOOR:
            for _ in range(load.writes):  # the stall over: its group answered at once …
                load.write_out()
            assert _arrivals(load, clock, 85.0, 5) == 0  # … and what comes meanwhile let in
            for _ in range(load.writes):
                load.write_out()
            clock.now += 1.0  # past write_stall_s since the stall began
            _paced(load, clock, 85.0, 1.0)
            assert load.write_door() == 12


def test_an_overloaded_writer_that_keeps_answering_keeps_the_door_at_12() -> None:
    """Twice what the writer serves, answered every 10 ms: no stall, the door stays 12 and the
    rest is shed — an overload is not waited out."""
    clock = Clock()
    load = _stall_load(STALL_DOOR, clock)
    shed = 0
    for k in range(400):  # 2 s: 200 arrivals a second, the writer answering 100
        clock.now += 0.005
        if load.full(write=True):
            shed += 1
        else:
            load.write_in()
        if k % 2 and load.writes:
            load.write_out()
        assert load.write_door() == 12
    assert shed > 100


def test_a_stall_longer_than_write_stall_s_is_shed() -> None:
    clock = Clock()
    load = _stall_load(STALL_DOOR, clock)
    _paced(load, clock, 85.0, 5.0)
    assert _arrivals(load, clock, 85.0, 40) == 0  # 0.47 s of stall: let in (cap 48)
    clock.now += 0.6  # the writer silent for over a second now
    assert load.write_door() == 12
    assert load.full(write=True)


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
        go = threading.Barrier(20)

        def push(i: int) -> int:
            go.wait(5)
            body = {"interactions": [make_interaction("visit", device_seq=next_seq())]}
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


def test_pushes_past_the_door_are_shed_at_once_behind_a_stalled_writer(
    tmp_path: Path, _sqlite_template: Path
) -> None:
    """Answered 503 by the door while the batch inside still waits for the writer — not after
    it (no clock in the assertion: the stall outlasts any scheduling delay)."""
    db = _hub_db(tmp_path, _sqlite_template)
    no_door = HubConfig(max_pending_writes=1, max_pending_writes_cap=1)
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


def _terminals_through_a_stall(db: str, cfg: HubConfig, name: str) -> list[tuple[float, int]]:
    """Eight terminals pushing one batch every 0.1–0.3 s each (spread) against a hub on
    ``cfg``; after a second the writer stalls 0.6 s. The (when, status) of each push answered
    from the stall on, ``when`` from the stall's start."""
    got: list[tuple[float, int]] = []
    with app_hub(db, cfg, name) as (hub, _load):
        token = str(hub.enrol("S001")["token"])
        seq = itertools.count(1)
        held = threading.Event()
        stop = threading.Event()
        stalled_at = [0.0]
        jitter = random.Random(8)

        def terminal(i: int) -> None:
            with hub.client(token) as c:
                stop.wait(0.025 * i)
                while not stop.is_set():
                    body = {"interactions": [make_interaction("visit", device_seq=next(seq))]}
                    status = c.post("/v1/interactions", json=body).status_code
                    if held.is_set():
                        got.append((time.monotonic() - stalled_at[0], status))
                    stop.wait(jitter.uniform(0.1, 0.3))  # (not all at once after the stall)

        with ThreadPoolExecutor(8) as pool:
            running = [pool.submit(terminal, i) for i in range(8)]
            time.sleep(1.0)  # the writer's pace first
            stalled_at[0] = time.monotonic()
            stall = threading.Thread(target=_stalled_writer, args=(db, 0.6, held))
            stall.start()
            stall.join()
            time.sleep(0.5)
            stop.set()
            for r in running:
                r.result()
    return got


def test_pushes_behind_a_writer_stalled_on_the_disk_are_let_in_with_the_stall_door(
    tmp_path: Path, _sqlite_template: Path
) -> None:
    """All eight terminals end up inside behind the stall (another connection holds SQLite's
    write lock, as a COMMIT's flush on a busy disk would). A fixed door of 6 shed the 7th and
    8th; opened through the stall, none."""
    seen: dict[str, list[tuple[float, int]]] = {}
    for name, cfg in (
        ("fixed", HubConfig(max_pending_writes=6)),
        ("stall", HubConfig(max_pending_writes=6, write_stall_s=1.0)),
    ):
        (tmp_path / name).mkdir()
        seen[name] = _terminals_through_a_stall(
            _hub_db(tmp_path / name, _sqlite_template), cfg, f"stall-door-{name}"
        )
    assert 503 in {status for _, status in seen["fixed"]}, seen  # the test can tell
    shed = [(round(at, 3), status) for at, status in seen["stall"] if status != 200]
    assert seen["stall"] and not shed, shed
