"""Bulk loading (the demo seed, imports): big transactions of bulk inserts, with the large
secondary indexes dropped first and built once at the end.

    with store.bulk.transaction() as tx:
        tx.load("products", columns, rows)        # executemany on SQLite, COPY on PostgreSQL
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sync.hub.store import HubStore, Tx

BULK_WRITE_TIMEOUT_S = 600.0
# (name, CREATE statement) of the indexes worth dropping for a large load.
BIG_INDEXES: tuple[tuple[str, str], ...] = (
    ("browse_member_at", "CREATE INDEX browse_member_at ON browse_events(member_id, at)"),
    ("changes_store_seq", "CREATE INDEX changes_store_seq ON changes(store_id, seq)"),
    ("changes_entity_key", "CREATE INDEX changes_entity_key ON changes(entity, key)"),
)


class BulkLoad:
    """Bulk loading into a :class:`~sync.hub.store.HubStore` (``store.bulk``)."""

    def __init__(self, store: HubStore) -> None:
        self.store = store

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction for bulk loading (a long lock wait allowed); use :meth:`Tx.load`."""
        with self.store.write(timeout=BULK_WRITE_TIMEOUT_S, exclusive=True) as tx:
            yield tx

    def drop_indexes(self) -> list[tuple[str, str]]:
        """Drop the big secondary indexes before a large load; returns what to recreate."""
        indexes = list(BIG_INDEXES)
        with self.store.write(exclusive=True) as tx:
            for name, _create in indexes:
                tx.conn.execute(f"DROP INDEX IF EXISTS {name}")
        return indexes

    def create_indexes(self, indexes: Sequence[tuple[str, str]]) -> None:
        """Build ``indexes`` (those :meth:`drop_indexes` returned) and refresh the statistics."""
        with self.store.write(timeout=BULK_WRITE_TIMEOUT_S, exclusive=True) as tx:
            for _name, create in indexes:
                tx.conn.execute(create.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
        with self.store.read() as conn:
            if self.store.dialect.name == "sqlite":
                conn.execute("PRAGMA analysis_limit = 1000")  # sampled: seconds, not minutes
            conn.execute("ANALYZE")
