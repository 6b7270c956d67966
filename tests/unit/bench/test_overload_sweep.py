"""bench/hub_overload.py's reading of a sweep and bench/hub_load.py's loop-lag samples: the
load that saturates is the last count before accepted requests stop rising, and the hub's
event-loop lateness and garbage collections are read only inside the load's window."""

from __future__ import annotations

import asyncio
import gc
import time
from pathlib import Path

from bench.hub_load import gc_pauses, loop_lag
from bench.hub_overload import hold_of, saturation
from sync.hub.profiling import GcTimes, LoopLag


def runs(*accepted: float) -> list[dict[str, float]]:
    return [{"accepted_req_s": a} for a in accepted]


def test_saturation_is_the_count_before_accepted_stops_rising() -> None:
    assert saturation(runs(100, 200, 205, 150), 0.05) == 1  # 200 -> 205: +2.5 %
    assert saturation(runs(100, 80), 0.05) == 0  # fell at once
    assert saturation(runs(100, 200, 400), 0.05) is None  # still rising: not reached
    assert saturation(runs(100), 0.05) is None


def test_the_hold_is_the_ratio_of_the_medians_and_each_pair_is_its_own() -> None:
    one_med, two_med, hold, pairs = hold_of(runs(500, 600, 550), runs(450, 480, 0))
    assert (one_med, two_med) == (550, 450)
    assert hold == 450 / 550
    assert pairs == [450 / 500, 480 / 600, 0.0]
    assert hold_of(runs(0), runs(100)) == (0, 100, 0.0, [0.0])  # nothing accepted at 1x


def probe(path: Path, *, held_s: float = 0.0) -> list[str]:
    """A LoopLag probe over a loop that runs 40 ms, held ``held_s`` half way; its lines."""

    async def run() -> None:
        lag = LoopLag(str(path), tick_s=0.005)
        await lag.start()
        await asyncio.sleep(0.02)
        time.sleep(held_s)  # the loop held: the probe wakes that much late
        await asyncio.sleep(0.02)
        await lag.stop()

    asyncio.run(run())
    return path.read_text().splitlines()


def test_loop_lag_samples_are_written_and_read_in_the_window(tmp_path: Path) -> None:
    path = tmp_path / "hub.lag"
    lines = probe(path)
    assert len(lines) >= 3
    first = float(lines[0].split()[0])
    got = loop_lag(path, first - 1, first + 60)
    assert got["hub_loop_lag_p99_ms"] is not None and got["hub_loop_lag_p99_ms"] >= 0.0
    assert loop_lag(path, first + 3600, first + 7200) == {
        "hub_loop_lag_p50_ms": None,
        "hub_loop_lag_p99_ms": None,
    }


def test_a_blocked_loop_shows_as_lag(tmp_path: Path) -> None:
    lines = probe(tmp_path / "hub.lag", held_s=0.1)
    worst = max(float(line.split()[1]) for line in lines)
    assert worst >= 80.0


def test_each_garbage_collection_is_written_and_read_in_the_window(tmp_path: Path) -> None:
    path = tmp_path / "hub.gc"
    times = GcTimes(str(path))
    times.start()
    try:
        gc.collect(0)
        gc.collect(2)
    finally:
        times.stop()
    lines = [line.split() for line in path.read_text().splitlines() if line[0] != "#"]
    assert [int(gen) for _, gen, _, _ in lines][-2:] == [0, 2]
    assert all(float(ms) >= 0.0 for _, _, ms, _ in lines)
    assert times.stop() is None and len(path.read_text().splitlines()) == len(lines) + 1  # once
    assert path.read_text().splitlines()[-1].startswith("# census ")
    # a stall that a long collection overlaps is counted; one elsewhere is not (times written
    # here, not taken from the collections above: a full collection of a big test process's
    # heap takes as long as it takes)
    path.write_text("1000.000 2 120.000 0\n")  # a full collection from 999.88 to 1000.0
    got = gc_pauses(path, 990.0, 1010.0, [(9.95, 200), (5.0, 150)])  # 999.95-1000.15; 995.0
    assert got["gc_runs"] == [0, 0, 1] and got["gc_full_max_ms"] == 120.0
    assert got["stalls_in_gc"] == 1
    assert gc_pauses(path, 990.0, 1010.0, [(9.0, 200)])["stalls_in_gc"] == 0  # ends 999.2
    assert gc_pauses(path, 4600.0, 8200.0, [])["gc_runs"] is None
