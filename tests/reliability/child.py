"""The crash child: a terminal that records and syncs in a loop until it is killed.

    python tests/reliability/child.py loop HOME SEED MEMBER,MEMBER,…
    python tests/reliability/child.py open HOME SEED MEMBER,MEMBER,…

It talks to the parent (tests/reliability/test_crash.py) through stdout, one line each:

* ``phase <name>`` just before a step starts and ``done <name>`` just after it returned, for
  ``record``, ``push``, ``ack`` (the outbox settling the hub's answers), ``pull``,
  ``checkpoint`` and ``open`` (opening the terminal: key, migrations, plaintext conversion);
* ``phase rewrite`` / ``done rewrite`` around the provisional → real id rewrite of a sign-up's
  answer (inside the ack's transaction), ``phase rewrite-tx`` after its first UPDATE of the
  interactions;
* ``phase record-tx`` / ``phase ack-tx`` from *inside* the write transaction of a record / of
  settling the hub's answers (after the INSERT / first UPDATE, before COMMIT); there the child
  waits for a line on stdin, so the parent can kill it with the transaction certainly open,
  or arm a timer and let it go on into the COMMIT;
* ``saved <id>`` ONLY after ``Terminal.record`` returned — the promise under test is that
  every id announced here survives any kill.

``loop`` opens an enrolled terminal (clerk.terminal.Terminal + sync.local.engine_for, the real
hub on loopback) and cycles: a burst of records (now and then a sign-up at the counter, whose
provisional member later records name) → push (a batch of 7) → pull (every 2nd round) →
checkpoint (every 3rd). ``open`` opens a terminal on a fresh or old-format data directory (so
migrations and the plaintext → SQLCipher conversion run), then records. The parent kills it with
SIGKILL; it never exits by itself.
"""

from __future__ import annotations

import contextlib
import random
import sys
from pathlib import Path
from typing import Any

from clerk import outbox as outbox_mod
from clerk.terminal import Terminal
from sync.errors import SyncError
from sync.local import engine_for


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def gate(phase: str) -> None:
    """Announce a point inside a write transaction and wait there for the parent's go-ahead
    (it kills now — the transaction is certainly open — or arms a timer, then says go)."""
    say(f"phase {phase}")
    if not sys.stdin.readline():
        raise SystemExit(0)  # the parent is gone


class Gated:
    """The outbox connection, pausing at ``gate(phase)`` right after the first statement that
    starts with ``prefix`` — inside the open write transaction, before its COMMIT."""

    def __init__(self, conn: Any, phase: str, prefix: str) -> None:
        self._conn = conn
        self._phase = phase
        self._prefix = prefix
        self._paused = False

    def execute(self, sql: str, *args: Any) -> Any:
        cur = self._conn.execute(sql, *args)
        if not self._paused and sql.lstrip().upper().startswith(self._prefix):
            self._paused = True
            gate(self._phase)
        return cur

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def instrument() -> None:
    """Wrap the outbox's record (the 'record' kill point) and its settling of the hub's
    answers (the 'ack handling' kill point) with markers and an in-transaction gate."""
    real_record = outbox_mod.record
    real_apply = outbox_mod.apply_results
    real_rewrite = outbox_mod.resolve_provisional

    def record_(conn: Any, *args: Any, **kwargs: Any) -> Any:
        return real_record(Gated(conn, "record-tx", "INSERT"), *args, **kwargs)

    def apply_results(conn: Any, *args: Any, **kwargs: Any) -> dict[str, int]:
        say("phase ack")
        out = real_apply(Gated(conn, "ack-tx", "UPDATE"), *args, **kwargs)
        say("done ack")
        return out

    def resolve_provisional(conn: Any, *args: Any, **kwargs: Any) -> int:
        say("phase rewrite")
        out = real_rewrite(Gated(conn, "rewrite-tx", "UPDATE INTERACTIONS"), *args, **kwargs)
        say("done rewrite")
        return out

    outbox_mod.resolve_provisional = resolve_provisional  # type: ignore[assignment]
    outbox_mod.record = record_  # type: ignore[assignment]
    outbox_mod.apply_results = apply_results  # type: ignore[assignment]


def record(terminal: Terminal, rng: random.Random, members: list[str], n: int) -> None:
    consent = terminal.signup_text("zh") if rng.random() < 0.15 else None
    if consent is not None:  # a sign-up: later records name the provisional member
        say("phase record")
        made = terminal.sign_up(
            phone=f"1390{rng.randrange(10**7):07d}",
            name=f"新会员 {n}",
            consent=consent,
            marketing=False,
            browsing=False,
            staff_id="A01",
        )
        members.append(made.id)
        say(f"saved {made.signup_id}")
        say("done record")
        return
    say("phase record")
    rec = terminal.record(
        "note",
        member_id=rng.choice(members),
        staff_id="A01",
        payload={"text": f"crash note {n}"},
    )
    say(f"saved {rec.id}")
    say("done record")


def loop(home: Path, rng: random.Random, members: list[str]) -> None:
    instrument()
    say("phase open")
    terminal = Terminal(home)
    engine = engine_for(home)
    engine.batch_items = 7  # records left pending behind a sign-up's answer get rewritten
    say("done open")
    say("ready")
    n = rounds = 0
    while True:
        rounds += 1
        for _ in range(rng.randint(1, 30)):  # a burst of customers, then a sync
            n += 1
            record(terminal, rng, members, n)
        say("phase push")
        with contextlib.suppress(SyncError):  # retried next round, as the scheduler would
            engine.push_once()
        say("done push")
        if rounds % 2 == 0:
            say("phase pull")
            with contextlib.suppress(SyncError):
                engine.pull_once(limit=rng.choice((50, 500, 2000)))
            say("done pull")
        if rounds % 3 == 0:
            say("phase checkpoint")
            terminal.outbox.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            engine.cache.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            say("done checkpoint")


def open_then_record(home: Path, rng: random.Random, members: list[str]) -> None:
    instrument()
    say("phase open")
    terminal = Terminal(home)
    say("done open")
    say("ready")
    n = 0
    while True:
        n += 1
        record(terminal, rng, members, n)


def main(argv: list[str]) -> None:
    mode, home, seed, members = argv[1], Path(argv[2]), int(argv[3]), argv[4].split(",")
    rng = random.Random(seed)
    if mode == "loop":
        loop(home, rng, members)
    elif mode == "open":
        open_then_record(home, rng, members)
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv)
