"""Interactions as stored (written by :mod:`sync.hub.ingest`): what a manager should look at,
code instances seen at two devices, export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.hub.store import HubStore


class Interactions:
    """The stored interactions of a :class:`~sync.hub.store.HubStore` (``store.interactions``)."""

    def __init__(self, store: HubStore) -> None:
        self.store = store

    def conflicts(self, store_id: str, *, include_resolved: bool = False) -> list[dict[str, Any]]:
        """Interactions a manager should look at: conflicts and duplicates touching the store."""
        sql = (
            "SELECT i.id, i.kind, i.member_id, i.device_id, i.store_id, i.staff_id, "
            "i.created_at, i.received_at, i.status, i.reason, i.conflict_with, i.resolved_by, "
            "i.payload FROM interactions i "
            "WHERE i.status IN ('conflict', 'duplicate') AND (i.store_id = ? OR i.conflict_with "
            "IN (SELECT f.id FROM interactions f WHERE f.store_id = ?))"
        )
        if not include_resolved:
            sql += " AND i.resolved_by IS NULL"
        with self.store.read() as conn:
            rows = conn.dicts(
                sql + " ORDER BY i.received_at, i.id LIMIT 1000", (store_id, store_id)
            )
        for r in rows:
            r["payload"] = json.loads(r["payload"])
        return rows

    def jti_flags(self, store_id: str) -> list[dict[str, Any]]:
        """Sightings of member-code instances (jti) seen at more than one device, for the jtis
        seen in ``store_id``."""
        with self.store.read() as conn:
            return conn.dicts(
                "SELECT jti, device_id, store_id, interaction_id, member_id, seen_at "
                "FROM jti_sightings WHERE flagged = 1 AND jti IN "
                "(SELECT jti FROM jti_sightings WHERE store_id = ?) ORDER BY jti, seen_at",
                (store_id,),
            )

    def iter_rows(self, batch: int = 5000) -> Iterator[dict[str, Any]]:
        """Every interaction for export (keyset pagination: constant memory)."""
        last = ""
        while True:
            with self.store.read() as conn:
                rows = conn.dicts(
                    "SELECT id, device_id, store_id, device_seq, kind, member_id, member_ref, "
                    "staff_id, created_at, received_at, status, reason, conflict_with, "
                    "resolved_by, payload FROM interactions WHERE id > ? ORDER BY id LIMIT ?",
                    (last, batch),
                )
            if not rows:
                return
            yield from rows
            last = rows[-1]["id"]
