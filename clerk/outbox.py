"""outbox.db — the precious file: every interaction the associate records.

Each interaction is written, with a client-generated UUIDv7 and a per-device sequence number,
in one ``synchronous=FULL`` transaction — after its payload is validated against its kind
(:mod:`clerk.shared.interactions`, the same rules the hub applies): what the hub would refuse
for its shape is never saved. The payload is stored as the vocabulary writes it. That row *is*
the local effect: the customer view overlays the outbox (a redeemed coupon shows as used, a
visit shows in the history) so no second file has to commit atomically with it. Rows are
never deleted before the hub acked them.

States: pending → sent (handed to the hub, answer unknown) → acked | rejected | conflict,
or → attention. A ``sent`` row whose answer was lost is pushed again; the hub answers repeats
idempotently.

A row the hub fails on by itself (pushed alone, answered with an error that is not transient)
is a *poison suspect*: ``item_failures`` counts those failures and the row goes to the back of
the queue (``next_batch`` sends fresh rows first), so it never holds up the rows behind it.
After ``MAX_ITEM_FAILURES`` such failures — while the hub accepted other rows since the first —
the sync engine parks it in ``attention`` with the hub's answer kept in ``reason``: no longer
retried, counted by ``status()``, listed by ``needs_attention()`` for a manager and by
``clerk doctor``; ``retry_parked`` puts it back in the queue.

A row left for a person — ``rejected`` by the hub, or parked in ``attention`` — is never stuck
(:mod:`clerk.rejected` holds who may do what): :func:`fix` records a NEW row (new id, next
sequence) with the corrected payload that ``supersedes`` it, and the old row becomes
``corrected``; :func:`close` ends it as ``withdrawn`` or ``dismissed`` (with who and why).
Those three are *archived*: kept, never sent, never counted (:data:`ARCHIVED`).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk.db import Transaction, connect
from clerk.errors import ClerkError, StorageError
from clerk.ids import uuid7_str
from clerk.migrate import LazyMigrations

if TYPE_CHECKING:
    from sqlite_utils.db import Database

    from clerk.shared.interactions import Payload

UNSETTLED = ("pending", "sent")
CLONE_REASON = "device_seq_reused"  # the hub's reason when a device's sequence repeats
FINAL = ("acked", "rejected", "conflict")
PARKED = "attention"  # the hub failed on the row by itself, again and again: a person looks
MAX_ITEM_FAILURES = 3  # failures of a row pushed alone before it is parked
FOR_A_PERSON = ("rejected", PARKED)  # open: a person fixes, withdraws or dismisses them
CORRECTED = "corrected"  # a fixed copy (a new row that ``supersedes`` it) was recorded
WITHDRAWN = "withdrawn"  # the associate (or a manager) took it back
DISMISSED = "dismissed"  # a manager closed it, with a reason
ARCHIVED = (CORRECTED, WITHDRAWN, DISMISSED)  # kept, never sent, never counted

migrations = LazyMigrations("clerk.outbox")


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE interactions (
            id TEXT PRIMARY KEY,          -- UUIDv7, generated here
            device_seq INTEGER NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            member_id TEXT,
            member_ref TEXT,              -- scanned identity when the member was not cached
            staff_id TEXT,
            payload TEXT NOT NULL DEFAULT '{}',
            created_at INTEGER NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_attempt_at INTEGER,
            last_error TEXT,
            reason TEXT,                  -- hub's reason for rejected / conflict
            conflict_with TEXT,
            settled_at INTEGER
        );
        CREATE INDEX interactions_state ON interactions(state, id);
        CREATE INDEX interactions_member ON interactions(member_id, created_at);
        CREATE INDEX interactions_created ON interactions(created_at);
        CREATE TABLE outbox_meta (key TEXT PRIMARY KEY, value TEXT);
        """
    )


