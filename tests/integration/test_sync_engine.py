"""SyncEngine against a real hub on loopback, with real cache.db / outbox.db files."""

from __future__ import annotations

import json
import socket
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk.identify import luhn_check_digit
from clerk.model import Identity
from sync.client import HubClient
from sync.engine import SyncEngine
from sync.errors import AuthError, NoProofError, TransportError
from sync.hub.embedded import HubHandle

STORE = "S001"
NOBODYS_CARD = "629999999999999" + luhn_check_digit("629999999999999")  # valid, unissued


class Terminal:
    """A terminal's two files and an engine enrolled at ``hub_url``."""

    def __init__(self, root: Path, hub: HubHandle, hub_url: str | None = None) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.cache = cache_mod.open_cache(root / "cache.db")
        self.outbox = outbox_mod.open_outbox(root / "outbox.db")
        url = hub_url or hub.url
        self.engine = SyncEngine(self.cache, self.outbox, HubClient(url))
        self.engine.enroll(url, STORE, hub.enrol_code(STORE), device_name=root.name)

    def close(self) -> None:
        self.engine.client.close()
        self.cache.close()
        self.outbox.close()


@pytest.fixture
def term(hub: HubHandle, tmp_path: Path) -> Iterator[Terminal]:
    t = Terminal(tmp_path / "till1", hub)
    yield t
    t.close()


def hub_slice(hub: HubHandle, store_id: str = STORE) -> dict[str, set[str]]:
    """What the store's slice is, from the hub's own changes table: keys whose last op is an
    upsert, per entity."""
    with hub.store.read() as conn:
        rows = conn.rows(
            "SELECT entity, key, op FROM changes WHERE store_id = ? OR store_id IS NULL "
            "ORDER BY seq",
            (store_id,),
        )
    last: dict[tuple[str, str], str] = {}
    for entity, key, op in rows:
        last[(entity, key)] = op
        # Browsing and cart of members without browsing consent never leave the hub.
        hidden = {
            (entity, str(r[0]))
            for entity, table in (("browse", "browse_events"), ("cart", "cart_items"))
            for r in conn.rows(
                f"SELECT t.id FROM {table} t JOIN members m ON m.id = t.member_id "
                "WHERE m.consent_browsing = 0"
            )
        }
    out: dict[str, set[str]] = defaultdict(set)
    for (entity, key), op in last.items():
        if op == "upsert" and (entity, key) not in hidden:
            out[entity].add(key)
    return dict(out)


def cache_keys(conn: sqlite3.Connection) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for entity, (table, pk, _cols) in cache_mod.TABLES.items():
        keys = {str(r[0]) for r in conn.execute(f"SELECT {pk} FROM {table}")}
        if keys:
            out[entity] = keys
    return out


