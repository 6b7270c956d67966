"""Each device's audit chain, checked by the hub as its rows arrive.

Terminals upload their audit log (:mod:`clerk.audit`) as interactions of kind ``audit``, in
``seq`` order, every row after the last one the hub acknowledged. The hub keeps, per device,
that last row's ``(seq, hash)`` (``audit_heads``) and checks each new row:

* its hash must match its content (:func:`clerk.shared.auditchain.row_hash`) — else
  ``edited``;
* it must chain onto the head: ``seq`` one more, ``prev_hash`` the head's hash. A higher
  ``seq`` is a ``gap`` (rows kept from the hub); the right ``seq`` with another ``prev_hash``,
  or a ``seq`` at or below the head, is a ``rewrite`` (rows the hub had acknowledged were
  changed, renumbered or replaced). A device's first row may continue another device's chain
  (a terminal enrolled again keeps its outbox): that is no gap;
* a row id the hub already holds with other content is a rewrite too (``id_reused``).

A problem is flagged (``audit_flags``, for HQ: ``clerk hub audit flags``) and said in the
answer (``reason``: ``audit_chain_gap`` …); the row is kept as evidence and the head moves to
it, so one break is flagged once and the rows after it chain on normally.

The hub's own administrative acts (revocations, imports, admin tokens) are audited apart, in
:mod:`sync.hub.admin_audit`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clerk.shared.auditchain import GENESIS, HASH_RE, row_hash
from sync.hub.db import Conn

if TYPE_CHECKING:
    from sync.hub.store import HubStore

PROBLEMS = ("gap", "rewrite", "edited", "malformed", "id_reused")
# The reason an answer carries for each problem.
REASONS = {
    "gap": "audit_chain_gap",
    "rewrite": "audit_chain_rewrite",
    "edited": "audit_row_edited",
    "malformed": "audit_row_malformed",
    "id_reused": "audit_row_rewritten",
}
_MAX_SEQ = 2**62


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str
    flags: int


class AuditChains:
    """The devices' audit chains in a :class:`~sync.hub.store.HubStore` (``store.audit``)."""

    def __init__(self, store: HubStore) -> None:
        self.store = store

    # -- at ingest (inside the batch's write transaction) ------------------------------------

    def check(
        self,
        conn: Conn,
        *,
        device_id: str,
        store_id: str,
        item_id: str,
        created_at: int,
        staff_id: str | None,
        payload: Mapping[str, Any],
        now: int,
    ) -> str | None:
        """Check one uploaded audit row against the device's head and move the head to it.
        Returns the answer's reason when a problem was flagged, else None."""
        row = _row_of(payload)
        if row is None:
            self.flag(conn, device_id, store_id, None, "malformed", item_id, None, now)
            return REASONS["malformed"]
        seq, action, detail, prev, digest = row
        head = conn.row("SELECT seq, hash FROM audit_heads WHERE device_id = ?", (device_id,))
        head_seq, head_hash = (0, GENESIS) if head is None else (int(head[0]), str(head[1]))
        problem: str | None = None
        note: str | None = None
        if row_hash(prev, seq, item_id, created_at, staff_id, action, detail) != digest:
            problem, note = "edited", "the row's content does not match its hash"
        elif seq == head_seq + 1:
            if prev != head_hash:
                problem = "rewrite"
                note = f"row {seq} does not chain onto row {head_seq} as acknowledged"
        elif seq > head_seq + 1:
            if not (head is None and self._continues_another(conn, store_id, seq - 1, prev)):
                problem = "gap"
                note = f"rows {head_seq + 1}..{seq - 1} never arrived"
        else:
            problem = "rewrite"
            note = f"row {seq} arrived after row {head_seq} was acknowledged"
        if problem is not None:
            self.flag(conn, device_id, store_id, seq, problem, item_id, note, now)
        conn.execute(
            "INSERT INTO audit_heads (device_id, store_id, seq, hash, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET "
            "store_id = excluded.store_id, seq = excluded.seq, hash = excluded.hash, "
            "updated_at = excluded.updated_at",
            (device_id, store_id, seq, digest, now),
        )
        return None if problem is None else REASONS[problem]

    def rewritten_id(
        self,
        conn: Conn,
        *,
        device_id: str,
        store_id: str,
        item_id: str,
        payload: Mapping[str, Any],
        now: int,
    ) -> None:
        """An audit row id the hub holds came again with other content: flagged once."""
        found = conn.row(
            "SELECT 1 FROM audit_flags WHERE device_id = ? AND interaction_id = ? "
            "AND problem = 'id_reused'",
            (device_id, item_id),
        )
        if found is None:
            row = _row_of(payload)
            seq = row[0] if row is not None else None
            note = "an acknowledged row was sent again with other content"
            self.flag(conn, device_id, store_id, seq, "id_reused", item_id, note, now)

    def flag(
        self,
        conn: Conn,
        device_id: str,
        store_id: str,
        seq: int | None,
        problem: str,
        item_id: str | None,
        detail: str | None,
        now: int,
    ) -> None:
        conn.execute(
            "INSERT INTO audit_flags (device_id, store_id, seq, problem, interaction_id, "
            "detail, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (device_id, store_id, seq, problem, item_id, detail, now),
        )

    @staticmethod
    def _continues_another(conn: Conn, store_id: str, seq: int, digest: str) -> bool:
        """Does another device of the store hold this row as its head (the same terminal
        enrolled again, its outbox kept)?"""
        found = conn.row(
            "SELECT 1 FROM audit_heads WHERE seq = ? AND hash = ? AND store_id = ?",
            (seq, digest, store_id),
        )
        return found is not None

    # -- reads ---------------------------------------------------------------------------------

    def head(self, device_id: str) -> Head:
        """The device's last acknowledged row and how many problems were flagged for it."""
        with self.store.read() as conn:
            found = conn.row("SELECT seq, hash FROM audit_heads WHERE device_id = ?", (device_id,))
            flags = conn.scalar(
                "SELECT count(*) FROM audit_flags WHERE device_id = ?", (device_id,)
            )
        seq, digest = (0, GENESIS) if found is None else (int(found[0]), str(found[1]))
        return Head(seq, digest, int(flags or 0))

    def flags(
        self, *, store_id: str | None = None, device_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Flagged problems, oldest first (optionally of one store or one device)."""
        sql = (
            "SELECT id, device_id, store_id, seq, problem, interaction_id, detail, at "
            "FROM audit_flags"
        )
        where: list[str] = []
        params: list[Any] = []
        if store_id is not None:
            where.append("store_id = ?")
            params.append(store_id)
        if device_id is not None:
            where.append("device_id = ?")
            params.append(device_id)
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self.store.read() as conn:
            return conn.dicts(sql + " ORDER BY id", params)


def _row_of(payload: Mapping[str, Any]) -> tuple[int, str, dict[str, Any], str, str] | None:
    """(seq, action, detail, prev_hash, hash) of an audit payload, None when malformed."""
    seq = payload.get("seq")
    action = payload.get("action")
    detail = payload.get("detail")
    prev = payload.get("prev_hash")
    digest = payload.get("hash")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq <= _MAX_SEQ:
        return None
    if not isinstance(action, str) or not 1 <= len(action) <= 64:
        return None
    if not isinstance(detail, dict):
        return None
    if not isinstance(prev, str) or not HASH_RE.fullmatch(prev):
        return None
    if not isinstance(digest, str) or not HASH_RE.fullmatch(digest):
        return None
    try:
        json.dumps(detail)
    except (TypeError, ValueError):
        return None
    return seq, action, detail, prev, digest
