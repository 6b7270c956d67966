"""Running an import: a file (or an HTTP body) streamed in batches, each batch one write
transaction, idempotent by the source's ids, resumable after a kill.

Per batch (``batch_size`` rows read; a row whose source id is already in the batch starts the
next one), in one transaction:

1. the source's ids are looked up in ``import_ids`` (source, kind, external id → our id and
   the digest of the row as last imported): a row whose digest is unchanged is skipped — no
   write, no change row; the others go to the kind's ``write`` (new or update);
2. the kind writes them or refuses some (:mod:`sync.hub.imports.registry`); the change rows of
   what it wrote are logged for the stores concerned;
3. the mapping of the rows written is recorded, and — for a file — the checkpoint
   (``import_runs``: file digest, kind → the last row whose fate is committed and the counts).

Rows refused while reading or parsing and by the kind are reported (:class:`Refusal`) after
their batch commits. A run of a file whose checkpoint is unfinished resumes after its last
committed row; ``restart`` starts over (the mapping makes the rows done before no-ops).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sync.hub.db import IN_CHUNK
from sync.hub.errors import InvalidInputError
from sync.hub.imports.fields import RowError
from sync.hub.imports.kinds import KINDS
from sync.hub.imports.reader import Format, records
from sync.hub.imports.registry import Batch, Item, Kind
from sync.hub.store import HubStore

BATCH_SIZE = 1000
_MAPPING_COLUMNS = ("source", "kind", "external_id", "our_id", "digest", "updated_at")
MAX_SOURCE = 64


@dataclass(frozen=True)
class Refusal:
    row: int
    reason: str


@dataclass
class Outcome:
    """What a run did: rows read, inserted, updated, unchanged, refused (and after which row
    it resumed)."""

    kind: str
    source: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    batches: int = 0
    resumed_after: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0: every row is in; 2: some were refused, the rest are in; 1: rows were read and
        none could be imported."""
        if not self.refused:
            return 0
        return 1 if self.inserted + self.updated + self.unchanged == 0 else 2

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refused": self.refused,
            "batches": self.batches,
            "resumed_after": self.resumed_after,
            "ignored_columns": self.ignored_columns,
        }


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file, read in blocks (constant memory)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def kind_of(name: str) -> Kind:
    found = KINDS.get(name)
    if found is None:
        raise InvalidInputError(
            f"unknown import kind {name!r}: {', '.join(KINDS)}", reason="unknown_kind"
        )
    return found


def check_source(source: str) -> str:
    if not source or len(source) > MAX_SOURCE or not source.isprintable() or " " in source:
        raise InvalidInputError(
            f"a source name is 1–{MAX_SOURCE} characters without spaces", reason="usage"
        )
    return source


