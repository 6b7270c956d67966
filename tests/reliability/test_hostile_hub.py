"""A hostile hub: malformed, truncated, oversized and lying answers never crash the terminal
nor touch its cache or outbox.

The terminal is enrolled on the real hub and synced (a full cache, a cursor, pending
interactions), then its real SyncEngine is pointed at a small raw-ASGI server on loopback that
answers each endpoint with whatever the case says. Each case must end in a SyncError — a
ProtocolError for a bad answer, a TransportError for a broken exchange — with the cache's rows
and cursor unchanged and the outbox's rows unchanged (pushed rows stay unsettled).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from reliability_harness import STORE, members, serve

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk.model import Identity
from sync.client import LOOKUP_TIMEOUT, MAX_RESPONSE_BYTES, HubClient
from sync.engine import SyncEngine
from sync.errors import ProtocolError, SyncError, TransportError
from sync.hub.embedded import running_hub
from sync.local import engine_for, enroll

FAST = httpx.Timeout(connect=1.0, read=1.0, write=1.0, pool=1.0)
Chunks = list[bytes]


@dataclass
class Answer:
    status: int = 200
    body: Chunks | bytes = b"{}"
    headers: tuple[tuple[bytes, bytes], ...] = ((b"content-type", b"application/json"),)
    length: int | None = None  # a Content-Length to declare (may lie); None: the real one
    drip_s: float = 0.0  # pause before each chunk (a slow-loris answer)


class HostileHub:
    """A raw ASGI app answering every request with ``self.answer(path)``."""

    def __init__(self) -> None:
        self.answer: Callable[[str], Answer] = lambda path: Answer(404, b"{}")
        self.paths: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:  # read the whole request first
            message = await receive()
            more = message.get("more_body", False)
        self.paths.append(scope["path"])
        answer = self.answer(scope["path"])
        chunks = [answer.body] if isinstance(answer.body, bytes) else answer.body
        headers = list(answer.headers)
        if answer.length is not None:
            headers.append((b"content-length", str(answer.length).encode()))
        elif isinstance(answer.body, bytes):
            headers.append((b"content-length", str(len(answer.body)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        for chunk in chunks:
            if answer.drip_s:
                await asyncio.sleep(answer.drip_s)
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


def _change(seq: int, **data: Any) -> dict[str, Any]:
    row = {"id": f"MX{seq:06d}", "name": "Hostile", "tier": "basic", **data}
    return {"seq": seq, "entity": "member", "op": "upsert", "key": row["id"], "data": row}


def _rows(*runs: dict[str, Any], has_more: bool = False) -> bytes:
    """A page in the row format (spaced JSON: a hub may write it so)."""
    seqs = [s for run in runs for s in run.get("seqs", [])]
    cursor = max(seqs, default=10**9)
    doc = {"format": "rows", "runs": list(runs), "next_cursor": cursor, "has_more": has_more}
    return _json(doc)


def _members(
    *rows: list[Any], columns: tuple[str, ...] = ("id", "name", "tier"), **kw: Any
) -> dict[str, Any]:
    seqs = [10**9 + i for i in range(1, len(rows) + 1)]
    run = {"entity": "member", "op": "upsert", "seqs": seqs, "columns": list(columns)}
    return {**run, "rows": list(rows), **kw}


def _mx(n: int, *more: Any) -> list[Any]:
    return [f"MX{n:06d}", "Hostile", "basic", *more]


@dataclass
class Till:
    engine: SyncEngine
    cache: Any
    outbox: Any
    cursor: int


@pytest.fixture
def hostile() -> Iterator[tuple[HostileHub, str]]:
    app = HostileHub()
    with serve(app) as url:
        yield app, url


@pytest.fixture(scope="module")
def synced(hub_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A terminal enrolled on the real hub, fully synced, with 5 interactions pending (built
    once; each test works on a copy of its data directory, key file included)."""
    root = tmp_path_factory.mktemp("hostile-template")
    shutil.copyfile(hub_template, root / "hub.db")
    shutil.copyfile(f"{hub_template}.keys", root / "hub.db.keys")
    home = root / "terminal"
    with running_hub(str(root / "hub.db")) as hub:
        enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="victim")
        with engine_for(home) as engine:
            assert engine.sync_once().caught_up
            for i, m in enumerate(members(hub, 5)):
                outbox_mod.record(engine.outbox, "note", member_id=m, payload={"text": f"p{i}"})
    return home