def dump(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for table, _pk, _cols in cache_mod.TABLES.values():
        rows += [(table, *r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1")]
    return rows


def member_ids(hub: HubHandle, n: int) -> list[str]:
    with hub.store.read() as conn:
        return [str(r[0]) for r in conn.rows("SELECT id FROM members ORDER BY id LIMIT ?", (n,))]


def hub_interactions(hub: HubHandle, device_id: str) -> dict[str, str]:
    with hub.store.read() as conn:
        rows = conn.rows("SELECT id, status FROM interactions WHERE device_id = ?", (device_id,))
    return {str(r[0]): str(r[1]) for r in rows}


def record_notes(outbox: sqlite3.Connection, members: list[str], n: int) -> list[str]:
    return [
        outbox_mod.record(
            outbox, "note", member_id=members[i % len(members)], payload={"text": f"note {i}"}
        ).id
        for i in range(n)
    ]


def local_states(outbox: sqlite3.Connection) -> dict[str, str]:
    return {r[0]: r[1] for r in outbox.execute("SELECT id, state FROM interactions")}


# -- enrol and pull ------------------------------------------------------------------------------


def test_enrol_stores_credentials_and_keys(hub: HubHandle, term: Terminal) -> None:
    creds = term.engine.credentials()
    assert creds is not None and creds.store_id == STORE and creds.hub_url == hub.url
    assert outbox_mod.get_meta(term.outbox, outbox_mod.META_TOKEN) == creds.token
    assert creds.phone_bucket_key == hub.store.phone_bucket_key
    assert creds.phone_seal_key == hub.store.phone_seal_public
    kids = {r[0] for r in term.cache.execute("SELECT kid FROM public_keys")}
    assert hub.store.keys.active().kid in kids
    st = term.engine.status()
    assert st["enrolled"] and st["device_id"] == creds.device_id and st["online"] is True
    assert st["clock_offset_s"] is not None and abs(st["clock_offset_s"]) < 5


def test_a_wrong_enrolment_code_saves_nothing(hub: HubHandle, tmp_path: Path) -> None:
    cache = cache_mod.open_cache(tmp_path / "cache.db")
    outbox = outbox_mod.open_outbox(tmp_path / "outbox.db")
    engine = SyncEngine(cache, outbox, HubClient("http://unused.invalid"))
    try:
        with pytest.raises(AuthError) as info:
            engine.enroll(hub.url, STORE, "not-a-code")
        assert info.value.status == 403
        assert engine.credentials() is None
        assert cache.execute("SELECT count(*) FROM public_keys").fetchone()[0] == 0
        assert engine.client.base_url == "http://unused.invalid"
    finally:
        engine.client.close()
        cache.close()
        outbox.close()


def test_reenrolling_to_another_store_swaps_the_slice(hub: HubHandle, term: Terminal) -> None:
    term.engine.pull_once()
    pending = record_notes(term.outbox, member_ids(hub, 2), 2)
    term.engine.enroll(hub.url, "S002", hub.enrol_code("S002"))
    assert term.cache.execute("SELECT count(*) FROM members").fetchone()[0] == 0
    assert term.engine.cursor() == 0
    report = term.engine.sync_once()
    assert report.caught_up and report.pushed.settled == len(pending)
    assert cache_keys(term.cache) == hub_slice(hub, "S002")


def test_pull_all_matches_the_hub_slice(hub: HubHandle, term: Terminal) -> None:
    progress: list[tuple[int, int | None, float | None]] = []
    result = term.engine.pull_once(limit=500, progress=lambda *a: progress.append(a))
    expected = hub_slice(hub)
    got = cache_keys(term.cache)
    assert result.caught_up and result.pages == len(progress) > 1
    assert {e: len(k) for e, k in got.items()} == {e: len(k) for e, k in expected.items()}
    assert got == expected
    # Rows are the hub's rows.
    for mid in sorted(expected["member"])[:20]:
        want = hub.store.members.view(mid)["member"]
        row = term.cache.execute("SELECT * FROM members WHERE id = ?", (mid,)).fetchone()
        assert (row["name"], row["tier"], row["points"]) == (
            want["name"],
            want["tier"],
            want["points"],
        )
    # Progress counts up to the total and ends with nothing remaining.
    assert [p[0] for p in progress] == sorted(p[0] for p in progress)
    assert progress[-1][0] == result.changes and progress[-1][1] == 0
    st = term.engine.status()
    assert st["cursor"] == result.cursor > 0 and st["last_pull_at"] is not None
    # A second pull is a no-op page.
    again = term.engine.pull_once()
    assert again.changes == 0 and again.caught_up


class Killed(BaseException):
    """The process dies (nothing catches it, like SIGKILL would not let anything run)."""


def _pull_with_kill(term: Terminal, kill_after_pages: int) -> int:
    pages = 0

    def progress(done: int, remaining: int | None, eta: float | None) -> None:
        nonlocal pages
        pages += 1
        if pages == kill_after_pages:
            raise Killed  # the process dies right after this page

    with pytest.raises(Killed):
        term.engine.pull_once(limit=137, progress=progress)
    return term.engine.cursor()


def test_kill_between_pages_resumes_without_gaps_or_duplicates(
    hub: HubHandle, term: Terminal, tmp_path: Path
) -> None:
    cursor = _pull_with_kill(term, kill_after_pages=3)
    assert cursor > 0
    rows_at_kill = sum(len(v) for v in cache_keys(term.cache).values())
    assert 0 < rows_at_kill < sum(len(v) for v in hub_slice(hub).values())
    resumed = term.engine.pull_once(limit=137)
    assert resumed.caught_up

    clean = Terminal(tmp_path / "clean", hub)
    try:
        clean.engine.pull_once(limit=1000)
        assert dump(term.cache) == dump(clean.cache)
        assert term.engine.cursor() == clean.engine.cursor()
    finally:
        clean.close()


def test_kill_inside_a_page_rolls_back_that_page(
    hub: HubHandle, term: Terminal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    term.engine.pull_once(limit=100, max_pages=2)
    cursor = term.engine.cursor()
    before = dump(term.cache)
    real_set_state = cache_mod.set_state

    def dying_set_state(conn: sqlite3.Connection, key: str, value: str | None) -> None:
        if key == "cursor":
            raise Killed  # rows written, cursor not yet: the process dies here
        real_set_state(conn, key, value)

    monkeypatch.setattr(cache_mod, "set_state", dying_set_state)
    with pytest.raises(Killed):
        term.engine.pull_once(limit=100)
    monkeypatch.undo()
    assert term.engine.cursor() == cursor
    assert dump(term.cache) == before

    term.engine.pull_once(limit=100)
    clean = Terminal(tmp_path / "clean", hub)
    try:
        clean.engine.pull_once()
        assert dump(term.cache) == dump(clean.cache)
    finally:
        clean.close()


def test_reopened_files_resume_from_the_saved_cursor(hub: HubHandle, tmp_path: Path) -> None:
    t = Terminal(tmp_path / "till", hub)
    t.engine.pull_once(limit=200, max_pages=2)
    cursor = t.engine.cursor()
    t.close()
    cache = cache_mod.open_cache(tmp_path / "till" / "cache.db")
    outbox = outbox_mod.open_outbox(tmp_path / "till" / "outbox.db")
    client = HubClient("http://unused.invalid")
    try:
        engine = SyncEngine(cache, outbox, client)  # credentials come from outbox.db
        assert engine.cursor() == cursor
        result = engine.pull_once(limit=200)
        assert result.caught_up
        assert cache_keys(cache) == hub_slice(hub)
    finally:
        client.close()
        cache.close()
        outbox.close()


# -- push ------------------------------------------------------------------------------------------


def test_push_100_gives_exactly_100_at_the_hub(hub: HubHandle, term: Terminal) -> None:
    members = member_ids(hub, 30)
    ids = record_notes(term.outbox, members, 100)
    term.engine.batch_items = 30
    report = term.engine.sync_once()
    assert report.caught_up and report.pending == 0
    assert report.pushed.accepted == 100 and report.pushed.requests == 4
    device = term.engine.status()["device_id"]
    at_hub = hub_interactions(hub, device)
    assert sorted(at_hub) == sorted(ids)
    assert set(at_hub.values()) == {"accepted"}
    assert set(local_states(term.outbox).values()) == {"acked"}
    st = term.engine.status()
    assert st["pending"] == 0 and st["last_push_at"] is not None and st["stuck_since"] is None


def test_replayed_batch_after_a_lost_ack_is_not_doubled(hub: HubHandle, term: Terminal) -> None:
    members = member_ids(hub, 10)
    ids = record_notes(term.outbox, members, 50)
    first = term.engine.push_once()
    assert first.accepted == 50
    # The ack was lost: the rows are still "sent" as far as the terminal knows.
    term.outbox.execute("UPDATE interactions SET state = 'sent', settled_at = NULL, reason = NULL")
    again = term.engine.push_once()
    assert again.sent == 50 and again.duplicate + again.accepted == 50
    device = term.engine.status()["device_id"]
    at_hub = hub_interactions(hub, device)
    assert sorted(at_hub) == sorted(ids)  # exactly 50 rows, no doubles
    assert set(local_states(term.outbox).values()) == {"acked"}
    attempts = {r[0] for r in term.outbox.execute("SELECT attempts FROM interactions")}
    assert attempts == {2}


def test_rejected_item_does_not_block_the_items_behind_it(hub: HubHandle, term: Terminal) -> None:
    members = member_ids(hub, 5)
    before = record_notes(term.outbox, members, 5)
    unknown = outbox_mod.record(
        term.outbox, "note", member_id="NO-SUCH-MEMBER", payload={"text": "ghost"}
    ).id
    # Too big for the hub's body limit on its own: the whole batch is refused (413) and the
    # engine has to bisect to find it. This terminal refuses to write such a note; one from an
    # older terminal (or a hand-edited file) is planted as it would be on disk.
    huge = outbox_mod.record(term.outbox, "note", member_id=members[0], payload={"text": "x"}).id
    term.outbox.execute(
        "UPDATE interactions SET payload = ? WHERE id = ?",
        (json.dumps({"text": "x" * 2_500_000}), huge),
    )
    after = record_notes(term.outbox, members, 5)
    term.engine.batch_bytes = 10_000_000  # all in one batch: the hub refuses it whole
    report = term.engine.sync_once()
    states = local_states(term.outbox)
    assert states[unknown] == "rejected" and states[huge] == "rejected"
    assert all(states[i] == "acked" for i in before + after)
    assert report.pending == 0 and report.pushed.rejected == 2
    reasons = dict(
        term.outbox.execute(
            "SELECT id, reason FROM interactions WHERE state = 'rejected'"
        ).fetchall()
    )
    assert reasons[unknown] == "unknown_member"
    assert report.pushed.requests > 3  # the 413 was bisected down to the one huge item
    assert reasons[huge].startswith(("too_large", "http_413"))
    device = term.engine.status()["device_id"]
    at_hub = hub_interactions(hub, device)
    assert huge not in at_hub and len([s for s in at_hub.values() if s == "accepted"]) == 10
    st = term.engine.status()
    assert st["rejected"] == 2 and st["pending"] == 0


def test_revoked_device_is_surfaced(hub: HubHandle, term: Terminal) -> None:
    record_notes(term.outbox, member_ids(hub, 1), 3)
    creds = term.engine.credentials()
    assert creds is not None
    hub.store.devices.revoke(creds.device_id)
    with pytest.raises(AuthError):
        term.engine.sync_once()
    st = term.engine.status()
    assert st["pending"] == 3 and st["last_error"].startswith("device_revoked")


# -- on-demand member --------------------------------------------------------------------------


def test_fetch_member_on_a_cache_miss(hub: HubHandle, term: Terminal) -> None:
    with hub.store.read() as conn:
        mid, card = conn.rows("SELECT id, card_no FROM members WHERE card_no IS NOT NULL")[0]
    view = hub.store.members.view(mid)
    assert term.cache.execute("SELECT count(*) FROM members").fetchone()[0] == 0
    by_card = Identity("card", card, f"card:{card}", proof=card)
    assert term.engine.fetch_member(by_card, "A01") == mid
    row = term.cache.execute("SELECT name FROM members WHERE id = ?", (mid,)).fetchone()
    assert row["name"] == view["member"]["name"]
    n_cart = term.cache.execute(
        "SELECT count(*) FROM cart_items WHERE member_id = ?", (mid,)
    ).fetchone()[0]
    assert n_cart == len(view["cart"])
    code_id = str(hub.store.members.code_id(mid))
    by_code = Identity("code", code_id, f"code:{code_id}", proof=hub.member_code(mid))
    assert term.engine.fetch_member(by_code, "A01") == mid
    assert (
        term.engine.fetch_member(
            Identity("card", NOBODYS_CARD, "card:x", proof=NOBODYS_CARD), "A01"
        )
        is None
    )
    assert term.engine.fetch_member(Identity("member_id", "NOPE", "member:NOPE")) is None
    # Without what was scanned, or without a signed-in staff member, nothing is asked.
    with pytest.raises(NoProofError):
        term.engine.fetch_member(Identity("code", code_id, f"code:{code_id}"), "A01")
    with pytest.raises(NoProofError):
        term.engine.fetch_member(by_card, None)


# -- hub down ------------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_hub_down_then_back(hub: HubHandle, term: Terminal) -> None:
    members = member_ids(hub, 3)
    ids = record_notes(term.outbox, members, 7)
    assert term.engine.sync_once().caught_up
    more = record_notes(term.outbox, members, 5)
    term.engine.client.configure(base_url=f"http://127.0.0.1:{_closed_port()}")  # hub is gone
    with pytest.raises(TransportError):
        term.engine.sync_once()
    st = term.engine.status()
    assert st["online"] is False and st["pending"] == 5
    assert st["last_error"].startswith("offline:")
    with pytest.raises(TransportError):
        term.engine.fetch_member(
            Identity("card", NOBODYS_CARD, "card:x", proof=NOBODYS_CARD), "A01"
        )
    term.engine.client.configure(base_url=hub.url)  # back
    report = term.engine.sync_once()
    assert report.caught_up and report.pushed.accepted == 5
    st = term.engine.status()
    assert st["online"] is True and st["last_error"] is None and st["pending"] == 0
    assert sorted(hub_interactions(hub, st["device_id"])) == sorted(ids + more)
