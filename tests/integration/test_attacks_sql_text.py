"""Attack: an associate at a shell (a valid device token) sends texts written to break out of
a SQL literal. On PostgreSQL the hub writes a push's values into its statements as literals
(sync.hub.db.pg_literal, to spare the driver's Python), so every quote, backslash and
statement separator must arrive as text — on SQLite as parameters, the same answer."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hub_client import make_interaction, pull_changes

from sync.hub.embedded import HubHandle

STORE = "S001"

HOSTILE = [
    "'); DROP TABLE members; --",
    "\\'); DELETE FROM changes; --",
    "it''s \\\\ a \\' mess",
    "E'\\x41' || chr(39)",
    "$$; TRUNCATE stores; $$",
    "?; SELECT ?",
    "二〇二六 ✓ \U0001f600 \u2028",
]


@pytest.fixture
def device(any_hub: HubHandle) -> Iterator[httpx.Client]:
    body = any_hub.enrol(STORE, device_name="till 1")
    with any_hub.client(body["token"]) as client:
        yield client


def test_texts_that_break_out_of_a_sql_literal_are_stored_as_text(
    any_hub: HubHandle, device: httpx.Client
) -> None:
    with any_hub.store.read() as conn:
        member = conn.scalar("SELECT min(id) FROM members WHERE home_store = ?", (STORE,))
        counts = {t: conn.scalar(f"SELECT count(*) FROM {t}") for t in ("members", "stores")}
    items = [
        make_interaction("note", member, device_seq=i, text=text)
        for i, text in enumerate(HOSTILE, start=1)
    ]
    resp = device.post("/v1/interactions", json={"interactions": items})
    assert resp.status_code == 200, resp.text
    assert [r["status"] for r in resp.json()["results"]] == ["accepted"] * len(HOSTILE)
    again = device.post("/v1/interactions", json={"interactions": items})  # a repeat
    assert again.json()["results"] == resp.json()["results"]  # the stored answers

    changes, _ = pull_changes(device)
    texts = {
        c["key"]: c["data"]["text"]
        for c in changes
        if c["entity"] == "visit" and c["op"] == "upsert" and c["data"]["kind"] == "note"
    }
    assert {i["id"]: texts.get(i["id"]) for i in items} == {
        i["id"]: i["payload"]["text"] for i in items
    }
    with any_hub.store.read() as conn:
        assert {t: conn.scalar(f"SELECT count(*) FROM {t}") for t in counts} == counts