@pytest.fixture
def till(synced: Path, hostile: tuple[HostileHub, str], tmp_path: Path) -> Iterator[Till]:
    home = tmp_path / "terminal"
    shutil.copytree(synced, home)
    cache = cache_mod.open_cache(home / "cache.db")
    outbox = outbox_mod.open_outbox(home / "outbox.db")
    engine = SyncEngine(cache, outbox, HubClient(hostile[1], timeout=FAST))
    try:
        engine.client.configure(base_url=hostile[1])  # the hub is hostile now
        yield Till(engine, cache, outbox, engine.cursor())
    finally:
        engine.client.close()
        cache.close()
        outbox.close()


def _cache_state(t: Till) -> tuple[dict[str, int], int, Any]:
    counts = {
        table: int(t.cache.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        for table, _pk, _cols in cache_mod.TABLES.values()
    }
    digest = [tuple(r) for r in t.cache.execute("SELECT * FROM members ORDER BY id LIMIT 50")]
    return counts, t.engine.cursor(), digest


def _outbox_state(t: Till) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in t.outbox.execute(
            "SELECT id, device_seq, kind, payload FROM interactions ORDER BY id"
        )
    ]


def _unsettled(t: Till) -> bool:
    states = {r[0] for r in t.outbox.execute("SELECT DISTINCT state FROM interactions")}
    return states <= {"pending", "sent"}


BIG = MAX_RESPONSE_BYTES + 1024


