"""The message ids each source sent, so that a replay is a no-op: kept as 16-byte digests.

A source's ``messageId`` is whatever text it chose (a UUID mostly, ~36 characters); the hub
keeps ``md5(source id + US + messageId)`` (``intake_message_keys.key``: PostgreSQL ``uuid``,
SQLite a 16-byte blob) and the time it arrived. A key of 16 bytes compared as bytes, not a pair
of texts under the database's collation: a smaller index, written into and probed for every
call. Two ids of one source with one digest would make the second a duplicate; by chance that
needs ~2^64 ids, and made on purpose it takes two ids the source itself sends (another source's
id would need a preimage), so a sender can only lose its own events. Hub migration 015 moved
the ids kept before (``intake_messages``) over (:func:`backfill`).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.hub.store import Tx

MESSAGE_KEYS_VERSION = 15  # the hub migration that keys message ids by their digest
_MOVE_ROWS = 5000  # SQLite: rows moved per statement by the migration


def message_key(source_id: str, message_id: str) -> bytes:
    """The 16-byte key of ``message_id`` sent by ``source_id`` (PostgreSQL: ``md5(source_id
    || chr(31) || message_id)::uuid`` of the same text)."""
    text = f"{source_id}\x1f{message_id}".encode("utf-8", "surrogatepass")
    return hashlib.md5(text, usedforsecurity=False).digest()  # a key (module docstring)


def key_param(dialect: str, key: bytes) -> Any:
    """``key`` as a query parameter compared with ``intake_message_keys.key`` (PostgreSQL's
    uuid; SQLite's blob)."""
    return uuid.UUID(bytes=key) if dialect == "postgres" else key


def backfill(tx: Tx) -> int:
    """Hub migration 015's data step: every message id kept by the old table goes over as its
    key (a replay of one sent before the upgrade is still a duplicate), then the old table is
    dropped. Returns how many were moved."""
    conn = tx.conn
    if conn.dialect.name == "postgres":
        moved = conn.execute(
            "INSERT INTO intake_message_keys (key, received_at) "
            "SELECT md5(source_id || chr(31) || message_id)::uuid, received_at "
            "FROM intake_messages ON CONFLICT (key) DO NOTHING"
        )
    else:  # no md5 in SQLite: read and written again here, a slice at a time
        moved, last = 0, 0
        while True:
            rows = conn.rows(
                "SELECT rowid, source_id, message_id, received_at FROM intake_messages "
                f"WHERE rowid > ? ORDER BY rowid LIMIT {_MOVE_ROWS}",
                (last,),
            )
            if not rows:
                break
            conn.many(
                "INSERT INTO intake_message_keys (key, received_at) VALUES (?, ?) "
                "ON CONFLICT (key) DO NOTHING",
                [(message_key(str(s), str(m)), int(at)) for _, s, m, at in rows],
            )
            moved += len(rows)
            last = int(rows[-1][0])
    conn.execute("DROP TABLE intake_messages")
    return moved
