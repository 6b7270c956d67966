"""Terminal.search and Terminal.open_found (clerk.ports.TerminalPort): only this store's staff
search, only this store's members are found and opened, and opening one is audited
(``view_customer``, ``via: search``) — the search itself writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clerk import audit
from clerk import outbox as outbox_mod
from clerk.cache import apply_changes, open_cache
from clerk.db import Transaction
from clerk.errors import PermissionDeniedError
from clerk.outbox import open_outbox
from clerk.terminal import Terminal

NOW = 1_763_900_000


def _member(mid: str, name: str, store: str, last4: str) -> dict[str, Any]:
    data = {"id": mid, "name": name, "home_store": store, "phone_last4": last4, "tier": "basic"}
    return {"entity": "member", "op": "upsert", "key": mid, "data": data}


def _staff(sid: str, active: bool = True) -> dict[str, Any]:
    data = {"id": sid, "name": sid, "role": "associate", "active": active, "pin_hash": None}
    return {"entity": "staff", "op": "upsert", "key": sid, "data": data}


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    cache = open_cache(tmp_path / "cache.db")
    with Transaction(cache):
        apply_changes(
            cache,
            [
                _staff("A01"),
                _staff("A09", active=False),
                _member("M1", "林晓雯", "S001", "5678"),
                _member("M2", "林晓", "S001", "1234"),
                _member("X1", "林晓雯", "S002", "5678"),  # fetched by proof elsewhere
            ],
        )
    cache.close()
    outbox = open_outbox(tmp_path / "outbox.db")
    outbox_mod.set_meta(outbox, {outbox_mod.META_STORE_ID: "S001"})
    outbox.close()
    t = Terminal(tmp_path, clock=lambda: NOW)
    try:
        yield t
    finally:
        t.close()


def _audit(home: Path) -> list[tuple[str, str | None, dict[str, Any]]]:
    conn = open_outbox(home / "outbox.db")
    try:
        assert audit.verify(conn).ok
        return [(r.action, r.staff_id, r.detail) for r in audit.rows(conn)]
    finally:
        conn.close()


def test_staff_search_their_stores_members_and_nothing_is_written(terminal: Terminal) -> None:
    assert [(f.member_id, f.name) for f in terminal.search("lin xiao", "A01")] == [
        ("M2", "林*"),
        ("M1", "林*雯"),
    ]
    assert [f.member_id for f in terminal.search("5678", "A01")] == ["M1"]
    assert _audit(terminal.home) == []


@pytest.mark.parametrize("staff_id", [None, "A09", "Z99"])
def test_only_this_stores_active_staff_search(terminal: Terminal, staff_id: str | None) -> None:
    with pytest.raises(PermissionDeniedError):
        terminal.search("lin", staff_id)
    with pytest.raises(PermissionDeniedError):
        terminal.open_found("M1", staff_id)


def test_opening_a_result_is_audited_as_a_view_via_search(terminal: Terminal) -> None:
    opened = terminal.open_found("M1", "A01")
    assert opened.member_id == "M1" and opened.view is not None
    assert opened.view.profile.name == "林晓雯"
    assert opened.visit is None  # a search proves nobody's presence: no visit
    assert _audit(terminal.home) == [("view_customer", "A01", {"member_id": "M1", "via": "search"})]


def test_another_stores_member_is_not_opened_from_search(terminal: Terminal) -> None:
    with pytest.raises(PermissionDeniedError):
        terminal.open_found("X1", "A01")
    with pytest.raises(PermissionDeniedError):
        terminal.open_found("nobody", "A01")
    assert _audit(terminal.home) == []
