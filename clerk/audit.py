"""The audit log: append-only, hash-chained rows in outbox.db ``audit_log``.

Each row's ``hash`` is ``sha256(prev_hash + canonical JSON of {seq, id, at, staff_id, action,
detail})`` (:mod:`clerk.shared.auditchain`, which the hub shares); the first row's
``prev_hash`` is 64 zeros. ``verify`` walks the chain and finds the first row that was edited,
deleted (a gap in ``seq``) or moved. The newest ``seq:hash`` is also kept in ``outbox_meta``
(key ``audit_head``, written in the same transaction as the row), so cutting rows off the end
is detected too.

Delivery to the hub is by sequence, never by a per-row flag: ``outbox_meta`` key
``audit_acked`` holds the ``seq:hash`` of the last row the hub acknowledged (outside the hashed
rows), and every row after it is uploaded, in order (:func:`to_upload`, :func:`to_interaction`;
the sync engine calls :func:`mark_acked` with the last row of the leading run the hub
answered). Moving that mark forward by hand does not hide rows either: the next row uploaded
does not chain onto what the hub holds, and the hub flags the gap. The hub keeps each
device's last acknowledged ``(seq, hash)``; :func:`compare_with_hub` checks the local chain
against it, which catches a rewrite that is consistent locally.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clerk.db import Transaction
from clerk.ids import uuid7_str
from clerk.shared.auditchain import GENESIS, row_hash

HEAD_KEY = "audit_head"  # outbox_meta key: "<seq>:<hash>" of the newest row
ACKED_KEY = "audit_acked"  # outbox_meta key: "<seq>:<hash>" of the last row the hub acked

ACTIONS = (
    "signin",
    "signin_failed",
    "lockout",
    "signout",
    "view_customer",
    "export",
    "redeem",
    "settings_change",
    "record_fix",  # a rejected or parked record corrected (clerk/rejected.py)
    "record_withdraw",
    "record_dismiss",
)


@dataclass(frozen=True)
class AuditRow:
    seq: int
    id: str
    at: int
    staff_id: str | None
    action: str
    detail: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    first_bad_seq: int | None
    checked: int
    # None when ok; else edited | gap | chain | head | malformed (the local chain), or
    # hub_missing | hub_mismatch | acked_ahead | hub_flagged (compared with the hub)
    reason: str | None = None


def append(
    conn: sqlite3.Connection,
    action: str,
    staff_id: str | None,
    detail: Mapping[str, Any] | None,
    now: int,
) -> AuditRow:
    """Append one row and return it: in its own BEGIN IMMEDIATE transaction, or as part of
    the caller's open :class:`~clerk.db.Transaction` on ``conn`` (a writable outbox.db
    connection), committed with it.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action!r}")
    body = dict(detail or {})
    detail_text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    rid = uuid7_str()
    at = int(now)
    with Transaction(conn):
        last = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        seq = 1 if last is None else int(last[0]) + 1
        prev = GENESIS if last is None else str(last[1])
        digest = row_hash(prev, seq, rid, at, staff_id, action, body)
        conn.execute(
            "INSERT INTO audit_log (seq, id, at, staff_id, action, detail, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, rid, at, staff_id, action, detail_text, prev, digest),
        )
        conn.execute(
            "INSERT INTO outbox_meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (HEAD_KEY, f"{seq}:{digest}"),
        )
    return AuditRow(seq, rid, at, staff_id, action, body, prev, digest)


def _to_row(r: sqlite3.Row | tuple[Any, ...]) -> AuditRow:
    detail = json.loads(r[5])
    if not isinstance(detail, dict):
        raise ValueError("audit detail is not a JSON object")
    return AuditRow(
        seq=int(r[0]),
        id=str(r[1]),
        at=int(r[2]),
        staff_id=r[3],
        action=str(r[4]),
        detail=detail,
        prev_hash=str(r[6]),
        hash=str(r[7]),
    )


_COLUMNS = "seq, id, at, staff_id, action, detail, prev_hash, hash"


