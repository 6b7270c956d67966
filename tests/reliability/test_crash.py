"""Nothing lost, nothing doubled: kill -9 a recording, syncing terminal at random points.

A child process (tests/reliability/child.py) records interactions and syncs with a real hub on
loopback, printing ``saved <id>`` only after ``Terminal.record`` (or a sign-up) returned. The
parent kills it with SIGKILL at seeded random moments inside each phase — record, push, ack
handling, the rewrite of a sign-up's provisional id in the records still pending, pull,
checkpoint, opening (migrations on a fresh data directory) and the plaintext → SQLCipher
conversion of an old data directory — and after every kill checks:

* ``PRAGMA integrity_check`` is ok on cache.db and outbox.db;
* every id the child announced as saved is in outbox.db;

and at the end, after a clean sync, that the hub holds every interaction of the outbox exactly
once (SQL on the hub's database), none flagged as a duplicate, all acknowledged.

CI runs 50 kills (CLERK_CRASH_KILLS); ``make soak`` runs 200 more (CLERK_SOAK_KILLS).
"""

from __future__ import annotations

import contextlib
import os
import queue
import random
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from reliability_harness import STORE, drain, hub_rows, integrity, members, outbox_ids

from clerk import cache as cache_mod
from clerk import keystore
from clerk import outbox as outbox_mod
from clerk.db import Transaction, connect, database
from clerk.ids import uuid7_str
from clerk.terminal import Terminal
from sync.hub.embedded import HubHandle
from sync.local import engine_for, enroll

CHILD = Path(__file__).with_name("child.py")
ROOT = Path(__file__).resolve().parents[2]
CI_KILLS = int(os.environ.get("CLERK_CRASH_KILLS", "50"))
SOAK_KILLS = int(os.environ.get("CLERK_SOAK_KILLS", "200"))
PHASE_TIMEOUT_S = 30.0
OLD_ROWS = 3000  # interactions in the plaintext (pre-encryption) data directory

# Where a kill is aimed, and the window (seconds) after the phase starts in which it lands.
WINDOWS = {
    "record": 0.002,
    "push": 0.04,
    "ack": 0.003,
    "rewrite": 0.003,  # a sign-up's answer: pending records' provisional id → the real one
    "pull": 0.06,
    "checkpoint": 0.004,
    "migration": 0.06,  # a fresh data directory: key, schema migrations of both files
    "conversion": 0.12,  # an old plaintext data directory converted to SQLCipher
    "anywhere": 1.5,  # from "ready": wherever the loop happens to be
}
GATED = ("record-tx", "ack-tx", "rewrite-tx")  # the child waits for "go" inside these transactions
PLAN = (
    "record",
    "push",
    "ack",
    "rewrite",
    "pull",
    "checkpoint",
    "migration",
    "conversion",
    "anywhere",
)
IN_TX = ("record", "ack", "rewrite")  # phases killed inside their open write transaction too


@dataclass
class Campaign:
    kills: int = 0
    landed_inside: Counter[str] = field(default_factory=Counter)  # killed before "done <phase>"
    aimed: Counter[str] = field(default_factory=Counter)
    in_transaction: Counter[str] = field(default_factory=Counter)  # killed inside an open tx
    saved: int = 0
    integrity_failures: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    conversions_cut: int = 0  # kills that left a half-done conversion behind


