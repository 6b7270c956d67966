"""Reading an import file as a stream of rows, in constant memory: from a file or from an HTTP
body's chunks, CSV (UTF-8, a BOM allowed, LF or CRLF, RFC 4180 quoting) or JSONL (one JSON
object a line).

Rows are numbered from 1: the first record after the CSV header, the first line of a JSONL
file (blank lines are counted and skipped). A record that cannot be read — a CSV record with
more fields than the header, a JSONL line that is no JSON object — is yielded as a
:class:`~sync.hub.imports.fields.RowError` in its row's place; text that is not UTF-8 stops the
file (:class:`~sync.hub.errors.InvalidInputError`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from contextlib import suppress
from typing import IO, Any, Literal, TextIO, cast

from sync.hub.errors import InvalidInputError
from sync.hub.imports.fields import RowError

Format = Literal["csv", "jsonl"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl")
MAX_FIELD = 64 * 1024
Row = dict[str, Any]
Record = tuple[int, Row | RowError]

csv.field_size_limit(MAX_FIELD)


class ChunkStream(io.RawIOBase):
    """A readable binary stream over an iterator of byte chunks (an HTTP body as it arrives);
    wrap it in :class:`io.BufferedReader` for :func:`records`."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            try:
                self._left = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._left))
        buffer[:n] = self._left[:n]
        self._left = self._left[n:]
        return n


def guess_format(name: str) -> Format:
    lowered = name.lower()
    return "jsonl" if lowered.endswith((".jsonl", ".ndjson", ".json")) else "csv"


def records(stream: IO[bytes], fmt: Format, *, skip: int = 0) -> Iterator[Record]:
    """(row number, the row as {column: value} or the RowError that refused it) of ``stream``,
    after the first ``skip`` rows (read, not parsed). The header of a CSV comes first as row 0
    (its column names as a dict of name → name)."""
    textio = io.TextIOWrapper(cast(Any, stream), encoding="utf-8-sig", newline="")
    try:
        if fmt == "csv":
            yield from _csv_records(textio, skip)
        else:
            yield from _jsonl_records(textio, skip)
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"the file is not UTF-8 text ({exc.reason} at byte {exc.start} of a block)",
            reason="bad_file",
        ) from exc
    finally:
        with suppress(ValueError, OSError):
            textio.detach()  # the caller's stream stays the caller's to close


def _csv_records(textio: TextIO, skip: int) -> Iterator[Record]:
    reader = csv.reader(textio, strict=False)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise InvalidInputError(f"the CSV header cannot be read: {exc}", reason="bad_file") from exc
    names = [h.strip() for h in header]
    yield 0, {n: n for n in names}
    width = len(names)
    number = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            if number > skip:
                yield number, RowError(f"not a CSV record: {exc}")
            continue
        if not fields:  # a blank line
            continue
        number += 1
        if number <= skip:
            continue
        if len(fields) > width:
            yield number, RowError(f"{len(fields)} fields, the header has {width}")
            continue
        yield number, {n: v for n, v in zip(names, fields, strict=False) if v != ""}


def _jsonl_records(textio: TextIO, skip: int) -> Iterator[Record]:
    number = 0
    for line in textio:
        number += 1
        if number <= skip or not line.strip():
            continue
        try:
            doc = json.loads(line, parse_float=str, parse_int=str)
        except ValueError as exc:
            yield number, RowError(f"not JSON: {exc.args[0] if exc.args else exc}")
            continue
        if not isinstance(doc, dict):
            yield number, RowError("not a JSON object")
            continue
        yield number, {k: v for k, v in doc.items() if v is not None and v != ""}
