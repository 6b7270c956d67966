"""The bulk pull's fast paths: the hub's pre-serialised feed (in both formats), the
dict-validated page, the one-page lookahead — each against the slow path it replaces."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from sync.client import HubClient
from sync.engine import SyncEngine
from sync.hub.embedded import HubHandle
from sync.protocol import CHANGES_PAGE, ROWS_PAGE, ROWS_PREFIX, ChangesResponse, RowsResponse


def _slow_json(hub: HubHandle, store_id: str, since: int, limit: int) -> bytes:
    page = hub.store.feed.changes(store_id, since, limit)
    doc = {
        "changes": page.changes,
        "next_cursor": page.next_cursor,
        "has_more": page.has_more,
        "remaining": page.remaining,
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def test_changes_json_is_the_json_of_changes(any_hub: HubHandle) -> None:
    store = any_hub.store
    victim = store.members.ids("S001", limit=3)[-1]
    store.members.delete(victim)
    odd = store.members.ids("S001", limit=1)[0]
    with store.write() as tx:  # a JSON column holding text that is not JSON stays a string
        tx.conn.execute("UPDATE members SET tags = ? WHERE id = ?", ("not json", odd))
        tx.emit("member", odd, "upsert", "S001")
    cursor, pages, deletes, odd_seen = 0, 0, 0, False
    while True:
        fast = store.feed.changes_json("S001", cursor, 333)
        # Same page, same text (both read the same memo of `remaining`).
        assert json.loads(fast) == json.loads(_slow_json(any_hub, "S001", cursor, 333))
        doc = json.loads(fast)
        deletes += sum(c["op"] == "delete" for c in doc["changes"])
        odd_seen |= any(c["key"] == odd and c["data"]["tags"] == "not json" for c in doc["changes"])
        pages += 1
        cursor = doc["next_cursor"]
        if not doc["has_more"]:
            break
    assert pages > 3 and deletes > 0 and odd_seen


def _as_objects(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """A page in the row format as the object format's changes, in seq order."""
    out = []
    for run in doc["runs"]:
        entity, op = run["entity"], run["op"]
        if op == "upsert":
            pk = cache_mod.TABLES[entity][1]
            for seq, row in zip(run["seqs"], run["rows"], strict=True):
                data = dict(zip(run["columns"], row, strict=True))
                out.append(
                    {"seq": seq, "entity": entity, "op": op, "key": str(data[pk]), "data": data}
                )
        else:
            for seq, key in zip(run["seqs"], run["keys"], strict=True):
                out.append({"seq": seq, "entity": entity, "op": op, "key": key, "data": None})
    return sorted(out, key=lambda c: c["seq"])


def test_the_row_format_is_the_same_page_as_objects(any_hub: HubHandle) -> None:
    store = any_hub.store
    victim = store.members.ids("S001", limit=3)[-1]
    store.members.delete(victim)
    odd = store.members.ids("S001", limit=1)[0]
    with store.write() as tx:  # a JSON column holding text that is not JSON stays a string
        tx.conn.execute("UPDATE members SET tags = ? WHERE id = ?", ("not json", odd))
        tx.emit("member", odd, "upsert", "S001")
    cursor, pages, entities = 0, 0, set()
    while True:
        body = store.feed.changes_json("S001", cursor, 333, rows=True)
        assert body.startswith(ROWS_PREFIX)
        doc = json.loads(body)
        objects = json.loads(store.feed.changes_json("S001", cursor, 333))
        assert _as_objects(doc) == objects["changes"]
        for name in ("next_cursor", "has_more", "remaining"):
            assert doc[name] == objects[name]
        # Per entity, one column list per run of one op: far fewer runs than rows.
        assert len(doc["runs"]) < max(2, len(objects["changes"]) // 3)
        assert ROWS_PAGE.validate_json(body) == RowsResponse.model_validate_json(body).model_dump(
            exclude_none=True
        )
        entities |= {run["entity"] for run in doc["runs"]}
        pages += 1
        cursor = doc["next_cursor"]
        if not doc["has_more"]:
            break
    assert pages > 3 and {"member", "browse", "visit"} <= entities
    tail = json.loads(store.feed.changes_json("S001", cursor, 333, rows=True))
    assert tail["runs"] == [] and tail["next_cursor"] == cursor
    # The tail is cached per format: the same text again, each format its own.
    again = store.feed.changes_json("S001", cursor, 333, rows=True)
    assert again.startswith(ROWS_PREFIX) and store.feed.row_pages.hits >= 1
    assert store.feed.changes_json("S001", cursor, 333).startswith(b'{"changes":[]')


def _ch(**kw: Any) -> dict[str, Any]:
    return {"seq": 1, "entity": "member", "op": "upsert", "key": "k", "data": {"id": "k"}, **kw}


def _page(changes: list[Any], **kw: Any) -> bytes:
    return json.dumps({"changes": changes, "next_cursor": 1, "has_more": False, **kw}).encode()


BODIES = [
    _page([_ch()]),
    _page([_ch(seq="1")]),
    _page([_ch(seq="x")]),
    _page([_ch(seq=1.5)]),
    _page([_ch(entity="spaceship")]),
    _page([_ch(op="merge")]),
    _page([_ch(key="x" * 257)]),
    _page([_ch(key=5)]),
    _page([_ch(data=[1])]),
    _page([_ch(data=None)]),
    _page([{"seq": 1, "entity": "member", "op": "delete", "key": "k"}]),
    _page([_ch(extra=1)], extra=2),
    _page([_ch()] * 5001),
    _page([_ch()], has_more="maybe"),
    _page([_ch()], next_cursor=None),
    _page([_ch()], remaining="5"),
    b'{"changes": [], "next_cursor": 1, "has_more": false, "remaining": NaN}',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"changes": [], "next_cursor": 1, "has_more": false} trailing',
    b"\xff\xfe",
]


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_dict_validation_accepts_and_refuses_what_the_model_does(body: bytes) -> None:
    try:
        model = ChangesResponse.model_validate_json(body)
    except ValidationError:
        with pytest.raises(ValidationError):
            CHANGES_PAGE.validate_json(body)
        return
    page = CHANGES_PAGE.validate_json(body)
    assert [c.model_dump() for c in model.changes] == [{"data": None, **c} for c in page["changes"]]
    assert (model.next_cursor, model.has_more, model.remaining) == (
        page["next_cursor"],
        page["has_more"],
        page.get("remaining"),
    )


class Killed(BaseException):
    pass


def test_a_pull_cut_short_leaves_no_fetch_running(hub: HubHandle, tmp_path: Path) -> None:
    cache = cache_mod.open_cache(tmp_path / "cache.db")
    outbox = outbox_mod.open_outbox(tmp_path / "outbox.db")
    engine = SyncEngine(cache, outbox, HubClient(hub.url))
    try:
        engine.enroll(hub.url, "S001", hub.enrol_code("S001"))

        def progress(done: int, remaining: int | None, eta: float | None) -> None:
            raise Killed  # the next page is being fetched right now

        with pytest.raises(Killed):
            engine.pull_once(limit=50, progress=progress)
        assert not [t for t in threading.enumerate() if t.name.startswith("pull-ahead")]
        assert engine.cursor() > 0
        result = engine.pull_once(limit=50, max_pages=3)
        assert result.pages == 3 and not result.caught_up
        assert not [t for t in threading.enumerate() if t.name.startswith("pull-ahead")]
    finally:
        engine.client.close()
        cache.close()
        outbox.close()
