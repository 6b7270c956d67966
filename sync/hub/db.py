"""The hub's database connections: SQLite (default) or PostgreSQL (psycopg 3), one SQL dialect.

SQL is written once, with ``?`` placeholders and ``INSERT … ON CONFLICT … DO UPDATE``, which
both engines run; the small :class:`Dialect` adapter swaps placeholders, the auto-increment
column type and bulk loading (executemany on SQLite, COPY on PostgreSQL). Driver errors leave
this module only as the hub's own errors (:func:`translate`). Schema migrations are the files
``sync/hub/schema/NNN_name.sql`` (:func:`migrations`).

Writers on PostgreSQL run side by side (READ COMMITTED). Their change rows are written
*pending* (``seq`` = ``-nextval('changes_pending_seq')``, below every cursor) and numbered at
``COMMIT`` by :data:`PG_ASSIGN_SEQS` — the only holder of the chain-wide advisory lock, sent with
the ``COMMIT`` in one round trip, so seqs become visible in the order they were given (the
last change rows of a transaction may instead be handed to the commit, written there once:
:meth:`Conn.changes_at_commit`). A read-then-write check first takes the keyed locks of what
it reads (:meth:`Conn.lock`). A write's ``BEGIN`` is sent with its first statements; a batch
of reads (:meth:`Conn.rows_batch`) and the rows handed to the commit go as text, values written
in as literals (:func:`pg_inline`), several statements in one message: psycopg's Python per
parameter, per pipelined statement and per result was most of what a write cost the hub.

A SQLite database and its -wal/-shm are owner-only (0600) files (:func:`make_private`).
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
import stat
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

import psycopg
import psycopg.sql

from sync.hub.checkpoint import WalIndex, checkpointer_enabled
from sync.hub.errors import (
    BusyError,
    HubServiceError,
    InvalidInputError,
    StorageFailure,
    WriteRaced,
)

Row = tuple[Any, ...]

SQLITE_BUSY_TIMEOUT_MS = 15000
# Checkpoint the WAL every this many pages (4 KB each): the hub's writer commits many random
# index pages a second (Segment intake), each copied back once per checkpoint. Copied back by
# the process's checkpointer thread (sync.hub.checkpoint), not in a writer's COMMIT.
SQLITE_WAL_PAGES = 10_000
ADVISORY_LOCK_ID = 0x0C1E4C  # orders change seqs across processes on PostgreSQL (at commit)
KEY_LOCK_CLASS = 0x0C1E  # keyed locks (:meth:`Conn.lock`): (class, hashtext(key))
# Every write holds the gate shared; an exclusive one (migrations, bulk loads and imports, key
# rotation, merges) holds it alone, so it runs as all writes did under the one writer lock.
WRITE_GATE_ID = 0x0C1E4D
# Keyed locks one transaction takes before it takes the gate alone instead: each is an entry in
# PostgreSQL's shared lock table (max_locks_per_transaction × max_connections, 64 × 100 by
# default), which a Segment batch of 2,500 calls would fill. 320: a group of two Segment batches
# of 100 (their userIds shared, their cart lines alone); at most 4 writers a process, 2
# processes: 2,560 of the 6,400.
KEYED_LOCKS_MAX = 320

# Numbering a transaction's pending change rows at its commit (hub migration 013 makes seq
# default to -nextval('changes_pending_seq')). Under the advisory lock, held to the end of the
# COMMIT that follows in the same round trip: an older committed row of a key logged again is
# dropped (the feed carries each key once), then the pending rows get the next seqs in the order
# they were written. Pending rows committed by a process that predates 013 are numbered too.
# Returns when the lock was granted and when the numbering was done (unix s; NULL: nothing
# pending, no lock), for LockTimes. The pending rows are read once (their index, never the
# table: the SETs) and their keys probed one by one: the planner's joins read every change row
# at every commit — a cost that grew with the feed (15 ms a batch of 100 at 40,000 change rows,
# 90 ms once their dead versions piled up) and held the chain-wide lock.
# clerk_assign_seqs_given(stores, entities, keys, ops) does that, then writes the change rows
# it is given (:meth:`Conn.changes_at_commit`) numbered after the pending ones: each written
# once, where a pending row is written, then updated (a new version of the row and of its three
# index entries). Their keys have no older row to drop (the caller's promise: new keys, or keys
# whose rows it dropped in the transaction): no probe a key under the lock.
PG_ASSIGN_SEQS = f"""
CREATE OR REPLACE FUNCTION clerk_assign_seqs() RETURNS double precision[] LANGUAGE plpgsql
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off
SET enable_mergejoin = off AS $fn$
DECLARE
  granted double precision;
  pending bigint[];
  entities text[];
  keys text[];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM changes WHERE seq < 0) THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock({ADVISORY_LOCK_ID});
  granted := extract(epoch FROM clock_timestamp());
  SELECT array_agg(seq ORDER BY seq DESC), array_agg(entity ORDER BY seq DESC),
         array_agg(key ORDER BY seq DESC)
    INTO pending, entities, keys FROM changes WHERE seq < 0;
  DELETE FROM changes c USING unnest(entities, keys) AS p(entity, key)
    WHERE c.entity = p.entity AND c.key = p.key AND c.seq > 0;
  UPDATE changes c SET seq = n.seq
    FROM (SELECT o.old, nextval('changes_seq_seq') AS seq
          FROM (SELECT old FROM unnest(pending) AS old ORDER BY old DESC) o) n
    WHERE c.seq = n.old;
  RETURN ARRAY[granted, extract(epoch FROM clock_timestamp())];