class Importer:
    """Imports rows of one kind from one source into ``store``. ``on_refused`` hears each
    refused row once its batch is committed (in row order within a batch)."""

    def __init__(
        self,
        store: HubStore,
        kind: str,
        source: str,
        *,
        batch_size: int = BATCH_SIZE,
        on_refused: Callable[[Refusal], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.kind = kind_of(kind)
        self.source = check_source(source)
        self.batch_size = max(1, batch_size)
        self.on_refused = on_refused or (lambda _r: None)
        self.clock = clock

    # checkpoints -----------------------------------------------------------------------------

    def checkpoint(self, digest: str) -> dict[str, Any] | None:
        with self.store.read() as conn:
            found = conn.dicts(
                "SELECT source, rows_done, inserted, updated, unchanged, refused, finished_at "
                "FROM import_runs WHERE digest = ? AND kind = ?",
                (digest, self.kind.name),
            )
        return found[0] if found else None

    def run_file(self, path: str | Path, fmt: Format, *, restart: bool = False) -> Outcome:
        """Import a file, resuming after its last committed row unless ``restart``."""
        digest = file_digest(path)
        with open(path, "rb") as f:
            return self.run(f, fmt, digest=digest, restart=restart)

    def run(
        self,
        stream: IO[bytes],
        fmt: Format,
        *,
        digest: str | None = None,
        restart: bool = False,
    ) -> Outcome:
        """Import ``stream``; with ``digest`` (the file's), checkpointed and resumable."""
        out = Outcome(self.kind.name, self.source)
        skip = 0
        if digest is not None:
            found = self.checkpoint(digest)
            if (
                found is not None
                and found["finished_at"] is None
                and found["source"] == self.source
                and not restart
            ):
                skip = out.resumed_after = int(found["rows_done"])
                for name in ("inserted", "updated", "unchanged", "refused"):
                    setattr(out, name, int(found[name]))
                out.rows = skip
            self._start(digest)
        pending: list[Item] = []
        refused: list[Refusal] = []
        in_batch: set[str] = set()
        last = skip
        for number, rec in records(stream, fmt, skip=skip):
            if number == 0:
                assert isinstance(rec, dict)
                out.ignored_columns = self._check_header(list(rec))
                continue
            last = number
            out.rows = max(out.rows, number)
            if isinstance(rec, RowError):
                refused.append(Refusal(number, rec.reason))
            else:
                try:
                    external_id, record = self.kind.parse(rec)
                except RowError as exc:
                    refused.append(Refusal(number, exc.reason))
                else:
                    if external_id in in_batch:
                        self._flush(pending, refused, out, digest, number - 1)
                        pending, refused, in_batch = [], [], set()
                    digest_of_row = _row_digest(record)
                    pending.append(Item(number, external_id, record, digest_of_row, None))
                    in_batch.add(external_id)
            if len(pending) + len(refused) >= self.batch_size:
                self._flush(pending, refused, out, digest, last)
                pending, refused, in_batch = [], [], set()
        self._flush(pending, refused, out, digest, last, final=True)
        return out

    def _check_header(self, names: list[str]) -> list[str]:
        for name in names:
            why = self.kind.forbidden.get(name)
            if why is not None:
                raise InvalidInputError(f"column {name}: {why}", reason="bad_file")
        missing = [c for c in self.kind.required if c not in names]
        if missing:
            raise InvalidInputError(
                f"the file has no column {', '.join(missing)} (required for {self.kind.name})",
                reason="bad_file",
            )
        known = {c.name for c in self.kind.columns}
        return [n for n in names if n not in known]

    def _start(self, digest: str) -> None:
        now = int(self.clock())
        with self.store.write() as tx:
            tx.conn.execute(
                "INSERT INTO import_runs (digest, kind, source, rows_done, inserted, updated, "
                "unchanged, refused, started_at, updated_at) VALUES (?, ?, ?, 0, 0, 0, 0, 0, ?, ?) "
                "ON CONFLICT (digest, kind) DO NOTHING",
                (digest, self.kind.name, self.source, now, now),
            )

    def _flush(
        self,
        items: list[Item],
        refused: list[Refusal],
        out: Outcome,
        digest: str | None,
        upto: int,
        *,
        final: bool = False,
    ) -> None:
        if not items and not refused and not final:
            return
        now = int(self.clock())
        with self.store.bulk.transaction() as tx:
            if self.store.dialect.name == "postgres":
                # The batch's look-ups take hundreds of ids each: planned for their values (a
                # generic plan, made while the tables were small, scans them per id).
                tx.conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            batch = Batch(self.store, tx, self.kind, self.source, now)
            todo = self._changed(batch, items, out)
            if todo:
                self.kind.write(batch, todo)
            batch.flush_changes()
            mapping = [
                (self.source, self.kind.name, i.external_id, ours, i.digest, now)
                for i, ours, _new in batch.done
            ]
            first = [m for m, (i, _o, _n) in zip(mapping, batch.done, strict=True) if not i.our_id]
            again = [m for m, (i, _o, _n) in zip(mapping, batch.done, strict=True) if i.our_id]
            tx.load("import_ids", _MAPPING_COLUMNS, first)  # ids this source never sent
            if again:
                tx.conn.many(
                    f"INSERT INTO import_ids ({', '.join(_MAPPING_COLUMNS)}) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source, kind, external_id) "
                    "DO UPDATE SET our_id = excluded.our_id, digest = excluded.digest, "
                    "updated_at = excluded.updated_at",
                    again,
                )
            new = sum(1 for _i, _o, is_new in batch.done if is_new)
            out.inserted += new
            out.updated += len(batch.done) - new
            all_refused = sorted(
                [*refused, *(Refusal(r, why) for r, why in batch.refused)], key=lambda r: r.row
            )
            out.refused += len(all_refused)
            if items or refused:
                out.batches += 1
            if digest is not None:
                tx.conn.execute(
                    "UPDATE import_runs SET source = ?, rows_done = ?, inserted = ?, updated = ?, "
                    "unchanged = ?, refused = ?, updated_at = ?, finished_at = ? "
                    "WHERE digest = ? AND kind = ?",
                    (
                        self.source,
                        upto,
                        out.inserted,
                        out.updated,
                        out.unchanged,
                        out.refused,
                        now,
                        now if final else None,
                        digest,
                        self.kind.name,
                    ),
                )
        for refusal in all_refused:
            self.on_refused(refusal)

    def _changed(self, batch: Batch, items: list[Item], out: Outcome) -> list[Item]:
        """The items new or changed since the source last sent them (our ids filled in)."""
        known: dict[str, tuple[str, str]] = {}
        ids = [i.external_id for i in items]
        for i in range(0, len(ids), IN_CHUNK):
            chunk = ids[i : i + IN_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            for ext, ours, digest in batch.conn.rows(
                "SELECT external_id, our_id, digest FROM import_ids WHERE source = ? AND kind = ? "
                f"AND external_id IN ({marks})",
                (self.source, self.kind.name, *chunk),
            ):
                known[str(ext)] = (str(ours), str(digest))
        todo = []
        for item in items:
            found = known.get(item.external_id)
            if found is not None and found[1] == item.digest:
                out.unchanged += 1
                continue
            item.our_id = None if found is None else found[0]
            todo.append(item)
        return todo


def _row_digest(record: dict[str, Any]) -> str:
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def refusal_lines(refusals: Iterator[Refusal]) -> Iterator[str]:
    for r in refusals:
        yield f"row {r.row}: {r.reason}"
