"""Service cases end to end, with a real hub on loopback (both backends): a case opened at a
terminal offline, noted, synced, and closed at the hub by the CRM; cases from the CRM's rows
(:func:`sync.hub.cases.upsert`, what an import registers)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from segment.analytics.client import Client as SegmentClient

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk import view360
from clerk.model import CustomerView
from clerk.shared.interactions import CaseClose, CaseNote, CaseOpen
from sync.client import HubClient
from sync.engine import SyncEngine
from sync.hub import cases
from sync.hub.embedded import HubHandle
from sync.hub.segment.sources import Sources

STORE = "S001"
STAFF = "A01"
DAY = 86_400


class Terminal:
    def __init__(self, root: Path, hub: HubHandle) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.cache = cache_mod.open_cache(root / "cache.db")
        self.outbox = outbox_mod.open_outbox(root / "outbox.db")
        self.engine = SyncEngine(self.cache, self.outbox, HubClient(hub.url))
        self.engine.enroll(hub.url, STORE, hub.enrol_code(STORE), device_name=root.name)

    def view(self, member_id: str, now: int) -> CustomerView:
        found = view360.lookup(self.cache, self.outbox, member_id, now=now)
        assert found is not None
        return found

    def close(self) -> None:
        self.engine.client.close()
        self.cache.close()
        self.outbox.close()


@pytest.fixture
def term(any_hub: HubHandle, tmp_path: Path) -> Iterator[Terminal]:
    t = Terminal(tmp_path / "till", any_hub)
    t.engine.sync_once()
    yield t
    t.close()


def member(hub: HubHandle) -> str:
    with hub.store.read() as conn:
        row = conn.row(
            "SELECT id FROM members WHERE home_store = ? ORDER BY id LIMIT 1 OFFSET 3", (STORE,)
        )
    assert row is not None
    return str(row[0])


def hub_case(hub: HubHandle, case_id: str) -> tuple[Any, ...] | None:
    with hub.store.read() as conn:
        return conn.row(
            "SELECT member_id, case_type, subject, status, sku, updated_at, closed_at "
            "FROM cases WHERE id = ?",
            (case_id,),
        )


def test_a_case_opened_offline_and_closed_at_the_hub(any_hub: HubHandle, term: Terminal) -> None:
    hub = any_hub
    m = member(hub)
    now = int(time.time())
    # Offline: recorded on the terminal alone; the 360 shows it open at once.
    opened = outbox_mod.record(
        term.outbox,
        "case_open",
        member_id=m,
        staff_id=STAFF,
        payload=CaseOpen.of("repair", "screen replacement", "SW00001"),
        now=now - 120,
    )
    outbox_mod.record(
        term.outbox,
        "case_note",
        member_id=m,
        staff_id=STAFF,
        payload=CaseNote.of(opened.id, "the customer calls back Friday"),
        now=now - 60,
    )
    view = term.view(m, now)
    # The wording of each consent in force came with the first sync (every store's).
    assert {(t.purpose, t.version) for t in view.consent_texts} == {
        ("marketing", "2024-01"),
        ("browsing", "2024-01"),
    }
    assert all(t.text.zh and t.text.en.startswith("I agree") for t in view.consent_texts)
    assert [(c.id, c.case_type, c.subject, c.sync_state) for c in view.cases] == [
        (opened.id, "repair", "screen replacement", "pending")
    ]
    assert view.cases[0].product is not None and view.cases[0].product.sku == "SW00001"
    assert hub_case(hub, opened.id) is None

    # Back online: the hub has the case (noted), the terminal has it from the feed.
    term.engine.sync_once()
    assert hub_case(hub, opened.id) == (
        m,
        "repair",
        "screen replacement",
        "open",
        "SW00001",
        now - 60,
        None,
    )
    view = term.view(m, now)
    assert [(c.id, c.sync_state) for c in view.cases] == [(opened.id, None)]
    assert view.cases[0].store_name  # the store that opened it
    kinds = [e.kind for e in view.visits[:2]]
    assert kinds == ["case_note", "case_open"]  # the history has both

    # Closed at the hub: the CRM says so (a Case Updated event) …
    key = Sources(hub.store).add("crm")[1]
    crm = SegmentClient(key, host=hub.url + "/segment", sync_mode=True, max_retries=0)
    crm.track(
        user_id=m, event="Case Updated", properties={"case_id": opened.id, "status": "closed"}
    )
    closed = hub_case(hub, opened.id)
    assert closed is not None and closed[3] == "closed" and closed[6] is not None
    assert closed[2] == "screen replacement"  # what the update left out stays
    # … and the terminal learns it on its next sync: no open case any more.
    term.engine.sync_once()
    assert term.view(m, now).cases == ()
    row = term.cache.execute("SELECT status FROM cases WHERE id = ?", (opened.id,)).fetchone()
    assert tuple(row) == ("closed",)

    # A close from the store afterwards is accepted and changes nothing (the first stands);
    # a note of a case the hub does not have for this member is rejected.
    late = outbox_mod.record(
        term.outbox,
        "case_close",
        member_id=m,
        staff_id=STAFF,
        payload=CaseClose.of(opened.id, "screen replaced"),
        now=now,
    )
    stray = outbox_mod.record(
        term.outbox,
        "case_note",
        member_id=m,
        staff_id=STAFF,
        payload=CaseNote.of("no-such-case", "x"),
        now=now,
    )
    term.engine.sync_once()
    states = dict(
        term.outbox.execute(
            "SELECT id, state || ':' || coalesce(reason, '') FROM interactions WHERE id IN (?, ?)",
            (late.id, stray.id),
        ).fetchall()
    )
    assert states == {late.id: "acked:", stray.id: "rejected:unknown_case"}
    assert hub_case(hub, opened.id) == closed


def test_a_case_closed_here_leaves_the_open_list_before_the_hub_knows(
    any_hub: HubHandle, term: Terminal
) -> None:
    m = member(any_hub)
    now = int(time.time())
    opened = outbox_mod.record(
        term.outbox,
        "case_open",
        member_id=m,
        staff_id=STAFF,
        payload=CaseOpen.of("complaint", "late delivery"),
        now=now - 60,
    )
    term.engine.sync_once()
    assert [c.id for c in term.view(m, now).cases] == [opened.id]
    outbox_mod.record(
        term.outbox,
        "case_close",
        member_id=m,
        staff_id=STAFF,
        payload=CaseClose.of(opened.id),
        now=now,
    )
    assert term.view(m, now).cases == ()  # offline: closed here at once
    term.engine.sync_once()
    assert term.view(m, now).cases == ()
    found = hub_case(any_hub, opened.id)
    assert found is not None and found[3] == "closed" and found[6] == now


def test_cases_from_the_crm_rows(any_hub: HubHandle, term: Terminal) -> None:
    hub = any_hub
    m = member(hub)
    now = int(time.time())
    rows: list[dict[str, Any]] = [
        {
            "id": "R-1024",
            "member_id": m,
            "case_type": "repair",
            "subject": "strap replacement",
            "status": "open",
            "opened_at": now - 3 * DAY,
        },
        {
            "id": "C-77",
            "member_id": m,
            "case_type": "complaint",
            "subject": "rude call",
            "status": "closed",
            "opened_at": now - 9 * DAY,
            "closed_at": now - 8 * DAY,
        },
        {"id": "X-1", "member_id": m, "case_type": "refund", "subject": "x", "status": "open"},
        {
            "id": "X-2",
            "member_id": "M99999999",
            "case_type": "repair",
            "subject": "x",
            "status": "open",
            "opened_at": now,
        },
    ]
    with hub.store.write() as tx:
        done = cases.upsert(tx, rows)
    assert done.written == 2
    assert done.refused == [(2, "missing"), (3, "unknown_member")]
    with hub.store.write() as tx:  # another member's case id: refused
        again = cases.upsert(tx, [dict(rows[0], member_id=member_of_other_store(hub))])
    assert again.refused == [(0, "member_mismatch")]
    term.engine.sync_once()
    view = term.view(m, now)
    assert [(c.id, c.number, c.case_type) for c in view.cases] == [("R-1024", "R-1024", "repair")]
    assert set(cases.COLUMNS) >= {"id", "member_id", "status", "opened_at", "closed_at"}


def member_of_other_store(hub: HubHandle) -> str:
    with hub.store.read() as conn:
        row = conn.row("SELECT id FROM members WHERE home_store <> ? ORDER BY id LIMIT 1", (STORE,))
    assert row is not None
    return str(row[0])