@migrations()
def m002_staff_audit(db: Database) -> None:
    """Sign-in lockouts and the append-only, hash-chained audit log (clerk/audit.py)."""
    db.executescript(
        """
        CREATE TABLE audit_log (
            seq INTEGER PRIMARY KEY,      -- 1, 2, 3 … no gaps
            id TEXT NOT NULL UNIQUE,      -- UUIDv7
            at INTEGER NOT NULL,
            staff_id TEXT,
            action TEXT NOT NULL,         -- signin, signin_failed, lockout, view_customer, …
            detail TEXT NOT NULL DEFAULT '{}',
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,           -- sha256(prev_hash | canonical row)
            synced INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE signin_failures (
            staff_id TEXT PRIMARY KEY,
            failures INTEGER NOT NULL DEFAULT 0,
            locked_until INTEGER
        );
        """
    )


@migrations()
def m003_item_failures(db: Database) -> None:
    """Poison suspects: how often the hub failed on the row pushed alone, and since when."""
    db.executescript(
        """
        ALTER TABLE interactions ADD COLUMN item_failures INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE interactions ADD COLUMN item_failed_since INTEGER;
        """
    )


@migrations()
def m005_audit_by_sequence(db: Database) -> None:
    """Audit rows reach the hub by sequence (clerk/audit.py): the last row the hub acknowledged
    becomes a mark in outbox_meta (``audit_acked``), outside the hashed rows; the per-row
    ``synced`` flag, which an upload could be made to skip, goes. So does the hub's full
    phone-hash key, which older hubs handed to every terminal (clerk/shared/phones.py): with it,
    anyone holding the terminal's files could recover every cached member's number."""
    conn = db.conn
    secure = int(conn.execute("PRAGMA secure_delete").fetchone()[0])
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("DELETE FROM outbox_meta WHERE key = 'phone_hash_key'")
    conn.execute(f"PRAGMA secure_delete = {secure}")
    columns = {str(r[1]) for r in conn.execute("PRAGMA table_info(audit_log)")}
    if "synced" in columns:
        first_unsent = conn.execute("SELECT min(seq) FROM audit_log WHERE synced = 0").fetchone()
        if first_unsent[0] is None:
            mark = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        else:
            mark = conn.execute(
                "SELECT seq, hash FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT 1",
                (int(first_unsent[0]),),
            )
        found = mark.fetchone()
        if found is not None:
            conn.execute(
                "INSERT OR REPLACE INTO outbox_meta (key, value) VALUES ('audit_acked', ?)",
                (f"{int(found[0])}:{found[1]}",),
            )
        conn.execute("ALTER TABLE audit_log DROP COLUMN synced")


@migrations()
def m007_drafts(db: Database) -> None:
    """Half-typed forms kept per staff member, customer and form (clerk/drafts.py)."""
    db.executescript(
        """
        CREATE TABLE drafts (
            staff_id TEXT NOT NULL,
            member_key TEXT NOT NULL,
            form TEXT NOT NULL,
            body TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (staff_id, member_key, form)
        );
        """
    )


@migrations()
def m010_corrections(db: Database) -> None:
    """Rejected and parked rows can be fixed (a new row naming the old one in ``supersedes``),
    withdrawn or dismissed: who closed a row, when and why."""
    db.executescript(
        """
        ALTER TABLE interactions ADD COLUMN supersedes TEXT;
        ALTER TABLE interactions ADD COLUMN closed_by TEXT;
        ALTER TABLE interactions ADD COLUMN closed_at INTEGER;
        ALTER TABLE interactions ADD COLUMN closed_reason TEXT;
        CREATE INDEX interactions_supersedes ON interactions(supersedes)
            WHERE supersedes IS NOT NULL;
        """
    )


