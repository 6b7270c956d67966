"""bench/hub_load.py's reading of the SQLite writers' lines (CLERK_HUB_LOCK_TIMES, with the WAL
frames copied back during each COMMIT) and of the checkpointer's (CLERK_HUB_CHECKPOINT_TIMES),
and bench/disk_busy.py's neighbour: bounded, its files removed, its figures its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.hub_load import ROOT, by_process, checkpoint_stats


def test_commits_copying_the_wal_back_are_told_apart_and_older_lines_still_read(
    tmp_path: Path,
) -> None:
    log = tmp_path / "access.log"
    log.write_text("")
    lock = tmp_path / "lock"
    lock.write_text(
        "100.0 5.0 4.0 0.5 0\n"  # a COMMIT that only appended
        "101.0 130.0 120.0 1.0 10030\n"  # one during which 10,030 frames were copied back
        "102.0 160.0 150.0 2.0 0\n"  # a slow one that copied nothing
        "103.0 7.0 6.0 0.2\n"  # a hub of before (four fields): not told apart
        "200.0 999.0 999.0 0.0 5\n"  # outside the load
    )
    got = by_process(log, 99.0, 150.0, None, lock)
    assert got["commit_copying"] == 1 and got["commit_copying_max_ms"] == 120.0
    assert got["commit_plain_max_ms"] == 150.0
    assert got["commit_over_100ms"] == 2 and got["commit_over_100ms_copying"] == 1
    assert got["commit_max_ms"] == 150.0


def test_the_checkpointers_lines_are_counted_by_mode(tmp_path: Path) -> None:
    path = tmp_path / "ckpt"
    path.write_text(
        "100.0 40.0 PASSIVE 10100 0 0\n"
        "100.1 1.0 PASSIVE 10150 10100 0\n"
        "100.2 2.0 RESTART 10150 10150 0\n"
        "100.5 0.0 RESTART 10400 10150 1\n"
        "300.0 500.0 PASSIVE 90000 0 0\n"  # outside the load
    )
    got = checkpoint_stats(path, 99.0, 150.0)
    assert got["ckpt_passive"] == 2 and got["ckpt_max_ms"] == 40.0
    assert got["ckpt_restarts"] == 1 and got["ckpt_restart_rounds_busy"] == 1
    assert got["wal_most_frames"] == 10400
    assert checkpoint_stats(tmp_path / "none", 0, 1)["wal_most_frames"] is None


def test_the_disk_neighbour_stops_by_itself_and_removes_its_log(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    pace = ["--mb-s", "4", "--chunk-kb", "64", "--seconds", "0.5", "--report", str(report)]
    script = str(ROOT / "bench" / "disk_busy.py")
    subprocess.run([sys.executable, script, "--dir", str(tmp_path), *pace], check=True, timeout=60)
    figures = json.loads(report.read_text())
    assert figures["chunks"] >= 1 and figures["mb_written"] <= 4.0
    assert figures["fsync_max_ms"] is not None
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