PULL_CASES: dict[str, tuple[Answer, type[SyncError]]] = {
    "not json": (Answer(body=b"<html>gateway says hi</html>"), ProtocolError),
    "truncated json": (Answer(body=b'{"changes": [{"seq": 999999, "entity": "mem'), ProtocolError),
    "not utf-8": (Answer(body=b"\xff\xfe\x00{"), ProtocolError),
    "empty 200": (Answer(body=b""), ProtocolError),
    "wrong types": (
        Answer(body=_json({"changes": "lots", "next_cursor": "soon", "has_more": "maybe"})),
        ProtocolError,
    ),
    "null everything": (
        Answer(body=_json({"changes": None, "next_cursor": None, "has_more": None})),
        ProtocolError,
    ),
    "a list instead of an object": (Answer(body=b"[1, 2, 3]"), ProtocolError),
    "unknown entity": (
        Answer(
            body=_json(
                {
                    "changes": [{"seq": 10**9, "entity": "alien", "op": "upsert", "key": "x"}],
                    "next_cursor": 10**9,
                    "has_more": False,
                }
            )
        ),
        ProtocolError,
    ),
    "a 9 MB name": (
        Answer(
            body=_json(
                {
                    "changes": [_change(10**9, name="名" * 3_000_000)],
                    "next_cursor": 10**9,
                    "has_more": False,
                }
            )
        ),
        ProtocolError,
    ),
    "cursor goes backwards": (
        Answer(body=_json({"changes": [], "next_cursor": -5, "has_more": True})),
        ProtocolError,
    ),
    "seqs not increasing": (
        Answer(
            body=_json(
                {
                    "changes": [_change(10**9 + 2), _change(10**9 + 1)],
                    "next_cursor": 10**9 + 2,
                    "has_more": False,
                }
            )
        ),
        ProtocolError,
    ),
    "a good row then a row the cache cannot take": (
        Answer(
            body=_json(
                {
                    "changes": [_change(10**9 + 1), _change(10**9 + 2, name=None)],
                    "next_cursor": 10**9 + 2,
                    "has_more": False,
                }
            )
        ),
        ProtocolError,
    ),
    "a value of the wrong type": (
        Answer(
            body=_json(
                {
                    "changes": [_change(10**9 + 1, points={"nested": ["object"]})],
                    "next_cursor": 10**9 + 1,
                    "has_more": False,
                }
            )
        ),
        ProtocolError,
    ),
    "an integer too big for SQLite": (
        Answer(
            body=_json(
                {
                    "changes": [_change(10**9 + 1, points=10**30)],
                    "next_cursor": 10**9 + 1,
                    "has_more": False,
                }
            )
        ),
        ProtocolError,
    ),
    "NaN": (
        Answer(
            body=_json(
                {
                    "changes": [_change(10**9 + 1, points=float("nan"))],
                    "next_cursor": 10**9 + 1,
                    "has_more": False,
                }
            )
        ),
        ProtocolError,
    ),
    "a number past a double": (
        Answer(
            body=_json(
                {
                    "changes": [_change(10**9 + 1, points=0.5)],
                    "next_cursor": 10**9 + 1,
                    "has_more": False,
                }
            ).replace(b"0.5", b"-1e400")
        ),
        ProtocolError,
    ),
    "upsert without data": (
        Answer(
            body=_json(
                {
                    "changes": [
                        {"seq": 10**9 + 1, "entity": "member", "op": "upsert", "key": "M1"}
                    ],
                    "next_cursor": 10**9 + 1,
                    "has_more": False,
                }
            )
        ),
        ProtocolError,
    ),
    "more rows than asked for": (
        Answer(
            body=_json(
                {
                    "changes": [_change(10**9 + i) for i in range(1, 60)],
                    "next_cursor": 10**9 + 60,
                    "has_more": True,
                }
            )
        ),
        ProtocolError,
    ),
    "nested a million deep": (
        Answer(body=b'{"changes": [' + b"[" * 1_000_000 + b"]" * 1_000_000 + b"]}"),
        ProtocolError,
    ),
    "declared larger than the cap": (Answer(body=b"{}", length=BIG), ProtocolError),
    "streamed past the cap": (
        Answer(
            body=[b'{"changes": [], "pad": "'] + [b"x" * (1 << 20)] * 33 + [b'"}'],
            headers=((b"content-type", b"application/json"),),
        ),
        ProtocolError,
    ),
    "shorter than its content-length": (
        Answer(body=b'{"changes": []', length=5000),
        TransportError,
    ),
    "a redirect": (
        Answer(302, b"", ((b"location", b"http://127.0.0.1:9/v1/changes"),)),
        ProtocolError,
    ),
    "204 no content": (Answer(204, b""), ProtocolError),
    # The same faults, and the row format's own, in a page in the row format.
    "rows: truncated": (Answer(body=b'{"format":"rows","runs":[{"entity":"mem'), ProtocolError),
    "rows: unknown entity": (
        Answer(body=_rows({**_members(_mx(1)), "entity": "alien"})),
        ProtocolError,
    ),
    "rows: a row too short": (Answer(body=_rows(_members(_mx(1), _mx(2)[:2]))), ProtocolError),
    "rows: every row too long": (Answer(body=_rows(_members(_mx(1, 7)))), ProtocolError),
    "rows: a row of 65 values": (
        Answer(body=_rows(_members(_mx(1, *range(62)), columns=tuple(f"c{i}" for i in range(65))))),
        ProtocolError,
    ),
    "rows: without its key column": (
        Answer(body=_rows(_members(["Hostile", "basic"], columns=("name", "tier")))),
        ProtocolError,
    ),
    "rows: a key of the wrong type": (
        Answer(body=_rows(_members([5, "x", "basic"]))),
        ProtocolError,
    ),
    "rows: a 9 MB name": (
        Answer(body=_rows(_members(["MX000001", "名" * 3_000_000, "basic"]))),
        ProtocolError,
    ),
    "rows: a good row then a row the cache cannot take": (
        Answer(body=_rows(_members(_mx(1), [_mx(2)[0], None, "basic"]))),
        ProtocolError,
    ),
    "rows: a value of the wrong type": (
        Answer(
            body=_rows(
                _members(_mx(1, {"nested": ["object"]}), columns=("id", "name", "tier", "points"))
            )
        ),
        ProtocolError,
    ),
    "rows: an integer too big for SQLite": (
        Answer(body=_rows(_members(_mx(1, 10**30), columns=("id", "name", "tier", "points")))),
        ProtocolError,
    ),
    # What rows handed to SQLite as JSON text would newly let through (bench/pull_json_each.py):
    # each refused by today's path too, and the page with it.
    "rows: an array where a scalar is wanted": (
        Answer(body=_rows(_members(_mx(1), [_mx(2)[0], ["Host", "ile"], "basic"]))),
        ProtocolError,
    ),
    "rows: a text one over the bound": (
        Answer(body=_rows(_members(_mx(1), [_mx(2)[0], "x" * 4097, "basic"]))),
        ProtocolError,
    ),
    "rows: a key over its bound": (
        Answer(body=_rows(_members(_mx(1), ["M" * 257, "Hostile", "basic"]))),
        ProtocolError,
    ),
    "rows: NaN": (
        Answer(
            body=_rows(_members(_mx(1, float("nan")), columns=("id", "name", "tier", "points")))
        ),
        ProtocolError,
    ),
    "rows: a number past a double": (
        Answer(
            body=_rows(_members(_mx(1, 0), columns=("id", "name", "tier", "points"))).replace(
                b", 0]", b", 1e400]"
            )
        ),
        ProtocolError,
    ),
    "rows: a delete run short of keys": (
        Answer(
            body=_rows(
                _members(_mx(1)),
                {"entity": "cart", "op": "delete", "seqs": [10**9 + 5, 10**9 + 6], "keys": ["C1"]},
            )
        ),
        ProtocolError,
    ),
    "rows: seqs not increasing": (
        Answer(body=_rows({**_members(_mx(1), _mx(2)), "seqs": [10**9 + 2, 10**9 + 1]})),
        ProtocolError,
    ),
    "rows: fewer rows than seqs": (
        Answer(body=_rows({**_members(_mx(1)), "seqs": [10**9 + 1, 10**9 + 2]})),
        ProtocolError,
    ),
    "rows: more rows than asked for": (
        Answer(body=_rows(_members(*(_mx(i) for i in range(1, 60))), has_more=True)),
        ProtocolError,
    ),
    "500 with garbage": (Answer(500, b"\x00\x01\x02" * 100), SyncError),
    "an error status with a huge body": (
        Answer(503, [b"y" * (1 << 20)] * 8, ((b"retry-after", b"99999999999999999999"),)),
        SyncError,
    ),
}


