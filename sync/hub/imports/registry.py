"""What an import kind is: its columns (each with its parser) and how a batch of its rows is
written. The kinds the hub imports are listed in :mod:`sync.hub.imports.kinds`; another kind is
one more :class:`Kind` there.

A kind's ``write`` gets a :class:`Batch` — the write transaction, the rows that are new or
changed (unchanged rows never reach it) — and for each row either refuses it
(:meth:`Batch.refuse`, with the reason the report shows) or writes it and says so
(:meth:`Batch.applied`, with our id of the row), logging the feed's changes with
:meth:`Batch.change`. The importer (:mod:`sync.hub.imports.run`) keeps the source's ids, the
checkpoint and the change rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sync.hub.db import IN_CHUNK
from sync.hub.imports.fields import RowError

if TYPE_CHECKING:
    from sync.hub.db import Conn
    from sync.hub.store import HubStore, Tx


@dataclass(frozen=True)
class Column:
    """A column of an import file: its name, parser (raises RowError), whether a row must
    give it, and one line for docs/import.md."""

    name: str
    parse: Callable[[Any], Any]
    required: bool = False
    doc: str = ""


@dataclass
class Item:
    """One new or changed row of a batch."""

    row: int
    external_id: str
    record: dict[str, Any]
    digest: str
    our_id: str | None  # from the source's id mapping; None: not imported before


@dataclass(frozen=True)
class Kind:
    """An import kind. ``forbidden``: columns a file of this kind may not have, with why (the
    whole file is refused). ``check``: rules across a row's columns (raises RowError)."""

    name: str
    entity: str
    columns: tuple[Column, ...]
    write: Callable[[Batch, Sequence[Item]], None]
    id_column: str = "id"
    forbidden: dict[str, str] = field(default_factory=dict)
    check: Callable[[dict[str, Any]], None] | None = None

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def parse(self, row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """(the source's id, the parsed record) of a row; RowError names the column."""
        for name, why in self.forbidden.items():
            if name in row:
                raise RowError(f"{name}: {why}")
        record: dict[str, Any] = {}
        for column in self.columns:
            value = row.get(column.name)
            if value is None:
                if column.required:
                    raise RowError(f"{column.name}: required")
                continue
            try:
                record[column.name] = column.parse(value)
            except RowError as exc:
                raise RowError(f"{column.name}: {exc.reason}") from exc
        if self.check is not None:
            self.check(record)
        return str(record[self.id_column]), record


class Batch:
    """One batch's write transaction as a kind sees it."""

    def __init__(self, store: HubStore, tx: Tx, kind: Kind, source: str, now: int) -> None:
        self.store = store
        self.tx = tx
        self.conn: Conn = tx.conn
        self.kind = kind
        self.source = source
        self.now = now
        self.refused: list[tuple[int, str]] = []
        self.done: list[tuple[Item, str, bool]] = []  # (item, our id, new)
        self.changes: list[tuple[str | None, str, str, str]] = []

    def refuse(self, item: Item, reason: str) -> None:
        self.refused.append((item.row, reason))

    def applied(self, item: Item, our_id: str, *, new: bool) -> None:
        self.done.append((item, our_id, new))

    def change(self, store_id: str | None, key: str, op: str = "upsert", entity: str = "") -> None:
        """Log a change of (entity — the kind's by default —, key) for ``store_id`` (None:
        every store); written with the batch, older change rows of the key dropped."""
        self.changes.append((store_id, entity or self.kind.entity, key, op))

    def flush_changes(self) -> None:
        """Write the change rows logged so far (older change rows of their keys dropped)."""
        changes, self.changes = self.changes, []
        if not changes:
            return
        by_entity: dict[str, set[str]] = {}
        for _store, entity, key, _op in changes:
            by_entity.setdefault(entity, set()).add(key)
        for entity, keys in by_entity.items():
            ordered = sorted(keys)
            for i in range(0, len(ordered), IN_CHUNK):
                chunk = ordered[i : i + IN_CHUNK]
                marks = ", ".join("?" for _ in chunk)
                self.conn.execute(
                    f"DELETE FROM changes WHERE entity = ? AND key IN ({marks})", (entity, *chunk)
                )
        self.tx.load("changes", ("store_id", "entity", "key", "op"), changes)

    def mapped(self, kind: str, external_ids: Iterable[str]) -> dict[str, str]:
        """Our ids of the source's ids of another kind imported from this source."""
        ids = sorted(set(external_ids))
        out: dict[str, str] = {}
        for i in range(0, len(ids), IN_CHUNK):
            chunk = ids[i : i + IN_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            for ext, ours in self.conn.rows(
                f"SELECT external_id, our_id FROM import_ids WHERE source = ? AND kind = ? "
                f"AND external_id IN ({marks})",
                (self.source, kind, *chunk),
            ):
                out[str(ext)] = str(ours)
        return out

    def column_values(
        self, table: str, key: str, columns: Sequence[str], keys: Iterable[str]
    ) -> dict[str, tuple[Any, ...]]:
        """{key: (columns…)} of the rows of ``table`` whose ``key`` column is in ``keys``."""
        wanted = sorted(set(keys))
        out: dict[str, tuple[Any, ...]] = {}
        for i in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[i : i + IN_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            for r in self.conn.rows(
                f"SELECT {key}, {', '.join(columns)} FROM {table} WHERE {key} IN ({marks})", chunk
            ):
                out[str(r[0])] = tuple(r[1:])
        return out

    def stores(self) -> set[str]:
        return {str(r[0]) for r in self.conn.rows("SELECT id FROM stores")}