def verify(conn: sqlite3.Connection) -> VerifyResult:
    """Walk the whole chain in ``seq`` order; report the first row that does not fit."""
    prev = GENESIS
    expected = 1
    checked = 0
    for r in conn.execute(f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq"):
        seq = int(r[0])
        if seq != expected:  # rows deleted from the middle (or the start)
            return VerifyResult(False, expected, checked, "gap")
        try:
            row = _to_row(r)
        except (ValueError, TypeError):
            return VerifyResult(False, seq, checked, "malformed")
        if row.prev_hash != prev:  # moved, or the row before it was replaced
            return VerifyResult(False, seq, checked, "chain")
        digest = row_hash(prev, seq, row.id, row.at, row.staff_id, row.action, row.detail)
        if digest != row.hash:
            return VerifyResult(False, seq, checked, "edited")
        checked += 1
        prev = row.hash
        expected += 1
    head = conn.execute("SELECT value FROM outbox_meta WHERE key = ?", (HEAD_KEY,)).fetchone()
    if head is not None:
        head_seq_text, _, head_hash = str(head[0]).partition(":")
        try:
            head_seq = int(head_seq_text)
        except ValueError:
            return VerifyResult(False, expected, checked, "head")
        last = expected - 1
        if head_seq > last:  # rows cut off the end: the first missing one
            return VerifyResult(False, expected, checked, "head")
        if head_seq < last:  # rows added behind append()'s back
            return VerifyResult(False, head_seq + 1, checked, "head")
        if head_hash != prev:  # the newest row was replaced
            return VerifyResult(False, last, checked, "head")
    elif checked:
        return VerifyResult(False, 1, checked, "head")
    return VerifyResult(True, None, checked, None)


def rows(conn: sqlite3.Connection, *, since_seq: int = 0, limit: int = 1000) -> list[AuditRow]:
    cur = conn.execute(
        f"SELECT {_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?", (since_seq, limit)
    )
    return [_to_row(r) for r in cur]


def _mark(conn: sqlite3.Connection, key: str) -> tuple[int, str]:
    row = conn.execute("SELECT value FROM outbox_meta WHERE key = ?", (key,)).fetchone()
    if row is None:
        return 0, GENESIS
    seq_text, _, digest = str(row[0]).partition(":")
    try:
        return max(0, int(seq_text)), digest
    except ValueError:
        return 0, GENESIS


def acked(conn: sqlite3.Connection) -> tuple[int, str]:
    """(seq, hash) of the last row the hub acknowledged; (0, GENESIS) before the first."""
    return _mark(conn, ACKED_KEY)


def to_upload(conn: sqlite3.Connection, limit: int = 500) -> list[AuditRow]:
    """The rows after the hub's acknowledged one, oldest first: what the next upload sends."""
    since, _ = acked(conn)
    return rows(conn, since_seq=since, limit=limit)


def pending(conn: sqlite3.Connection) -> int:
    """How many rows the hub has not acknowledged yet."""
    since, _ = acked(conn)
    return int(conn.execute("SELECT count(*) FROM audit_log WHERE seq > ?", (since,)).fetchone()[0])


def mark_acked(conn: sqlite3.Connection, row: AuditRow) -> bool:
    """The hub acknowledged every row up to ``row``: move the mark there (forward only).
    Returns whether it moved."""
    with Transaction(conn):
        since, _ = acked(conn)
        if row.seq <= since:
            return False
        conn.execute(
            "INSERT INTO outbox_meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (ACKED_KEY, f"{row.seq}:{row.hash}"),
        )
    return True


@dataclass(frozen=True)
class HubHead:
    """What the hub holds of this device's chain: its last acknowledged row, and how many
    problems it flagged (gaps, rewrites, rows that do not match their hash)."""

    seq: int
    hash: str
    flags: int = 0


def compare_with_hub(conn: sqlite3.Connection, hub: HubHead) -> VerifyResult:
    """The local chain against the hub's acknowledged row (after :func:`verify` passed): the
    row the hub acknowledged must be here with the hash the hub holds; the local mark must not
    be ahead of the hub; and the hub must have flagged nothing for this device."""
    checked = int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])
    if hub.seq > 0:
        row = conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (hub.seq,)).fetchone()
        if row is None:
            return VerifyResult(False, hub.seq, checked, "hub_missing")
        if str(row[0]) != hub.hash:
            return VerifyResult(False, hub.seq, checked, "hub_mismatch")
    local_seq, _ = acked(conn)
    if local_seq > hub.seq:
        return VerifyResult(False, hub.seq + 1, checked, "acked_ahead")
    if hub.flags:
        return VerifyResult(False, None, checked, "hub_flagged")
    return VerifyResult(True, None, checked, None)


def to_interaction(row: AuditRow) -> dict[str, Any]:
    """The wire shape (``sync.protocol.Interaction``) of one audit row: kind ``"audit"``.

    The row's own UUIDv7 is the interaction id, so a resend is answered as the first time.
    """
    return {
        "id": row.id,
        "kind": "audit",
        "member_id": None,
        "member_ref": None,
        "staff_id": row.staff_id,
        "created_at": row.at,
        "device_seq": 0,
        "payload": {
            "seq": row.seq,
            "action": row.action,
            "detail": row.detail,
            "prev_hash": row.prev_hash,
            "hash": row.hash,
        },
    }
