"""The audit log: append-only, hash-chained rows in outbox.db ``audit_log``.

Each row's ``hash`` is ``sha256(prev_hash + canonical JSON of {seq, id, at, staff_id, action,
detail})``; the first row's ``prev_hash`` is 64 zeros. ``verify`` walks the chain and finds the
first row that was edited, deleted (a gap in ``seq``) or moved. The newest ``seq:hash`` is also
kept in ``outbox_meta`` (key ``audit_head``, written in the same transaction as the row), so
cutting rows off the end is detected too.

The rows travel to the hub as interactions of kind ``"audit"``: the sync engine takes
``unsynced(conn, limit)``, sends ``to_interaction(row)`` for each, and calls
``mark_synced(conn, seqs)`` for the rows the hub answered ``accepted`` or ``duplicate``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from clerk.db import Transaction
from clerk.ids import uuid7_str

GENESIS = "0" * 64
HEAD_KEY = "audit_head"  # outbox_meta key: "<seq>:<hash>" of the newest row

ACTIONS = (
    "signin",
    "signin_failed",
    "lockout",
    "signout",
    "view_customer",
    "unmask_phone",
    "export",
    "redeem",
    "settings_change",
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
    synced: bool = False


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    first_bad_seq: int | None
    checked: int
    # None when ok; else edited | gap | chain | head | malformed
    reason: str | None = None


def canonical(
    seq: int, rid: str, at: int, staff_id: str | None, action: str, detail: Mapping[str, Any]
) -> str:
    """The canonical JSON of one row's content: sorted keys, no spaces, UTF-8 kept."""
    body = {
        "seq": seq,
        "id": rid,
        "at": at,
        "staff_id": staff_id,
        "action": action,
        "detail": dict(detail),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(
    prev_hash: str,
    seq: int,
    rid: str,
    at: int,
    staff_id: str | None,
    action: str,
    detail: Mapping[str, Any],
) -> str:
    text = prev_hash + canonical(seq, rid, at, staff_id, action, detail)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    return AuditRow(seq, rid, at, staff_id, action, body, prev, digest, False)


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
        synced=bool(r[8]),
    )


_COLUMNS = "seq, id, at, staff_id, action, detail, prev_hash, hash, synced"


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


def unsynced(conn: sqlite3.Connection, limit: int = 500) -> list[AuditRow]:
    """The oldest rows not yet delivered to the hub, in ``seq`` order."""
    cur = conn.execute(
        f"SELECT {_COLUMNS} FROM audit_log WHERE synced = 0 ORDER BY seq LIMIT ?", (limit,)
    )
    return [_to_row(r) for r in cur]


def mark_synced(conn: sqlite3.Connection, seqs: Iterable[int]) -> int:
    """Flag rows the hub acknowledged (``synced`` is outside the hash). Returns rows changed."""
    params = [(int(s),) for s in seqs]
    if not params:
        return 0
    with Transaction(conn):
        before = conn.total_changes
        conn.executemany("UPDATE audit_log SET synced = 1 WHERE seq = ? AND synced = 0", params)
        return conn.total_changes - before


def to_interaction(row: AuditRow) -> dict[str, Any]:
    """The wire shape (``sync.protocol.Interaction``) of one audit row: kind ``"audit"``.

    The row's own UUIDv7 is the interaction id, so a resend is answered as a duplicate.
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
