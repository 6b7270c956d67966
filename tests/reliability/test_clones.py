"""Cloned terminals and second instances.

* A terminal restored from a disk image onto a second machine: same device id, token, key and
  device sequence. Both record and sync: their ids never collide (UUIDv7), the hub keeps every
  row, and the clone's reuse of a (device_id, device_seq) is flagged ``duplicate`` /
  ``device_seq_reused`` (with ``conflict_with`` = the original's id).
* A second app instance on the same data directory is refused (clerk.instance), from another
  process, while the first runs — and allowed once the first is killed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from reliability_harness import STORE, hub_rows, members

from clerk import instance
from clerk.instance import InstanceLockedError
from clerk.terminal import Terminal
from sync.hub.embedded import HubHandle
from sync.local import engine_for, enroll

ROOT = Path(__file__).resolve().parents[2]


def _record(home: Path, member_ids: list[str], label: str, n: int) -> list[tuple[str, int]]:
    terminal = Terminal(home)
    try:
        recs = [
            terminal.record("note", member_id=m, staff_id="A01", payload={"text": f"{label} {i}"})
            for i, m in enumerate(member_ids[:n])
        ]
    finally:
        terminal.close()
    return [(r.id, r.device_seq) for r in recs]


def test_a_cloned_terminal_is_flagged_and_nothing_is_lost(hub: HubHandle, tmp_path: Path) -> None:
    original = tmp_path / "original"
    enroll(original, hub.url, STORE, hub.enrol_code(STORE), device_name="till 1")
    with engine_for(original) as engine:
        assert engine.sync_once().caught_up
        device_id = engine.status()["device_id"]
    clone = tmp_path / "clone"
    shutil.copytree(original, clone)  # the disk image, key file and all

    member_ids = members(hub, 5)
    ours = _record(original, member_ids, "original", 3)
    theirs = _record(clone, member_ids, "clone", 4)
    assert {i for i, _ in ours}.isdisjoint({i for i, _ in theirs})  # no id collisions
    assert [s for _, s in ours] == [s for _, s in theirs][:3]  # the same sequence numbers

    for home in (original, clone):
        with engine_for(home) as engine:
            assert engine.sync_once().caught_up

    rows = {r["id"]: r for r in hub_rows(hub, device_id)}
    assert set(rows) == {i for i, _ in ours + theirs}  # the hub keeps both terminals' rows
    first_by_seq = {s: i for i, s in ours}
    for iid, _seq in ours:
        assert rows[iid]["status"] == "accepted"
    for iid, seq in theirs:
        if seq in first_by_seq:
            assert (rows[iid]["status"], rows[iid]["reason"]) == ("duplicate", "device_seq_reused")
            assert rows[iid]["conflict_with"] == first_by_seq[seq]
        else:
            assert rows[iid]["status"] == "accepted"  # a sequence number only the clone used

    # On the clone the flagged rows are settled (not retried for ever), carry the reason, and
    # are shown as conflicts — not as delivered — and the terminal says it looks like a copy.
    with engine_for(clone) as engine:
        flagged = engine.outbox.execute(
            "SELECT state, count(*) FROM interactions WHERE reason = 'device_seq_reused'"
            " GROUP BY state"
        ).fetchall()
        assert [tuple(r) for r in flagged] == [("conflict", 3)]
        assert engine.status()["pending"] == 0
    terminal = Terminal(clone)
    try:
        assert terminal.status().clone_suspected
    finally:
        terminal.close()
    terminal = Terminal(original)
    try:
        assert not terminal.status().clone_suspected
    finally:
        terminal.close()


HOLDER = textwrap.dedent(
    """
    import sys
    from clerk import instance
    from clerk.terminal import Terminal
    lock = instance.acquire(sys.argv[1])
    terminal = Terminal(sys.argv[1])
    print("running", flush=True)
    sys.stdin.read()
    """
)


def test_a_second_instance_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    home = tmp_path / "t"
    first = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "running"
        with pytest.raises(InstanceLockedError) as caught:
            instance.acquire(home)
        assert caught.value.reason == "already_running" and caught.value.pid == first.pid
        first.kill()  # a crash: the OS drops the lock with the process
        first.wait(timeout=20)
        with instance.acquire(home):
            terminal = Terminal(home)
            terminal.close()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=20)
        for stream in (first.stdin, first.stdout):
            if stream is not None:
                stream.close()