@pytest.mark.parametrize("case", sorted(PULL_CASES))
def test_a_hostile_changes_feed(case: str, till: Till, hostile: tuple[HostileHub, str]) -> None:
    app, _url = hostile
    answer, error = PULL_CASES[case]
    app.answer = lambda path: answer
    cache_before, outbox_before = _cache_state(till), _outbox_state(till)
    with pytest.raises(error):
        till.engine.pull_once(limit=50)
    assert app.paths and app.paths[-1] == "/v1/changes"
    assert _cache_state(till) == cache_before
    assert _outbox_state(till) == outbox_before
    assert till.engine.cursor() == till.cursor


def test_unknown_columns_are_ignored_in_the_row_format(
    till: Till, hostile: tuple[HostileHub, str]
) -> None:
    app, _url = hostile
    seq = till.cursor + 1
    columns = ("favourite_colour", "id", "name", "x-extension", "tier")
    run = {
        "entity": "member",
        "op": "upsert",
        "seqs": [seq],
        "columns": list(columns),
        "rows": [["blue", "MX000001", "Hostile", {"deep": [1, 2]}, "basic"]],
        "signature": "future field",
    }
    body = {"format": "rows", "runs": [run], "next_cursor": seq, "has_more": False, "shard": 7}
    app.answer = lambda path: Answer(body=_json(body))
    result = till.engine.pull_once(limit=50)
    assert result.caught_up and result.changes == 1
    row = till.cache.execute("SELECT name, tier FROM members WHERE id = 'MX000001'").fetchone()
    assert (row["name"], row["tier"]) == ("Hostile", "basic")


def test_a_key_twice_in_a_run_ends_as_its_later_row(
    till: Till, hostile: tuple[HostileHub, str]
) -> None:
    """Not hostile (a member changed twice within a page): applied in seq order, as the object
    format is — whatever way the rows reach SQLite, the later row wins."""
    app, _url = hostile
    run = _members(["MX000001", "First", "basic"], ["MX000001", "Second", "gold"])
    app.answer = lambda path: Answer(body=_rows(run))
    result = till.engine.pull_once(limit=50)
    assert result.caught_up and result.changes == 2
    rows = till.cache.execute("SELECT name, tier FROM members WHERE id = 'MX000001'").fetchall()
    assert [(r["name"], r["tier"]) for r in rows] == [("Second", "gold")]


def test_unknown_fields_are_ignored_not_fatal(till: Till, hostile: tuple[HostileHub, str]) -> None:
    app, _url = hostile
    seq = till.cursor + 1
    change = _change(seq, favourite_colour="blue", **{"x-extension": {"deep": [1, 2]}})
    change["signature"] = "future field"
    body = {"changes": [change], "next_cursor": seq, "has_more": False, "shard": 7}
    app.answer = lambda path: Answer(body=_json(body))
    result = till.engine.pull_once(limit=50)
    assert result.caught_up and result.changes == 1
    row = till.cache.execute("SELECT name FROM members WHERE id = ?", (change["key"],)).fetchone()
    assert row["name"] == "Hostile"
    assert till.engine.cursor() == seq


