"""The customer's history as the hub keeps it: one ``visits`` row per accepted record of a kind
that shows in the history (``clerk.shared.interactions.HISTORY_KINDS``) — its kind, what the
associate typed (``text``) and the kind's structured facts as JSON (``facts``: sku, action,
amount_cents, coupon_id, items, cart_item_ids, consent flags), never prose. The terminals
render it in their own language from these fields, and the store reports count from them.

Rows are written by :mod:`sync.hub.ingest` as records are accepted, and rebuilt once from the
stored interactions when the hub schema gains the facts (version :data:`FACTS_VERSION`,
:func:`rebuild`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from clerk.shared import interactions as vocabulary
from sync.hub.db import Row

if TYPE_CHECKING:
    from clerk.shared.interactions import Payload
    from sync.hub.store import Tx

FACTS_VERSION = 2  # sync/hub/schema/002_history_facts.sql
COLUMNS = (
    "id",  # the interaction id
    "member_id",
    "store_id",
    "store_name",
    "staff_id",
    "staff_name",
    "kind",
    "text",
    "facts",
    "at",
)
INSERT_VISIT = (
    f"INSERT INTO visits ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
)
_UPSERT_VISIT = (
    INSERT_VISIT
    + " ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "id")
)
_BATCH = 1000


def facts_json(facts: dict[str, Any]) -> str:
    return json.dumps(facts, ensure_ascii=False, separators=(",", ":"))


def visit_row(
    interaction_id: str,
    member_id: str,
    store_id: str,
    store_name: str | None,
    staff_id: str | None,
    staff_name: str | None,
    kind: str,
    payload: Payload,
    at: int,
) -> Row:
    """The history row of an accepted record (values in :data:`COLUMNS` order)."""
    text, facts = vocabulary.history_row(payload)
    return (
        interaction_id,
        member_id,
        store_id,
        store_name,
        staff_id,
        staff_name,
        kind,
        text,
        facts_json(facts),
        at,
    )


def rebuild(tx: Tx) -> int:
    """Every accepted interaction of a history kind gets its history row from its stored
    payload — replacing a row written with prose before the facts were kept, and adding the
    rows redemptions and consent changes never had — each with a change row for the member's
    store. Rows whose payload this hub cannot read are left as they are. Returns the rows
    written."""
    conn = tx.conn
    kinds = sorted(vocabulary.HISTORY_KINDS)
    marks = ", ".join("?" for _ in kinds)
    written = 0
    last = ""
    while True:
        rows = conn.rows(
            "SELECT i.id, i.kind, i.member_id, i.store_id, s.name, i.staff_id, st.name, "
            "i.payload, i.created_at, m.home_store FROM interactions i "
            "JOIN members m ON m.id = i.member_id "
            "LEFT JOIN stores s ON s.id = i.store_id "
            "LEFT JOIN staff st ON st.id = i.staff_id "
            f"WHERE i.status = 'accepted' AND i.kind IN ({marks}) AND i.id > ? "
            "ORDER BY i.id LIMIT ?",
            (*kinds, last, _BATCH),
        )
        if not rows:
            return written
        upserts: list[Row] = []
        for iid, kind, member_id, store_id, store_name, staff_id, staff_name, raw, at, home in rows:
            try:
                sent = json.loads(raw)
            except ValueError:
                continue
            payload = vocabulary.from_history(kind, None, sent if isinstance(sent, dict) else {})
            if payload is None:
                continue
            upserts.append(
                visit_row(
                    iid, member_id, store_id, store_name, staff_id, staff_name, kind, payload, at
                )
            )
            tx.emit("visit", iid, "upsert", home)
        if upserts:
            conn.many(_UPSERT_VISIT, upserts)
            written += len(upserts)
        last = str(rows[-1][0])
