"""Retention for cache.db: old browsing, orders older than the 360 shows (12 months), and
members not seen for a long time.

Deletes in bounded batches, each its own short write transaction, so a purge of millions of
rows never holds the writer lock for long and readers (the 360) keep running. Old browse
events and orders are found by walking their table in rowid order, ``batch`` rows a step (no
index by time: it cost a 500,000-member cache 9 % of its size for this alone); idle members by
``members_last_seen`` and their rows by the per-member indexes. The outbox is never touched: it
is precious and lives in another file.
"""

from __future__ import annotations

import sqlite3

from clerk import search
from clerk.db import Transaction
from clerk.view360 import ORDERS_DAYS

DAY = 86_400
BATCH = 20_000  # browse events per transaction
MEMBER_BATCH = 500  # members (and their rows) per transaction

# The rowid after the next ``batch`` rows, and the old rows up to it (both rowid ranges).
Q_BATCH_END = (
    "SELECT max(rowid) FROM (SELECT rowid FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT ?)"
)
Q_DELETE_OLDER = "DELETE FROM {table} WHERE rowid > ? AND rowid <= ? AND at < ?"
_MEMBER_TABLES = ("browse_events", "cart_items", "coupons", "visits", "orders")


def purge(
    cache: sqlite3.Connection,
    *,
    now: int,
    browse_days: int = 90,
    member_idle_days: int = 365,
    orders_days: int = ORDERS_DAYS,
    batch: int = BATCH,
) -> dict[str, int]:
    """Delete browse events older than ``browse_days``, orders older than ``orders_days`` and
    members whose ``last_seen`` is older than ``member_idle_days`` (with their browse events,
    cart items, coupons, visits and orders).

    Returns the number of rows deleted per table. Members without a ``last_seen`` are kept.
    """
    if browse_days < 1 or member_idle_days < 1 or orders_days < 1:
        raise ValueError("retention periods must be at least one day")
    counts = {
        "browse_events": 0,
        "members": 0,
        "cart_items": 0,
        "coupons": 0,
        "visits": 0,
        "orders": 0,
    }
    counts["browse_events"] += _older(cache, "browse_events", now - browse_days * DAY, batch)
    counts["orders"] += _older(cache, "orders", now - orders_days * DAY, batch)

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


def _older(cache: sqlite3.Connection, table: str, cutoff: int, batch: int) -> int:
    """Delete the rows of ``table`` whose ``at`` is before ``cutoff``, looking at ``batch``
    rows (in rowid order) per transaction. Returns the count deleted."""
    deleted = 0
    (low,) = cache.execute(f"SELECT min(rowid) - 1 FROM {table}").fetchone()
    while low is not None:
        with Transaction(cache):
            (high,) = cache.execute(Q_BATCH_END.format(table=table), (low, batch)).fetchone()
            if high is not None:
                cur = cache.execute(Q_DELETE_OLDER.format(table=table), (low, high, cutoff))
                deleted += cur.rowcount
        low = high
    return deleted