PUSH_CASES: dict[str, Callable[[list[str]], Answer]] = {
    "an answer for an interaction not sent": lambda ids: Answer(
        body=_json({"results": [{"id": "not-ours", "status": "accepted"}]})
    ),
    "an unknown status": lambda ids: Answer(
        body=_json({"results": [{"id": i, "status": "acceptedish"} for i in ids]})
    ),
    "results of the wrong type": lambda ids: Answer(body=_json({"results": {"all": "good"}})),
    "truncated": lambda ids: Answer(body=b'{"results": [{"id": "'),
    "huge": lambda ids: Answer(body=[b'{"results": [], "p": "'] + [b"z" * (1 << 20)] * 34),
    "a half-sent answer": lambda ids: Answer(body=b'{"results": [', length=4096),
}


@pytest.mark.parametrize("case", sorted(PUSH_CASES))
def test_a_hostile_answer_to_a_push(case: str, till: Till, hostile: tuple[HostileHub, str]) -> None:
    app, _url = hostile
    ids = [r[0] for r in till.outbox.execute("SELECT id FROM interactions ORDER BY id")]
    app.answer = lambda path: PUSH_CASES[case](ids)
    before = _outbox_state(till)
    cache_before = _cache_state(till)
    with pytest.raises((ProtocolError, TransportError)):
        till.engine.push_once()
    assert app.paths[-1] == "/v1/interactions"
    assert _outbox_state(till) == before
    assert _unsettled(till), "nothing may be settled on a hostile answer"
    assert _cache_state(till) == cache_before


def test_no_answer_at_all_leaves_rows_to_retry(till: Till, hostile: tuple[HostileHub, str]) -> None:
    app, _url = hostile
    app.answer = lambda path: Answer(body=_json({"results": []}))
    result = till.engine.push_once()
    assert result.settled == 0
    assert _unsettled(till)


def test_a_hostile_member_lookup(till: Till, hostile: tuple[HostileHub, str]) -> None:
    app, _url = hostile
    before = _cache_state(till)
    card = Identity("card", "6200000000000001", "card:6200000000000001", proof="6200000000000001")
    answers = [
        # another member than the one asked for
        {"member": {"id": "M1", "card_no": "6299999999999999", "name": "Someone else"}},
        # the right member, with another member's rows inside
        {
            "member": {"id": "M1", "card_no": "6200000000000001", "name": "X"},
            "coupons": [{"id": "Q1", "member_id": "M2"}],
        },
        {"member": {"name": "no id"}},
        {"member": "not an object"},
        # the right member, with a 3-million-character name
        {"member": {"id": "M1", "card_no": "6200000000000001", "name": "名" * 3_000_000}},
    ]
    for body in answers:
        app.answer = lambda path, body=body: Answer(body=_json(body))
        with pytest.raises(ProtocolError):
            till.engine.fetch_member(card, "A01")
    assert _cache_state(till) == before


def test_hostile_keys(till: Till, hostile: tuple[HostileHub, str]) -> None:
    app, _url = hostile
    before = [tuple(r) for r in till.cache.execute("SELECT * FROM public_keys")]
    for body in (
        {"keys": [{"kid": 1, "public_key": "00"}]},
        {"keys": [{"kid": 9999, "public_key": "ab" * 32}]},
        {"keys": "all of them"},
    ):
        app.answer = lambda path, body=body: Answer(body=_json(body))
        with pytest.raises(ProtocolError):
            till.engine.refresh_keys()
    assert [tuple(r) for r in till.cache.execute("SELECT * FROM public_keys")] == before


def test_a_drip_fed_answer_ends_within_the_lookup_budget(
    till: Till, hostile: tuple[HostileHub, str]
) -> None:
    """A slow-loris hub (one byte every 0.3 s, each read well inside the read timeout) must
    not keep a customer waiting past the lookup budget."""
    app, _url = hostile
    body = _json({"member": {"id": "M1", "card_no": "6200000000000001", "name": "slow"}})
    app.answer = lambda path: Answer(body=[bytes([b]) for b in body], drip_s=0.3, length=len(body))
    card = Identity("card", "6200000000000001", "card:6200000000000001", proof="6200000000000001")
    t0 = time.monotonic()
    with pytest.raises(TransportError):
        till.engine.fetch_member(card, "A01")
    assert time.monotonic() - t0 < LOOKUP_TIMEOUT.read + 1.0
