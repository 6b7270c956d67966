"""Reading import files as streams: CSV as spreadsheets write it (BOM, CRLF, quoted commas,
Chinese), JSONL, bad records in their row's place, and chunks split anywhere."""

from __future__ import annotations

import io
from collections.abc import Iterable

import pytest

from sync.hub.errors import InvalidInputError
from sync.hub.imports.fields import RowError
from sync.hub.imports.reader import ChunkStream, Record, guess_format, records

CSV = (
    "\ufeffid,name,note\r\n"
    'A1,"张三, Jr","He said ""hi""\r\nand left"\r\n'
    "A2,李四,\r\n"
    "\r\n"
    "A3,王五,x,extra\r\n"
    "A4,赵六,y\r\n"
).encode()


def test_csv_with_bom_crlf_quotes_and_chinese() -> None:
    got = list(records(io.BytesIO(CSV), "csv"))
    assert got[0] == (0, {"id": "id", "name": "name", "note": "note"})  # the BOM is not in "id"
    assert got[1] == (1, {"id": "A1", "name": "张三, Jr", "note": 'He said "hi"\r\nand left'})
    assert got[2] == (2, {"id": "A2", "name": "李四"})  # an empty cell is not given
    assert got[3][0] == 3 and isinstance(got[3][1], RowError)
    assert got[3][1].reason == "4 fields, the header has 3"
    assert got[4] == (4, {"id": "A4", "name": "赵六", "note": "y"})


def _plain(found: Iterable[Record]) -> list[tuple[int, object]]:
    return [(n, r.reason if isinstance(r, RowError) else r) for n, r in found]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 4096])
def test_chunks_split_anywhere_read_the_same(size: int) -> None:
    chunks = [CSV[i : i + size] for i in range(0, len(CSV), size)]
    stream = io.BufferedReader(ChunkStream(iter(chunks)))
    assert _plain(records(stream, "csv")) == _plain(records(io.BytesIO(CSV), "csv"))


def test_resuming_skips_the_rows_done() -> None:
    got = list(records(io.BytesIO(CSV), "csv", skip=2))
    assert [n for n, _ in got] == [0, 3, 4]


def test_jsonl_rows_and_bad_lines() -> None:
    data = (
        b'{"id": "a", "price": 12.30, "n": 3, "flag": true, "x": null}\n'
        b"\n"
        b"not json\n"
        b"[1, 2]\n"
        b'{"id": "b"}'
    )
    got = list(records(io.BytesIO(data), "jsonl"))
    assert got[0] == (1, {"id": "a", "price": "12.30", "n": "3", "flag": True})
    assert [n for n, _ in got] == [1, 3, 4, 5]
    assert isinstance(got[1][1], RowError) and got[1][1].reason.startswith("not JSON")
    assert isinstance(got[2][1], RowError) and got[2][1].reason == "not a JSON object"


def test_text_that_is_not_utf8_stops_the_file() -> None:
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        list(records(io.BytesIO(b"id,name\n1,\xff\xfe\n"), "csv"))


def test_the_format_follows_the_name() -> None:
    assert guess_format("a.CSV") == "csv"
    assert guess_format("a.ndjson") == "jsonl" and guess_format("b.jsonl") == "jsonl"