class Child:
    """The child process and a thread that reads its lines into a queue."""

    def __init__(self, mode: str, home: Path, seed: int, member_ids: list[str]) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), mode, str(home), str(seed), ",".join(member_ids)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
            env=env,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next_line(self, deadline: float) -> str | None:
        try:
            return self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError("the child went quiet") from None

    def go(self) -> None:
        """Let a child waiting at a gated phase go on."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write("go\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # already killed

    def finish(self) -> int:
        self.proc.kill()
        code = self.proc.wait(timeout=30)
        self._reader.join(timeout=30)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        return code


def kill_during(
    child: Child, phase: str, rng: random.Random, *, in_tx: bool
) -> tuple[set[str], bool]:
    """Let the child run until the ``phase`` it is aimed at starts (the 1st–3rd time) and kill
    it with SIGKILL: for record and ack, with ``in_tx`` at once while it waits inside the open
    write transaction, else a random moment after letting it go on (into the COMMIT or past
    it); for the other phases a random moment after the phase started. Returns the ids it
    announced and whether the kill landed before the phase was done."""
    marker = {
        "anywhere": "ready",
        "record": "phase record-tx",
        "ack": "phase ack-tx",
        "rewrite": "phase rewrite-tx",
    }.get(phase, f"phase {_step(phase)}")
    done = f"done {_step(phase)}"
    want = 1 if phase in ("migration", "conversion", "anywhere") else rng.randint(1, 3)
    seen = 0
    timer: threading.Timer | None = None
    inside = True
    saved: set[str] = set()
    deadline = time.monotonic() + PHASE_TIMEOUT_S
    while True:
        line = child.next_line(deadline)
        if line is None:  # the child is gone (killed, or it crashed: the code says which)
            break
        gated = line.startswith("phase ") and line[6:] in GATED
        if line.startswith("saved "):
            saved.add(line.split(" ", 1)[1])
        elif timer is None and line == marker:
            seen += 1
            if seen >= want:
                delay = 0.0 if (gated and in_tx) else rng.uniform(0, WINDOWS[phase])
                timer = threading.Timer(delay, child.proc.kill)
                timer.start()
                if gated and in_tx:
                    continue  # no go-ahead: it dies inside the open transaction
        elif timer is not None and line == done and phase != "anywhere":
            inside = False
        if gated:
            child.go()
    if timer is not None:
        timer.join()
    code = child.finish()
    assert timer is not None, f"the child never reached {marker!r} (exit {code})"
    assert code == -9, f"the child died by itself (exit {code}) instead of by SIGKILL"
    return saved, inside


def _step(phase: str) -> str:
    return "open" if phase in ("migration", "conversion") else phase


def conversion_leftovers(home: Path) -> list[str]:
    ends = (".encrypting", ".encrypting-journal", ".plaintext-old")
    return sorted(p.name for p in home.iterdir() if p.name.endswith(ends))


def check_home(home: Path, saved: set[str], campaign: Campaign) -> None:
    for name in ("outbox.db", "cache.db"):
        path = home / name
        if path.exists():
            result = integrity(path)
            if result != "ok":
                campaign.integrity_failures.append(f"{home.name}/{name}: {result}")
    if saved:
        campaign.lost += sorted(saved - outbox_ids(home))


def old_home_template(root: Path, member_ids: list[str]) -> tuple[Path, set[str]]:
    """A data directory as an older version left it: plaintext cache.db and outbox.db (with
    OLD_ROWS interactions) and no key. Returns it and the ids it holds."""
    home = root / "old-template"
    home.mkdir()
    ob = connect(home / "outbox.db", synchronous="FULL", key=None)
    ids = [uuid7_str() for _ in range(OLD_ROWS)]
    try:
        outbox_mod.migrations.apply(database(ob))
        with Transaction(ob):
            ob.executemany(
                "INSERT INTO interactions (id, device_seq, kind, member_id, payload, created_at)"
                " VALUES (?, ?, 'note', ?, ?, ?)",
                [
                    (
                        iid,
                        n + 1,
                        member_ids[n % len(member_ids)],
                        '{"text":"old note"}',
                        1_700_000_000,
                    )
                    for n, iid in enumerate(ids)
                ],
            )
    finally:
        ob.close()
    cache = connect(home / "cache.db", synchronous="NORMAL", key=None)
    try:
        cache_mod.migrations.apply(database(cache))
        with Transaction(cache):
            cache.executemany(
                "INSERT INTO members (id, name, tier) VALUES (?, ?, 'basic')",
                [(f"M{n:08d}", f"Old Member {n}") for n in range(OLD_ROWS)],
            )
    finally:
        cache.close()
    assert keystore.is_plaintext(home / "outbox.db") and keystore.is_plaintext(home / "cache.db")
    return home, set(ids)


def campaign(hub: HubHandle, root: Path, kills: int, seed: int) -> Campaign:
    rng = random.Random(seed)
    member_ids = members(hub)
    home = root / "till"
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="crash")
    template, old_ids = old_home_template(root, member_ids)
    result = Campaign()
    plan = [PLAN[i % len(PLAN)] for i in range(kills)]
    rng.shuffle(plan)
    for k, phase in enumerate(plan):
        result.aimed[phase] += 1
        if phase == "migration":
            target, before = root / f"fresh-{k}", set[str]()
            mode = "open"
        elif phase == "conversion":
            target, before = root / f"old-{k}", old_ids
            shutil.copytree(template, target)
            mode = "open"
        else:
            target, before, mode = home, set(), "loop"
        child = Child(mode, target, rng.randrange(1 << 30), member_ids)
        in_tx = phase in IN_TX and result.aimed[phase] % 2 == 1
        saved, inside = kill_during(child, phase, rng, in_tx=in_tx)
        result.in_transaction[phase] += in_tx
        result.kills += 1
        result.saved += len(saved)
        result.landed_inside[phase] += inside
        if phase == "conversion" and conversion_leftovers(target):
            result.conversions_cut += 1
        check_home(target, saved | before, result)
        if mode == "open":
            # The next start finishes what the kill cut short: schema complete, data encrypted.
            terminal = Terminal(target)
            terminal.close()
            assert keystore.is_encrypted(target / "outbox.db")
            assert conversion_leftovers(target) == []
            result.lost += sorted((saved | before) - outbox_ids(target))
            if phase == "conversion":
                shutil.rmtree(target)  # 3000 rows each: keep the disk tidy
    # A final clean sync: the hub must hold every recorded interaction exactly once.
    with engine_for(home) as engine:
        drain(engine)
        device_id = engine.status()["device_id"]
        states = dict(engine.outbox.execute("SELECT state, count(*) FROM interactions GROUP BY 1"))
    local = outbox_ids(home)
    rows = hub_rows(hub, device_id)
    hub_ids = [r["id"] for r in rows]
    assert len(hub_ids) == len(set(hub_ids)), "an interaction is doubled at the hub"
    assert set(hub_ids) == local, "the hub and the outbox disagree"
    assert [r for r in rows if r["status"] == "duplicate"] == []
    assert states == {"acked": len(local)}, states
    assert local, "the campaign recorded nothing"
    with hub.store.read() as conn:  # records of members signed up here: the real member's
        kinds = dict(
            conn.rows(
                "SELECT kind, count(*) FROM interactions WHERE device_id = ? GROUP BY kind",
                (device_id,),
            )
        )
        unattributed = conn.scalar(
            "SELECT count(*) FROM interactions WHERE device_id = ? AND member_id LIKE 'P-%'",
            (device_id,),
        )
    assert unattributed == 0, "a record left under a provisional id"
    assert kinds.get("signup"), "the campaign signed no one up"
    return result


def _report(name: str, c: Campaign) -> None:
    inside = ", ".join(f"{p} {c.landed_inside[p]}/{c.aimed[p]}" for p in PLAN if c.aimed[p])
    in_tx = ", ".join(f"{p} {c.in_transaction[p]}" for p in IN_TX)
    print(
        f"\n{name}: {c.kills} kills, {c.saved} saved ids announced, lost {len(c.lost)}, "
        f"integrity failures {len(c.integrity_failures)}, conversions cut {c.conversions_cut}; "
        f"landed inside the phase: {inside}; inside an open write transaction: {in_tx}"
    )


def _assert_clean(c: Campaign, kills: int) -> None:
    assert c.kills == kills
    assert c.integrity_failures == []
    assert c.lost == []
    # Every kind of kill happened; record and ack kills include some inside the open write
    # transaction (every other one, by construction).
    assert all(c.aimed[p] for p in PLAN) or kills < len(PLAN), c.aimed
    for p in IN_TX:
        assert c.in_transaction[p] == (c.aimed[p] + 1) // 2, (p, c.in_transaction)


@pytest.mark.slow
def test_kill_9_at_random_points_loses_and_doubles_nothing(hub: HubHandle, tmp_path: Path) -> None:
    result = campaign(hub, tmp_path, CI_KILLS, seed=20251123)
    _report("crash (CI)", result)
    _assert_clean(result, CI_KILLS)


@pytest.mark.soak
def test_soak_kill_9(hub: HubHandle, tmp_path: Path) -> None:
    result = campaign(hub, tmp_path, SOAK_KILLS, seed=424242)
    _report("crash (soak)", result)
    _assert_clean(result, SOAK_KILLS)
