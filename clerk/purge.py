"""Retention for cache.db: old browsing and members not seen for a long time.

Deletes in bounded batches, each its own short write transaction, so a purge of millions of
rows never holds the writer lock for long and readers (the 360) keep running. Every step is
index-driven (``browse_at``, ``members_last_seen``, the per-member indexes). The outbox is never
touched: it is precious and lives in another file.
"""

from __future__ import annotations

import sqlite3

from clerk import search
from clerk.db import Transaction

DAY = 86_400
BATCH = 20_000  # browse events per transaction
MEMBER_BATCH = 500  # members (and their rows) per transaction

_MEMBER_TABLES = ("browse_events", "cart_items", "coupons", "visits")


def purge(
    cache: sqlite3.Connection,
    *,
    now: int,
    browse_days: int = 90,
    member_idle_days: int = 365,
    batch: int = BATCH,
) -> dict[str, int]:
    """Delete browse events older than ``browse_days`` and members whose ``last_seen`` is older
    than ``member_idle_days`` (with their browse events, cart items, coupons and visits).

    Returns the number of rows deleted per table. Members without a ``last_seen`` are kept.
    """
    if browse_days < 1 or member_idle_days < 1:
        raise ValueError("retention periods must be at least one day")
    counts = {"browse_events": 0, "members": 0, "cart_items": 0, "coupons": 0, "visits": 0}

    browse_cutoff = now - browse_days * DAY
    while True:
        with Transaction(cache):
            cur = cache.execute(
                "DELETE FROM browse_events WHERE id IN"
                " (SELECT id FROM browse_events WHERE at < ? LIMIT ?)",
                (browse_cutoff, batch),
            )
            deleted = cur.rowcount
        counts["browse_events"] += deleted
        if deleted < batch:
            break

    idle_cutoff = now - member_idle_days * DAY
    while True:
        with Transaction(cache):
            ids = [
                r[0]
                for r in cache.execute(
                    "SELECT id FROM members WHERE last_seen < ? LIMIT ?",
                    (idle_cutoff, MEMBER_BATCH),
                )
            ]
            if ids:
                marks = ", ".join("?" * len(ids))
                for table in _MEMBER_TABLES:
                    cur = cache.execute(f"DELETE FROM {table} WHERE member_id IN ({marks})", ids)
                    counts[table] += cur.rowcount
                cur = cache.execute(f"DELETE FROM members WHERE id IN ({marks})", ids)
                counts["members"] += cur.rowcount
                search.on_members(cache, "delete", [(i,) for i in ids])
        if len(ids) < MEMBER_BATCH:
            break
    return counts