END
$fn$;
CREATE OR REPLACE FUNCTION clerk_assign_seqs_given(g_stores text[], g_entities text[],
  g_keys text[], g_ops text[]) RETURNS double precision[] LANGUAGE plpgsql
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off
SET enable_mergejoin = off AS $fn$
DECLARE
  done double precision[];
BEGIN
  done := clerk_assign_seqs();
  PERFORM pg_advisory_xact_lock({ADVISORY_LOCK_ID});
  IF done IS NULL THEN
    done := ARRAY[extract(epoch FROM clock_timestamp())];
  END IF;
  INSERT INTO changes (seq, store_id, entity, key, op)
    SELECT nextval('changes_seq_seq'), g.s, g.e, g.k, g.o
    FROM (SELECT s, e, k, o FROM unnest(g_stores, g_entities, g_keys, g_ops)
          WITH ORDINALITY AS u(s, e, k, o, n) ORDER BY n) g;
  RETURN ARRAY[done[1], extract(epoch FROM clock_timestamp())];
END
$fn$
"""
PG_PENDING_SEQS = (  # hub migration 013 on PostgreSQL
    "CREATE SEQUENCE IF NOT EXISTS changes_pending_seq",
    "ALTER TABLE changes ALTER COLUMN seq SET DEFAULT -nextval('changes_pending_seq')",
)
# Browse event ids on PostgreSQL (hub migration 014): a sequence past the highest id, so the
# Segment intake's writers take ids side by side (:func:`browse_ids`). Rows loaded with ids
# of their own (the demo seed, bulk loads) move it on at the next allocation that meets them.
PG_BROWSE_IDS = (
    "CREATE SEQUENCE IF NOT EXISTS browse_events_id_seq",
    "SELECT setval('browse_events_id_seq', coalesce(max(id), 0) + 1, false) FROM browse_events",
)
IN_CHUNK = 900  # values per ``IN (…)``: under SQLite's old 999-parameter limit


@dataclass(frozen=True)
class Dialect:
    name: Literal["sqlite", "postgres"]
    param: str
    serial: str
    bigint: str

    def sql(self, text: str) -> str:
        return text if self.param == "?" else text.replace("?", self.param)


SQLITE = Dialect("sqlite", "?", "INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER")
POSTGRES = Dialect("postgres", "%s", "BIGSERIAL PRIMARY KEY", "BIGINT")


LOCK_TIMES_ENV = "CLERK_HUB_LOCK_TIMES"  # a file: each write's hold of the lock, appended

# Python's thread switch interval while a SQLite write transaction holds the database's one
# write lock (CLERK_HUB_WRITE_SWITCH_US, e.g. 200; unset or 0: Python's own, 5 ms, the default).
# The writer releases the GIL at every step of every statement (the sqlite3 module does) and,
# under load, waits for it again behind the event loop and the pulls' threads — up to the
# interval each time: at twice the saturating load a write held the lock 20-26 ms, of which its
# own CPU was 3-4 ms and its COMMIT 6-7 ms. At 200 µs a write held it 14-18 ms and the hub took
# 10-17 % more requests a second — but its event loop then got less of the GIL, and the 503s
# reached the terminals later (p99 over 50 ms at 2,400 terminals in 7 runs of 10 with it, 3 of 9
# without; up to 926 ms): issue 20 asks for both, so it is a knob, not the default
# (docs/benchmarks.md and docs/decisions.md, thirteenth session).
WRITE_SWITCH_S = float(os.environ.get("CLERK_HUB_WRITE_SWITCH_US") or 0) / 1e6


class FastSwitch:
    """The process's switch interval at :data:`WRITE_SWITCH_S` while any SQLite write
    transaction of the process is open (counted: a process may hold several stores), back to
    what it was when the last one ends."""

    _lock = threading.Lock()
    _open = 0
    _was = 0.0

    @classmethod
    def enter(cls) -> None:
        if WRITE_SWITCH_S <= 0:
            return
        with cls._lock:
            if cls._open == 0:
                cls._was = sys.getswitchinterval()
                sys.setswitchinterval(min(cls._was, WRITE_SWITCH_S))
            cls._open += 1

    @classmethod
    def leave(cls) -> None:
        if WRITE_SWITCH_S <= 0:
            return
        with cls._lock:
            cls._open -= 1
            if cls._open == 0:
                sys.setswitchinterval(cls._was)


class LockTimes:
    """Where each write's hold of the chain-wide lock goes when ``CLERK_HUB_LOCK_TIMES`` names a
    file (bench/hub_load.py sets it): one line ``<unix time> <ms held>`` per write, appended by
    every process. Held means from the lock granted to the ``COMMIT`` answered (on PostgreSQL's
    clock for a numbering at commit: the figure assumes the database's host is this one; it
    includes this process's wake-up after the commit, when the lock is already released); a
    numbering at commit adds its own part, from the grant to the rows numbered. On SQLite the
    lock is the database's one write lock (``BEGIN IMMEDIATE`` to the ``COMMIT`` answered) and
    the part added is the ``COMMIT`` itself: the WAL's flush and, with SQLite's own checkpoint
    (``CLERK_HUB_CHECKPOINTER=0``), the copy back the committing writer runs past
    ``SQLITE_WAL_PAGES`` pages; then how long ``BEGIN IMMEDIATE`` waited for the lock
    (SQLite's busy handler: sleeps, not a queue); then the WAL frames copied back during the
    ``COMMIT`` (by any connection: a checkpoint in it when above 0; -1 not known); then the
    writer thread's own CPU from the lock granted to the ``COMMIT`` answered (the rest of the
    hold, less the ``COMMIT``, is the thread waiting: for the GIL, for the disk)."""

    _lock = threading.Lock()
    _file: Any = None

    @classmethod
    def record(
        cls,
        held_s: float,
        numbering_s: float | None = None,
        waited_s: float | None = None,
        copied: int | None = None,
        cpu_s: float | None = None,
    ) -> None:
        path = os.environ.get(LOCK_TIMES_ENV)
        if not path:
            return
        extra = "" if numbering_s is None else f" {numbering_s * 1000:.3f}"
        extra += "" if waited_s is None else f" {waited_s * 1000:.3f}"
        extra += "" if copied is None else f" {copied}"
        extra += "" if cpu_s is None else f" {cpu_s * 1000:.3f}"
        with cls._lock:
            if cls._file is None:
                cls._file = open(path, "a", buffering=1, encoding="ascii")  # noqa: SIM115
            cls._file.write(f"{time.time():.3f} {held_s * 1000:.3f}{extra}\n")


def is_postgres_url(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


DRIVER_ERRORS = (sqlite3.Error, psycopg.Error, UnicodeEncodeError, OverflowError)


def translate(exc: Exception, what: str) -> HubServiceError:
    """A driver error as a hub error: busy/unreachable → BusyError, values the database cannot
    hold (bad Unicode, integers out of range) → InvalidInputError, others → StorageFailure."""
    if isinstance(exc, (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)):
        return WriteRaced(f"write raced another during {what}: {exc}")
    if isinstance(exc, (UnicodeEncodeError, OverflowError, psycopg.DataError)):
        return InvalidInputError(f"a value cannot be stored: {exc}", reason="bad_value")
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return BusyError(f"database busy during {what}: {exc}")
    if isinstance(exc, psycopg.OperationalError):
        return BusyError(f"database unavailable during {what}: {exc}")
    return StorageFailure(f"database error during {what}: {exc}")


@contextmanager
def translated(what: str) -> Iterator[None]:
    try:
        yield
    except DRIVER_ERRORS as exc:
        raise translate(exc, what) from exc


class Conn:
    """One database connection and the dialect it speaks. SQL uses ``?`` placeholders.

    The per-statement methods catch driver errors inline (no context manager): they run
    several times per ingested interaction.
    """

    def __init__(self, raw: Any, dialect: Dialect) -> None:
        self._raw = raw
        self._begin_sql: str | None = None  # PostgreSQL: a BEGIN not sent yet (see :meth:`begin`)
        self.dialect = dialect
        self._pg = dialect.name == "postgres"
        self._sql_cache: dict[str, str] = {}
        self._locked_at: float | None = None
        self._lock_waited = 0.0  # SQLite: how long BEGIN IMMEDIATE waited (CLERK_HUB_LOCK_TIMES)
        self._cpu_at = 0.0  # SQLite: the thread's CPU when the lock was granted (the same)
        self.wal: WalIndex | None = None  # SQLite: its WAL's frames (CLERK_HUB_LOCK_TIMES)
        self._held: set[str] = set()  # keyed locks taken in this transaction (alone)
        self._shared: set[str] = set()  # keyed locks taken shared in this transaction
        self._alone = False  # this transaction holds the write gate alone
        self.assign_seqs = False  # PostgreSQL: number pending change rows at commit
        self._at_commit: list[tuple[str, str, str, str]] = []  # (changes_at_commit)
        self._deferred: list[tuple[str, list[Sequence[Any]]]] = []  # (many_at_commit)
        self._behind: list[str] = []  # PostgreSQL: writes sent with the next message (many_behind)
        self._prepared: set[str] = set()  # PostgreSQL: statements PREPAREd here (:meth:`prepare`)

    @property
    def raw(self) -> Any:
        """The driver's connection, its transaction begun (a :meth:`begin` not sent yet is sent
        first, and the writes :meth:`many_behind` holds: whoever uses the connection sees the
        transaction it expects)."""
        if self._begin_sql is not None or self._behind:
            unsent = self._take_begin()
            with translated("begin"):
                self._raw.execute("; ".join(unsent), prepare=False).close()
        return self._raw

    def _take_begin(self) -> list[str]:
        """The statements of a :meth:`begin` not sent yet and the writes :meth:`many_behind`
        holds, to send with the caller's own (one message: one round trip); none when they
        were sent."""
        begin, self._begin_sql = self._begin_sql, None
        behind, self._behind = self._behind, []
        return behind if begin is None else [begin, *behind]

    def _unsent_results(self) -> int:
        """How many results :meth:`_take_begin`'s statements give (``BEGIN``, the gate's row,
        one a write), read past before the caller's own."""
        return (2 if self._begin_sql is not None else 0) + len(self._behind)

    def many_behind(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """:meth:`many`, sent with the transaction's next message (PostgreSQL, the values
        written in as literals: :func:`pg_inline_many`) rather than in a round trip of its own:
        whatever this connection runs next runs after it (:attr:`raw` and :meth:`_simple` send
        it first), and an error in it fails that (the transaction has failed either way).
        Values that cannot be inlined, and SQLite: :meth:`many` now."""
        if not self._pg:
            self.many(sql, rows)
            return
        try:
            self._behind.extend(pg_inline_many(sql, rows))
        except NotInlinable:
            self.many(sql, rows)
        except DRIVER_ERRORS as exc:
            raise translate(exc, "executemany") from exc

    def lock_behind(self, *keys: str) -> None:
        """:meth:`lock`, sent with the transaction's next message (PostgreSQL): the locks are
        granted before anything sent after them runs (a group's keys, taken before its first
        batch's reads, in the reads' round trip)."""
        statement = self._lock_statement(keys, ())
        if statement is None:
            return
        try:
            self._behind.append(pg_inline(*statement))
        except NotInlinable:
            self.execute(*statement)

    def _simple(self, statements: Sequence[str]) -> Any:
        """PostgreSQL: ``statements`` (literals inlined, no parameters) in one message — the
        simple query protocol, one round trip, each run after the one before, an error ending
        the message (the transaction then failed) — with a :meth:`begin` not yet sent before
        them. The cursor stands on the first statement's result (``nextset`` for the next).
        Never prepared: the text differs from call to call."""
        text = "; ".join([*self._take_begin(), *statements])
        return self._raw.execute(text, prepare=False)

    def prepare(self, statements: Mapping[str, str]) -> None:
        """PostgreSQL: each of ``statements`` (name → what follows ``PREPARE name``: the
        parameters' types and ``AS`` the statement, ``$n`` placeholders) prepared on this
        connection once — those not yet, in one message, outside any transaction (a read
        connection's: call it before the ``BEGIN``). They then run as ``EXECUTE name(…)``
        among several statements in one message (:meth:`rows_batch`, the values written in as
        literals): one round trip where psycopg's prepared statements take one each, and the
        server plans them as it plans those (custom plans, then a generic one when it costs no
        more) where a statement sent as text is planned at every run. A failure closes the
        connection (some may be prepared and some not: it is never used again)."""
        if not self._pg:
            raise NotInlinable("prepared statements by name are PostgreSQL's")
        missing = [name for name in statements if name not in self._prepared]
        if not missing:
            return
        text = "; ".join(f"PREPARE {name} {statements[name]}" for name in missing)
        try:
            self._raw.execute(text, prepare=False).close()
        except DRIVER_ERRORS as exc:
            self.close()
            raise translate(exc, "prepare") from exc
        self._prepared.update(missing)

    def _sql(self, sql: str) -> str:
        out = self._sql_cache.get(sql)
        if out is None:
            out = self._sql_cache[sql] = self.dialect.sql(sql)
        return out

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        try:
            cur = self.raw.execute(self._sql(sql), params)
            count = int(cur.rowcount)
            if self._pg:
                cur.close()
            return count
        except DRIVER_ERRORS as exc:
            raise translate(exc, "execute") from exc

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        try:
            cur = self.raw.execute(self._sql(sql), params)
            result = [tuple(r) for r in cur.fetchall()]
            cur.close()
            return result
        except DRIVER_ERRORS as exc:
            raise translate(exc, "query") from exc

    def row(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        try:
            cur = self.raw.execute(self._sql(sql), params)
            found = cur.fetchone()
            cur.close()
            return None if found is None else tuple(found)
        except DRIVER_ERRORS as exc:
            raise translate(exc, "query") from exc

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        found = self.row(sql, params)
        return None if found is None else found[0]

    def dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with translated("query"):
            cur = self.raw.execute(self._sql(sql), params)
            names = [d[0] for d in cur.description]
            result = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
            cur.close()
            return result

    def many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with translated("executemany"):
            if self.dialect.name == "sqlite":
                self.raw.executemany(self._sql(sql), rows)
            else:
                with self.raw.cursor() as cur:
                    cur.executemany(self._sql(sql), list(rows))

    def rows_batch(self, queries: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        """The rows of several queries, in order, in one round trip on PostgreSQL (a pipeline:
        each runs after the one before it, as if sent one by one); SQLite runs them in turn."""
        if not self._pg:
            return [self.rows(sql, params) for sql, params in queries]
        try:
            texts = [pg_inline(sql, params) for sql, params in queries]
        except NotInlinable:
            return self._rows_pipeline(queries)
        except DRIVER_ERRORS as exc:
            raise translate(exc, "query") from exc
        try:
            unsent = self._unsent_results()
            cur = self._simple(texts)
            for _ in range(unsent):  # the BEGIN's answers (its command, the write gate's row)
                cur.nextset()  # and the writes held back (many_behind)
            result: list[list[Row]] = []
            for n in range(len(texts)):
                if n:
                    cur.nextset()
                result.append([tuple(r) for r in cur.fetchall()] if cur.description else [])
            cur.close()
            return result
        except DRIVER_ERRORS as exc:
            raise translate(exc, "query") from exc

    def _rows_pipeline(self, queries: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
        """:meth:`rows_batch` through a pipeline (values that cannot be inlined as literals)."""
        try:
            with self.raw.pipeline():
                cursors = [self.raw.execute(self._sql(sql), params) for sql, params in queries]
            result = [
                [tuple(r) for r in cur.fetchall()] if cur.description else [] for cur in cursors
            ]
            for cur in cursors:
                cur.close()
            return result
        except DRIVER_ERRORS as exc:
            raise translate(exc, "query") from exc

    def locked_rows(
        self, keys: Iterable[str], queries: Sequence[tuple[str, Sequence[Any]]]
    ) -> list[list[Row]]:
        """:meth:`lock` ``keys``, then :meth:`rows_batch` ``queries``: in one round trip on
        PostgreSQL (the locks are granted before the queries read)."""
        statement = self._lock_statement(keys, ())
        if statement is None:
            return self.rows_batch(queries)
        return self.rows_batch([statement, *queries])[1:]

    def many_at_commit(self, sql: str, rows: Sequence[Sequence[Any]]) -> bool:
        """Run ``sql`` for each of ``rows`` at the commit (every such write in one round trip
        before it), if this connection can (PostgreSQL): for the last writes of a transaction,
        which nothing in it reads afterwards (an error fails the commit, as it would have failed
        the write). False: run them yourself (SQLite)."""
        if not self._pg:
            return False
        if rows:
            self._deferred.append((sql, list(rows)))
        return True

    def bulk_insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Insert many rows fast: executemany on SQLite, COPY on PostgreSQL."""
        count = 0
        with translated(f"bulk insert into {table}"):
            if self.dialect.name == "sqlite":
                marks = ", ".join("?" for _ in columns)
                cur = self.raw.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
                )
                count = int(cur.rowcount)
                cur.close()
            else:
                with self.raw.cursor() as cur:
                    stmt = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                    with cur.copy(stmt) as copy:
                        for r in rows:
                            copy.write_row(r)
                            count += 1
        return count

    def changes_at_commit(self, rows: Sequence[tuple[str | None, str, str, str]]) -> bool:
        """Write these change rows (store_id, entity, key, op) at the commit, numbered after the
        transaction's pending ones, if this connection can (PostgreSQL numbering at commit,
        every row of a store, each key once): one insert each instead of a pending row and its
        update. The caller promises that nothing more of the changes table is written in this
        transaction, and that no older change row of these keys is left (new keys, or keys
        whose rows it dropped in this transaction). False: write them yourself."""
        if not (self._pg and self.assign_seqs) or not rows:
            return False
        if any(r[0] is None for r in rows) or len({(r[1], r[2]) for r in rows}) < len(rows):
            return False
        self._at_commit.extend((str(r[0]), r[1], r[2], r[3]) for r in rows)
        return True

    def begin(self, *, exclusive: bool = False) -> None:
        """Start a write transaction. SQLite: ``BEGIN IMMEDIATE`` (one writer at a time).
        PostgreSQL: writers run side by side (each holds the write gate shared); an
        ``exclusive`` one waits for them and holds the gate and the seq lock alone until it
        commits."""
        self._held.clear()
        self._shared.clear()
        self._alone = exclusive
        self._at_commit.clear()
        self._deferred.clear()
        self._behind.clear()
        self._begin_sql = None
        with translated("begin"):
            if self.dialect.name == "sqlite":
                asked = time.perf_counter()
                self.raw.execute("BEGIN IMMEDIATE")
                self._locked_at = time.perf_counter()  # the database's one write lock
                self._lock_waited = self._locked_at - asked
                self._cpu_at = time.thread_time()
                FastSwitch.enter()  # left at COMMIT or ROLLBACK (the lock released)
            elif exclusive:  # the gate alone, and the seq lock (processes of before 013 take it)
                self.raw.execute(
                    f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_GATE_ID}), "
                    f"pg_advisory_xact_lock({ADVISORY_LOCK_ID})"
                )
                self._locked_at = time.perf_counter()
            else:  # sent with the transaction's first statements (:attr:`raw`, :meth:`_simple`)
                self._begin_sql = f"BEGIN; SELECT pg_advisory_xact_lock_shared({WRITE_GATE_ID})"

    def commit(self) -> None:
        """Commit; on PostgreSQL the transaction's pending change rows are numbered in the same
        round trip (:data:`PG_ASSIGN_SEQS`), after the writes handed to the commit
        (:meth:`many_at_commit`: one pipeline, one round trip before it). A failed commit leaves
        no transaction open."""
        granted = None
        timed = self._locked_at is not None and not self._pg and self.wal is not None
        before = self.wal.frames() if timed and self.wal is not None else None
        committing = time.perf_counter()
        try:
            if self._pg:
                granted = self._commit_pg(self.assign_seqs)
            else:
                self._raw.execute("COMMIT")
        except DRIVER_ERRORS as exc:
            self.rollback()
            raise translate(exc, "commit") from exc
        if self._locked_at is not None and not self._pg:  # SQLite: BEGIN IMMEDIATE to here,
            FastSwitch.leave()
            now = time.perf_counter()  # and the COMMIT's own part (its flush, a checkpoint)
            cpu = time.thread_time() - self._cpu_at
            after = self.wal.frames() if timed and self.wal is not None else None
            copied = -1 if before is None or after is None else max(0, after[1] - before[1])
            LockTimes.record(
                now - self._locked_at, now - committing, self._lock_waited, copied, cpu
            )
        elif self._locked_at is not None:  # exclusive: from the grant at BEGIN
            LockTimes.record(time.perf_counter() - self._locked_at)
        elif granted is not None:  # from the grant in clerk_assign_seqs (the same clock here)
            LockTimes.record(time.time() - granted[0], granted[1] - granted[0])
        self._locked_at = None

    def _commit_pg(self, numbered: bool) -> Any:
        """PostgreSQL's commit: the writes handed to the commit as literals (multi-row
        ``VALUES``) in one message (:meth:`_simple`, with the :meth:`begin` if not sent yet),
        then the numbering (``numbered``) and ``COMMIT`` in another — the chain-wide lock is
        taken in a message that does nothing else, by a server process that has just woken
        (sent with the rows, it was held twice as long on a crowded machine: the process had
        been running for them when it took the lock, and was more often descheduled holding
        it), never across a turn of this thread for the GIL. Not numbered: one message. Values
        that cannot be inlined go in a pipeline (:meth:`_write_deferred`). The numbering's
        answer (None: not numbered, or nothing to)."""
        handed = bool(self._deferred or self._at_commit)
        if self._begin_sql is not None and not handed and not self._behind:
            self._begin_sql = None  # nothing was sent or handed over: nothing to commit
            return None
        statements: list[str] = []
        if self._deferred:
            try:
                statements = [
                    text for sql, rows in self._deferred for text in pg_inline_many(sql, rows)
                ]
                self._deferred.clear()
            except NotInlinable:
                statements = []
                self._write_deferred()
        if numbered and self._at_commit:
            columns = (pg_text_array([r[i] for r in self._at_commit]) for i in range(4))
            given = ", ".join(pg_literal(c) for c in columns)
            statements.append(f"SELECT clerk_assign_seqs_given({given})")
            self._at_commit.clear()
        elif numbered:
            statements.append("SELECT clerk_assign_seqs()")
        if numbered and (len(statements) > 1 or self._behind):  # the rows first, apart
            self._simple(statements[:-1]).close()
            statements = statements[-1:]
        cur = self._simple([*statements, "COMMIT"])
        found = None
        while True:  # the numbering's row is the last row of the message
            if cur.description is not None:
                found = cur.fetchone()
            if not cur.nextset():
                break
        cur.close()
        return found[0] if numbered and found is not None else None

    def _write_deferred(self) -> None:
        """PostgreSQL: the writes handed to the commit, in one pipeline (one round trip). Not
        in the numbering's message: a pipeline sends each statement as it is issued, so the
        chain-wide lock would be held across this thread's next turn for the GIL."""
        deferred, self._deferred = self._deferred, []
        with self.raw.pipeline(), self.raw.cursor() as cur:
            for sql, rows in deferred:
                cur.executemany(self._sql(sql), rows)

    @property
    def keyed_locks(self) -> bool:
        """Would :meth:`lock` take anything? False on SQLite (its one writer is alone) and once
        this transaction holds the write gate: callers skip building a batch's keys."""
        return self._pg and not self._alone

    def lock(self, *keys: str, shared: Iterable[str] = ()) -> None:
        """Take keyed locks (PostgreSQL: transaction-level advisory locks on ``hashtext(key)``)
        before reading what a check then writes, e.g. ``m:<member id>``; keys held already in
        this transaction are skipped, the others taken in key order, in one statement. Keys in
        ``shared`` (and not in ``keys``) are taken shared: readers that only rely on what the
        key guards (a Segment track resolving its userId) do not wait for each other, and wait
        for — or hold back — whoever takes the key alone (a bind, a merge); a key held shared
        and asked for alone is taken alone as well. Past :data:`KEYED_LOCKS_MAX` in one
        transaction it takes the write gate alone instead (it waits for the other writers; two
        doing so at once are a deadlock, run again by
        :meth:`~sync.hub.store.HubStore.run_write`). SQLite: nothing to do (its one writer is
        alone)."""
        statement = self._lock_statement(keys, shared)
        if statement is not None:
            self.execute(*statement)

    def _lock_statement(
        self, keys: Iterable[str], shared: Iterable[str]
    ) -> tuple[str, Sequence[Any]] | None:
        """The statement that takes :meth:`lock`'s locks (None: nothing to take), counted as
        held: the caller runs it before anything that relies on them."""
        if not self.keyed_locks:
            return None
        if (
            self._begin_sql is None
            and self._raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        ):
            return None  # a read outside a transaction: nothing to hold
        alone = set(keys) - self._held
        readers = set(shared) - alone - self._held - self._shared
        if not alone and not readers:
            return None
        if len(self._held) + len(self._shared) + len(alone) + len(readers) > KEYED_LOCKS_MAX:
            self._alone = True
            return f"SELECT pg_advisory_xact_lock({WRITE_GATE_ID})", ()
        wanted = sorted([(k, False) for k in alone] + [(k, True) for k in readers])
        self._held.update(alone)
        self._shared.update(readers)
        return (
            f"SELECT CASE WHEN s THEN pg_advisory_xact_lock_shared({KEY_LOCK_CLASS}, "
            f"hashtext(k)) ELSE pg_advisory_xact_lock({KEY_LOCK_CLASS}, hashtext(k)) END "
            "FROM unnest(?::text[], ?::boolean[]) WITH ORDINALITY AS w(k, s, n) ORDER BY n",
            (  # array literals: psycopg's list dumper takes a Python step per element
                pg_text_array([k for k, _ in wanted]),
                "{" + ",".join("t" if s else "f" for _, s in wanted) + "}",
            ),
        )

    def rollback(self) -> None:
        try:
            if self.dialect.name == "sqlite":
                if self._locked_at is not None:
                    FastSwitch.leave()
                self._locked_at = None
                if self._raw.in_transaction:
                    self._raw.execute("ROLLBACK")
            else:
                self._locked_at = None
                self._at_commit.clear()
                self._deferred.clear()
                self._behind.clear()
                if self._begin_sql is not None:  # never sent: nothing to roll back
                    self._begin_sql = None
                    return
                self._raw.execute("ROLLBACK")
        except DRIVER_ERRORS:
            # The connection is broken and its transaction gone with it; the error that
            # caused the rollback is the one the caller needs to see.
            pass

    def close(self) -> None:
        self._begin_sql = None
        self._behind.clear()
        if self._locked_at is not None and not self._pg:  # closed inside a write (shutdown)
            self._locked_at = None
            FastSwitch.leave()
        if self.wal is not None:
            self.wal.close()
        with suppress(*DRIVER_ERRORS):
            self._raw.close()

    def has_table(self, name: str) -> bool:
        if self.dialect.name == "sqlite":
            sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        else:
            sql = (
                "SELECT 1 FROM information_schema.tables WHERE table_name = ? "
                "AND table_schema = current_schema()"
            )
        return self.row(sql, (name,)) is not None


class NotInlinable(Exception):
    """A value :func:`pg_literal` does not write as a literal: sent as a parameter instead."""


def pg_literal(value: Any) -> str:
    """``value`` as a PostgreSQL literal, for a statement sent without parameters (the simple
    query protocol: several statements, one round trip): None, str, int, bool and finite
    floats; else :class:`NotInlinable`. A string is quoted (``E''`` when it holds a backslash,
    whatever ``standard_conforming_strings`` says); one holding NUL raises psycopg's DataError
    as a parameter would (it would cut the message short)."""
    kind = type(value)
    if isinstance(value, str):
        if "\x00" in value:
            raise psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
        if "\\" in value:
            return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
        return "'" + value.replace("'", "''") + "'"
    if value is None:
        return "NULL"
    if kind is int:
        return str(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is float and math.isfinite(value):
        return f"{value!r}::float8"
    raise NotInlinable(kind.__name__)


def pg_inline(sql: str, params: Sequence[Any]) -> str:
    """``sql`` (``?`` placeholders, as everywhere here) with ``params`` written in as literals
    (:func:`pg_literal`); :class:`NotInlinable` when they do not fit."""
    if not params:
        if "?" in sql:
            raise NotInlinable("placeholders without values")
        return sql
    parts = sql.split("?")
    if len(parts) != len(params) + 1:
        raise NotInlinable("placeholders and values differ in number")
    out = [parts[0]]
    for value, part in zip(params, parts[1:], strict=True):
        out.append(pg_literal(value))
        out.append(part)
    return "".join(out)


_VALUES_ROW = re.compile(r"(INSERT INTO [^;?]+ VALUES )\((\?(?:, \?)*)\)")


def pg_inline_many(sql: str, rows: Sequence[Sequence[Any]]) -> list[str]:
    """The statements that run ``sql`` once per row of ``rows``, literals inlined: a plain
    ``INSERT … VALUES (?, …)`` (nothing after it) as one multi-row ``INSERT``, anything else
    one statement a row (:class:`NotInlinable` when a value does not fit)."""
    if not rows:
        return []
    found = _VALUES_ROW.fullmatch(sql)
    if found is None:
        return [pg_inline(sql, row) for row in rows]
    width = found.group(2).count("?")
    if any(len(row) != width for row in rows):
        raise NotInlinable("rows and placeholders differ in width")
    values = ", ".join("(" + ", ".join([pg_literal(v) for v in row]) + ")" for row in rows)
    return [found.group(1) + values]


def pg_text_array(values: Sequence[str]) -> str:
    """``values`` as a PostgreSQL text[] literal, built in a few joins where psycopg's list
    dumper takes a Python step per element (a tenth of the hub's CPU on PostgreSQL): every
    element quoted; backslashes and quotes escaped when there are any."""
    if not values:
        return "{}"
    whole = "".join(values)
    if "\\" in whole or '"' in whole:
        values = [v.replace("\\", "\\\\").replace('"', '\\"') for v in values]
    return '{"' + '","'.join(values) + '"}'


PRIVATE_MODE = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def make_private(path: str) -> None:
    """``path`` exists and is owner-only (0600): created with that mode when missing (never
    through the umask's default), tightened when an existing one we own is looser — and so
    are SQLite's -wal/-shm beside it (SQLite creates those with the database file's mode)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        pass
    else:
        os.close(fd)
    if os.name != "posix":  # modes are POSIX; elsewhere the directory's ACL decides
        return
    for name in (path, *(path + suffix for suffix in SQLITE_SIDE_FILES)):
        try:
            st = os.stat(name)
            if stat.S_IMODE(st.st_mode) & 0o077 and st.st_uid == os.geteuid():
                os.chmod(name, PRIVATE_MODE)
        except FileNotFoundError:
            continue


def connect_sqlite(path: str) -> Conn:
    with translated(f"open {path}"):
        try:
            make_private(path)
        except OSError as exc:
            raise StorageFailure(f"cannot create {path}: {exc}", reason="bad_db") from exc
        raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        raw.execute("PRAGMA journal_mode = WAL")
        # FULL: an acknowledged interaction survives a power cut (the terminal then drops it).
        raw.execute("PRAGMA synchronous = FULL")
        raw.execute("PRAGMA cache_size = -65536")
        raw.execute("PRAGMA temp_store = MEMORY")
        # The WAL is copied back every SQLITE_WAL_PAGES pages, not SQLite's 1,000: an index
        # page written by many commits in between is copied once. By the process's
        # checkpointer (sync.hub.checkpoint), off the writers' path: a COMMIT only appends.
        pages = 0 if checkpointer_enabled() else SQLITE_WAL_PAGES
        raw.execute(f"PRAGMA wal_autocheckpoint = {pages}")
    conn = Conn(raw, SQLITE)
    if os.environ.get(LOCK_TIMES_ENV):
        conn.wal = WalIndex(path)
    return conn


def connect_pg(url: str) -> Conn:
    with translated("connect to PostgreSQL"):
        raw = psycopg.connect(url, autocommit=True, connect_timeout=10)
    return Conn(raw, POSTGRES)


_PG_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"


def pg_warm(conn: Conn) -> int:
    """PostgreSQL: have ``conn``'s server process read the catalog entries of every table of
    the schema and of its indexes (each table planned once, ``LIMIT 0``: nothing read), in two
    round trips — what its first statement on each table would otherwise do while a request
    waits. The number of tables."""
    if conn.dialect.name != "postgres":
        raise NotInlinable("warming a server process is PostgreSQL's")
    with translated("warm a connection"):
        tables = [str(r[0]) for r in conn.raw.execute(_PG_TABLES, prepare=False).fetchall()]
        if tables:
            each = psycopg.sql.SQL("SELECT NULL FROM {} LIMIT 0")
            text = psycopg.sql.SQL("; ").join(
                each.format(psycopg.sql.Identifier(t)) for t in tables
            )
            conn.raw.execute(text, prepare=False).close()
    return len(tables)


# --- migrations ------------------------------------------------------------------------------


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, SQL text) of every ``sync/hub/schema/NNN_name.sql``, in order."""
    folder = resources.files("sync.hub") / "schema"
    found: list[tuple[int, str, str]] = []
    for entry in folder.iterdir():
        m = re.fullmatch(r"(\d{3})_(\w+)\.sql", entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def statements(text: str, dialect: Dialect) -> list[str]:
    """A migration's statements in ``dialect`` (comments dropped, tokens replaced)."""
    lines = [line.split("--", 1)[0] for line in text.splitlines()]
    body = "\n".join(lines)
    body = body.replace("{{SERIAL}}", dialect.serial).replace("{{BIGINT}}", dialect.bigint)
    return [s.strip() for s in body.split(";") if s.strip()]