@migrations()
def m008_provisional_members(db: Database) -> None:
    """Members signed up at the counter (clerk/signup.py), served under their provisional id
    until the hub answers with the real one (``member_id``): what the terminal shows of them —
    the number's tail, bucket and masked form only, never the number."""
    db.executescript(
        """
        CREATE TABLE provisional_members (
            id TEXT PRIMARY KEY,          -- P-<uuid7>
            signup_id TEXT NOT NULL UNIQUE,  -- the signup interaction
            name TEXT NOT NULL,
            phone_last4 TEXT,
            phone_bucket INTEGER,
            phone_masked TEXT,
            birthday TEXT,
            consent_marketing INTEGER NOT NULL DEFAULT 0,
            consent_browsing INTEGER NOT NULL DEFAULT 0,
            consent_version TEXT NOT NULL,
            store_id TEXT,
            staff_id TEXT,
            created_at INTEGER NOT NULL,
            member_id TEXT                -- the hub's member, once it answered
        );
        CREATE INDEX provisional_members_created ON provisional_members(created_at);
        CREATE INDEX provisional_members_phone ON provisional_members(phone_last4, phone_bucket);
        """
    )


@dataclass(frozen=True)
class Recorded:
    id: str
    kind: str
    member_id: str | None
    member_ref: str | None
    staff_id: str | None
    created_at: int
    device_seq: int
    payload: dict[str, Any] = field(default_factory=dict)
    state: str = "pending"
    supersedes: str | None = None  # the rejected or parked row this one corrects

    def wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "member_id": self.member_id,
            "member_ref": self.member_ref,
            "staff_id": self.staff_id,
            "created_at": self.created_at,
            "device_seq": self.device_seq,
            "payload": self.payload,
        }


def open_outbox(path: Path | str) -> sqlite3.Connection:
    conn = connect(path, synchronous="FULL")
    try:
        migrations.ensure(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StorageError(f"outbox.db cannot be opened or migrated: {exc}") from exc
    return conn


def _row(r: sqlite3.Row) -> Recorded:
    return Recorded(
        id=r["id"],
        kind=r["kind"],
        member_id=r["member_id"],
        member_ref=r["member_ref"],
        staff_id=r["staff_id"],
        created_at=r["created_at"],
        device_seq=r["device_seq"],
        payload=json.loads(r["payload"]),
        state=r["state"],
        supersedes=r["supersedes"],
    )


def record(
    conn: sqlite3.Connection,
    kind: str,
    *,
    member_id: str | None = None,
    member_ref: str | None = None,
    staff_id: str | None = None,
    payload: Payload | Mapping[str, Any] | None = None,
    now: int | None = None,
    supersedes: str | None = None,
) -> Recorded:
    """Durably record one interaction; returns only once it is on disk (synchronous=FULL).

    ``payload`` (typed, or its JSON object) must be what ``kind`` takes, and a kind about a
    member needs ``member_id`` or ``member_ref``: InvalidInteraction (a ValueError with the
    reason and the field) otherwise, and nothing is written. A walk-in visit has neither.
    ``supersedes``: the id of an open rejected or parked row of the same kind and member that
    this one corrects; it becomes ``corrected`` in the same transaction (NotOpenError, and
    nothing written, when there is no such row)."""
    # pydantic comes with the vocabulary: loaded with the first record, not at the app start
    from clerk.shared import interactions

    typed = interactions.validate(kind, payload)
    if interactions.needs_member(kind, member_id, member_ref):
        raise interactions.InvalidInteraction(
            kind, "needs_member", None, "needs a member_id or a member_ref"
        )
    created = int(time.time()) if now is None else now
    body = interactions.dump(typed)
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    iid = uuid7_str()
    with Transaction(conn):
        if supersedes is not None:
            old = _open_row(conn, supersedes)
            if (old["kind"], old["member_id"], old["member_ref"]) != (kind, member_id, member_ref):
                raise NotOpenError(
                    f"{supersedes} is a {old['kind']} of another customer: not corrected by this",
                    reason="not_same_record",
                )
            conn.execute(
                "UPDATE interactions SET state = ?, closed_by = ?, closed_at = ? WHERE id = ?",
                (CORRECTED, staff_id, created, supersedes),
            )
        seq_row = conn.execute("SELECT coalesce(max(device_seq), 0) + 1 FROM interactions")
        seq = int(seq_row.fetchone()[0])
        conn.execute(
            "INSERT INTO interactions (id, device_seq, kind, member_id, member_ref, staff_id,"
            " payload, created_at, supersedes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (iid, seq, kind, member_id, member_ref, staff_id, text, created, supersedes),
        )
    return Recorded(
        iid, kind, member_id, member_ref, staff_id, created, seq, body, supersedes=supersedes
    )


class NotOpenError(ClerkError):
    """The row is not one left for a person (rejected or parked): unknown, already fixed,
    withdrawn or dismissed, or still on its way."""

    reason = "not_open"


def _open_row(conn: sqlite3.Connection, iid: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM interactions WHERE id = ?", (iid,)).fetchone()
    if row is None:
        raise NotOpenError(f"no record {iid} in the outbox", reason="unknown_record")
    if row["state"] not in FOR_A_PERSON:
        raise NotOpenError(f"record {iid} is {row['state']}, not rejected or parked")
    return row  # type: ignore[no-any-return]


def fix(
    conn: sqlite3.Connection,
    iid: str,
    payload: Payload | Mapping[str, Any],
    *,
    staff_id: str | None,
    now: int | None = None,
) -> Recorded:
    """Record the corrected copy of the open row ``iid``: a new row (new id, next sequence,
    same kind and customer, ``staff_id`` who fixed it) superseding it; ``iid`` becomes
    ``corrected``. The payload is validated like any record."""
    old = _open_row(conn, iid)
    return record(
        conn,
        str(old["kind"]),
        member_id=old["member_id"],
        member_ref=old["member_ref"],
        staff_id=staff_id,
        payload=payload,
        now=now,
        supersedes=iid,
    )


def close(
    conn: sqlite3.Connection,
    iid: str,
    state: str,
    *,
    staff_id: str | None,
    reason: str | None,
    now: int,
) -> Recorded:
    """End the open row ``iid`` as ``withdrawn`` or ``dismissed`` (kept, never sent, never
    counted); returns it as it was."""
    if state not in (WITHDRAWN, DISMISSED):
        raise ValueError(f"a row is closed as withdrawn or dismissed, not {state!r}")
    with Transaction(conn):
        old = _open_row(conn, iid)
        conn.execute(
            "UPDATE interactions SET state = ?, closed_by = ?, closed_at = ?, closed_reason = ?"
            " WHERE id = ?",
            (state, staff_id, now, (reason or "")[:500] or None, iid),
        )
    return _row(old)


def next_batch(
    conn: sqlite3.Connection, *, max_items: int = 500, max_bytes: int = 900_000
) -> list[Recorded]:
    """The oldest unsettled interactions, bounded by count and by encoded size — rows the hub
    has never failed on first, poison suspects (``item_failures`` > 0) after them."""
    out: list[Recorded] = []
    size = 0
    rows = conn.execute(
        "SELECT * FROM interactions WHERE state IN ('pending', 'sent')"
        " ORDER BY item_failures > 0, id LIMIT ?",
        (max_items,),
    )
    for r in rows:
        rec = _row(r)
        n = len(json.dumps(rec.wire(), ensure_ascii=False)) + 2
        if out and size + n > max_bytes:
            break
        out.append(rec)
        size += n
    return out


def mark_sent(conn: sqlite3.Connection, ids: Iterable[str], *, now: int | None = None) -> None:
    at = int(time.time()) if now is None else now
    with Transaction(conn):
        conn.executemany(
            "UPDATE interactions SET state = CASE WHEN state = 'pending' THEN 'sent' ELSE state"
            " END, attempts = attempts + 1, last_attempt_at = ? WHERE id = ?",
            [(at, i) for i in ids],
        )


def mark_failed(conn: sqlite3.Connection, ids: Iterable[str], error: str) -> None:
    """Remember why a push attempt failed (the rows stay unsettled and are retried)."""
    with Transaction(conn):
        conn.executemany(
            "UPDATE interactions SET last_error = ? WHERE id = ? AND state IN ('pending','sent')",
            [(error[:500], i) for i in ids],
        )


def note_item_failure(conn: sqlite3.Connection, iid: str, answer: str, *, now: int) -> int:
    """The hub failed on this row pushed alone (``answer``: what it said). The row stays
    unsettled and goes to the back of the queue; returns its count of such failures."""
    with Transaction(conn):
        conn.execute(
            "UPDATE interactions SET item_failures = item_failures + 1,"
            " item_failed_since = coalesce(item_failed_since, ?), last_error = ?"
            " WHERE id = ? AND state IN ('pending', 'sent')",
            (now, answer[:500], iid),
        )
        row = conn.execute("SELECT item_failures FROM interactions WHERE id = ?", (iid,))
        found = row.fetchone()
    return 0 if found is None else int(found[0])


def item_failed_since(conn: sqlite3.Connection, iid: str) -> int | None:
    row = conn.execute("SELECT item_failed_since FROM interactions WHERE id = ?", (iid,))
    found = row.fetchone()
    return None if found is None or found[0] is None else int(found[0])


def park(conn: sqlite3.Connection, iid: str, answer: str, *, now: int) -> None:
    """Stop retrying a row the hub keeps failing on; keep the hub's answer for a person."""
    with Transaction(conn):
        conn.execute(
            "UPDATE interactions SET state = ?, reason = ?, last_error = ?, settled_at = ?"
            " WHERE id = ? AND state IN ('pending', 'sent')",
            (PARKED, answer[:500], answer[:500], now, iid),
        )


def retry_parked(conn: sqlite3.Connection, ids: Iterable[str]) -> int:
    """Put parked rows back in the queue (the hub was fixed); returns how many."""
    with Transaction(conn):
        cur = conn.executemany(
            "UPDATE interactions SET state = 'pending', item_failures = 0,"
            " item_failed_since = NULL, settled_at = NULL WHERE id = ? AND state = ?",
            [(i, PARKED) for i in ids],
        )
        return int(cur.rowcount)


@dataclass(frozen=True)
class Parked:
    """A row parked in ``attention``: what it is, how often it was tried, what the hub said."""

    id: str
    kind: str
    member_id: str | None
    member_ref: str | None
    created_at: int
    attempts: int
    parked_at: int | None
    hub_answer: str


def needs_attention(conn: sqlite3.Connection, limit: int = 200) -> list[Parked]:
    """The parked rows, newest first — for the manager's conflicts panel and clerk doctor."""
    rows = conn.execute(
        "SELECT id, kind, member_id, member_ref, created_at, attempts, settled_at, reason"
        " FROM interactions WHERE state = ? ORDER BY id DESC LIMIT ?",
        (PARKED, limit),
    )
    return [
        Parked(
            str(r[0]),
            str(r[1]),
            r[2],
            r[3],
            int(r[4]),
            int(r[5]),
            None if r[6] is None else int(r[6]),
            str(r[7] or ""),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Settled:
    """A row left for a person (rejected or parked), or one archived (corrected, withdrawn,
    dismissed), with what the hub said and who closed it."""

    id: str
    kind: str
    member_id: str | None
    member_ref: str | None
    staff_id: str | None
    created_at: int
    state: str
    reason: str | None  # the hub's answer
    payload: dict[str, Any]
    closed_by: str | None = None
    closed_at: int | None = None
    closed_reason: str | None = None
    superseded_by: str | None = None  # the corrected copy, for a ``corrected`` row


def _settled(
    conn: sqlite3.Connection, states: tuple[str, ...], limit: int, iid: str | None = None
) -> list[Settled]:
    marks = ",".join("?" * len(states))
    one = "" if iid is None else " AND i.id = ?"
    rows = conn.execute(
        "SELECT i.id, i.kind, i.member_id, i.member_ref, i.staff_id, i.created_at, i.state,"
        " i.reason, i.payload, i.closed_by, i.closed_at, i.closed_reason,"
        " (SELECT n.id FROM interactions n WHERE n.supersedes = i.id LIMIT 1)"
        f" FROM interactions i WHERE i.state IN ({marks}){one} ORDER BY i.id DESC LIMIT ?",
        (*states, *(() if iid is None else (iid,)), limit),
    )
    out = []
    for r in rows:
        try:
            body = json.loads(r[8])
        except ValueError:
            body = {}
        out.append(
            Settled(
                str(r[0]), str(r[1]), r[2], r[3], r[4], int(r[5]), str(r[6]), r[7],
                body if isinstance(body, dict) else {}, r[9], r[10], r[11], r[12],
            )
        )  # fmt: skip
    return out


def for_a_person(conn: sqlite3.Connection, limit: int = 200) -> list[Settled]:
    """The open rejected and parked rows, newest first: each waits for a fix, a withdrawal or
    a dismissal."""
    return _settled(conn, FOR_A_PERSON, limit)


def archived(conn: sqlite3.Connection, limit: int = 200) -> list[Settled]:
    """The corrected, withdrawn and dismissed rows, newest first (the "archived" filter)."""
    return _settled(conn, ARCHIVED, limit)


def settled_row(conn: sqlite3.Connection, iid: str) -> Settled | None:
    """One row as :class:`Settled` (any state), None when unknown."""
    row = conn.execute("SELECT state FROM interactions WHERE id = ?", (iid,)).fetchone()
    found = [] if row is None else _settled(conn, (str(row[0]),), 1, iid)
    return found[0] if found else None


def apply_results(
    conn: sqlite3.Connection, results: Iterable[Mapping[str, Any]], *, now: int | None = None
) -> dict[str, int]:
    """Settle interactions from the hub's per-item answers. Returns counts by status."""
    at = int(time.time()) if now is None else now
    counts: dict[str, int] = {}
    state_for = {
        "accepted": "acked",
        "duplicate": "acked",
        "conflict": "conflict",
        "rejected": "rejected",
    }
    with Transaction(conn):
        for res in results:
            status = str(res["status"])
            state = state_for.get(status)
            if state is None:
                raise ValueError(f"unknown result status from hub: {status!r}")
            if status == "duplicate" and res.get("reason") == CLONE_REASON:
                # Another terminal used this device's sequence number: this one (or that one)
                # is a copy of a disk image. The hub kept the row but applied nothing; show it
                # to a manager instead of calling it delivered.
                state = "conflict"
            conn.execute(
                "UPDATE interactions SET state = ?, reason = ?, conflict_with = ?,"
                " settled_at = ?, last_error = NULL WHERE id = ?",
                (state, res.get("reason"), res.get("conflict_with"), at, res["id"]),
            )
            if res.get("member_id") and state == "acked":
                resolve_provisional(conn, str(res["id"]), str(res["member_id"]))
            counts[status] = counts.get(status, 0) + 1
    return counts


def resolve_provisional(conn: sqlite3.Connection, signup_id: str, member_id: str) -> int:
    """The hub answered sign-up ``signup_id`` with its real member: remember it, and rewrite
    the member of this provisional member's records the hub has never been sent (pending, no
    attempt) — inside the caller's transaction, so the answer and the rewrite commit together.
    Rows already sent keep the provisional id: the hub resolves it (its provisional → real
    map), and rewriting them would change what a repeat of theirs says (``id_reused``).
    Returns the rows rewritten."""
    row = conn.execute(
        "SELECT id FROM provisional_members WHERE signup_id = ?", (signup_id,)
    ).fetchone()
    if row is None:
        return 0
    provisional = str(row[0])
    conn.execute(
        "UPDATE provisional_members SET member_id = ? WHERE id = ?", (member_id, provisional)
    )
    cur = conn.execute(
        "UPDATE interactions SET member_id = ? WHERE member_id = ? AND state = 'pending'"
        " AND attempts = 0",
        (member_id, provisional),
    )
    return int(cur.rowcount)


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    acked: int
    rejected: int
    conflict: int
    oldest_pending_at: int | None
    last_error: str | None
    clone_suspected: bool = False  # the hub saw this device's sequence numbers twice
    attention: int = 0  # parked: the hub failed on them by themselves, retries stopped


def status(conn: sqlite3.Connection) -> OutboxStatus:
    counts = dict(
        conn.execute("SELECT state, count(*) FROM interactions GROUP BY state").fetchall()
    )
    oldest = conn.execute(
        "SELECT min(created_at) FROM interactions WHERE state IN ('pending','sent')"
    ).fetchone()[0]
    err = conn.execute(
        "SELECT last_error FROM interactions WHERE state IN ('pending','sent')"
        " AND last_error IS NOT NULL ORDER BY last_attempt_at DESC LIMIT 1"
    ).fetchone()
    clone = conn.execute(
        "SELECT 1 FROM interactions WHERE state = 'conflict' AND reason = ? LIMIT 1",
        (CLONE_REASON,),
    ).fetchone()
    return OutboxStatus(
        clone_suspected=clone is not None,
        pending=counts.get("pending", 0) + counts.get("sent", 0),
        acked=counts.get("acked", 0),
        rejected=counts.get("rejected", 0),
        conflict=counts.get("conflict", 0),
        attention=counts.get(PARKED, 0),
        oldest_pending_at=oldest,
        last_error=err[0] if err else None,
    )


def unsettled(conn: sqlite3.Connection, *, batch: int = 1000) -> Iterator[Recorded]:
    """Every row not settled yet (pending or sent), oldest first — what a push would still
    send (``clerk outbox export``)."""
    last = ""
    while True:
        rows = conn.execute(
            "SELECT * FROM interactions WHERE state IN ('pending', 'sent') AND id > ?"
            " ORDER BY id LIMIT ?",
            (last, batch),
        ).fetchall()
        if not rows:
            return
        for r in rows:
            yield _row(r)
        last = rows[-1]["id"]


def get(conn: sqlite3.Connection, iid: str) -> Recorded | None:
    r = conn.execute("SELECT * FROM interactions WHERE id = ?", (iid,)).fetchone()
    return None if r is None else _row(r)


# Device credentials and other precious terminal facts live in outbox_meta (outbox.db is never
# rebuilt, unlike cache.db). Keys used across the code base:
META_DEVICE_ID = "device_id"
META_TOKEN = "token"
META_STORE_ID = "store_id"
META_STORE_NAME = "store_name"
META_HUB_URL = "hub_url"
# What the terminal needs to take a typed phone (clerk/shared/phones.py): the bucket key and
# the hub's public sealing key. (The hub's full phone-hash key is not kept here any more.)
META_PHONE_BUCKET_KEY = "phone_bucket_key"
META_PHONE_SEAL_KEY = "phone_seal_key"
META_DEVICE_SECRET = "device_secret"  # the long-lived credential; META_TOKEN: an access token
META_DEVICE_REVOKED_AT = "device_revoked_at"  # the hub said this device was revoked (unix s)


def get_meta(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM outbox_meta WHERE key = ?", (key,)).fetchone()
    return default if row is None else row[0]


def set_meta(conn: sqlite3.Connection, values: Mapping[str, str | None]) -> None:
    with Transaction(conn):
        conn.executemany(
            "INSERT INTO outbox_meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            list(values.items()),
        )
