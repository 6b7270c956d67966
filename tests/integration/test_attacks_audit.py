"""Attacks on the audit log by someone with the terminal's data directory and a shell, against
the real hub on loopback (issue 14, item 7).

The attacker opens outbox.db with the directory's own key file (as anyone with a copy can),
hides rows from the hub, or rewrites them — one row, or the whole chain consistently, so the
local check passes. Each attack must be caught: by ``clerk audit verify`` (which also compares
with the hub's acknowledged hash when online) or by the hub, which keeps each device's last
acknowledged (seq, hash), flags a gap or a rewrite, and says so in its answer.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from clerk import audit
from clerk.outbox import open_outbox
from clerk.shared.auditchain import row_hash
from clerk.terminal import Terminal
from sync.hub.embedded import HubHandle
from sync.local import engine_for, enroll


def _terminal(hub: HubHandle, tmp_path: Path) -> Path:
    home = tmp_path / "terminal"
    enroll(home, hub.url, "S001", hub.enrol_code("S001"), device_name="audited")
    return home


def _activity(home: Path, n: int, tag: str) -> None:
    """``n`` audited actions at the terminal (a manager's settings changes)."""
    terminal = Terminal(home)
    try:
        for k in range(n):
            terminal.audit("view_customer", "A01", {"member_id": f"M{k:08d}", "tag": tag})
    finally:
        terminal.close()


def _sync(home: Path) -> None:
    with engine_for(home) as engine:
        engine.sync_once()


def _hub_audit_rows(hub: HubHandle, device_id: str) -> list[dict[str, Any]]:
    rows = [
        r
        for r in hub.store.interactions.iter_rows()
        if r["kind"] == "audit" and r["device_id"] == device_id
    ]
    for r in rows:
        if isinstance(r["payload"], str):
            r["payload"] = json.loads(r["payload"])
    return rows


def _device_id(home: Path) -> str:
    terminal = Terminal(home)
    try:
        device = terminal.device_id()
    finally:
        terminal.close()
    assert device
    return device


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})")}


def _mark_delivered(conn: sqlite3.Connection, upto: int) -> None:
    """What an attacker does to keep rows from the hub: mark them as already delivered, with
    whatever the terminal keeps for that (a per-row flag, or a high-water mark)."""
    if "synced" in _columns(conn, "audit_log"):
        conn.execute("UPDATE audit_log SET synced = 1 WHERE seq <= ?", (upto,))
    (h,) = conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (upto,)).fetchone()
    conn.execute(
        "INSERT INTO outbox_meta (key, value) VALUES ('audit_acked', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (f"{upto}:{h}",),
    )


def _rewrite_from(conn: sqlite3.Connection, first: int, edit: dict[str, Any]) -> None:
    """Change row ``first``'s detail and re-hash it and every row after it, with the head:
    a consistent rewrite that the local chain check cannot tell from the original."""
    rows = conn.execute(
        "SELECT seq, id, at, staff_id, action, detail, prev_hash FROM audit_log "
        "WHERE seq >= ? ORDER BY seq",
        (first,),
    ).fetchall()
    prev = str(rows[0][6])
    for seq, rid, at, staff_id, action, detail_text, _prev in rows:
        detail = json.loads(detail_text)
        if seq == first:
            detail = {**detail, **edit}
        digest = row_hash(prev, seq, rid, at, staff_id, action, detail)
        conn.execute(
            "UPDATE audit_log SET detail = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            (
                json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
                prev,
                digest,
                seq,
            ),
        )
        prev = digest
    conn.execute(
        "UPDATE outbox_meta SET value = ? WHERE key = 'audit_head'", (f"{rows[-1][0]}:{prev}",)
    )


def _verify_cli(home: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict[str, Any]]:
    """``clerk audit verify --json`` through the real parser, on ``home``."""
    from clerk.cli import build_parser

    monkeypatch.setenv("CLERK_HOME", str(home))
    args = build_parser().parse_args(["audit", "verify", "--json"])
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = int(args.func(args))
    return code, json.loads(out.getvalue())


def test_rows_marked_delivered_still_reach_the_hub_or_are_flagged(
    hub: HubHandle, tmp_path: Path
) -> None:
    home = _terminal(hub, tmp_path)
    device = _device_id(home)
    _activity(home, 2, "before")
    _sync(home)
    _activity(home, 3, "hidden")  # seq 3, 4, 5
    conn = open_outbox(home / "outbox.db")
    try:
        _mark_delivered(conn, 4)  # rows 3 and 4 "already delivered"
    finally:
        conn.close()
    _sync(home)

    at_hub = {r["payload"]["seq"] for r in _hub_audit_rows(hub, device)}
    flags = hub.store.audit.flags(store_id="S001")
    assert {3, 4} <= at_hub or any(f["device_id"] == device for f in flags), (
        "rows hidden by marking them delivered neither reached the hub nor were flagged"
    )
    (gap,) = [f for f in flags if f["device_id"] == device]
    assert (gap["problem"], gap["seq"]) == ("gap", 5)
    (answer,) = [r for r in _hub_audit_rows(hub, device) if r["payload"]["seq"] == 5]
    assert answer["reason"] == "audit_chain_gap", "the hub's answer says so"


def test_a_rewritten_synced_row_is_caught_by_verify_online(
    hub: HubHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _terminal(hub, tmp_path)
    _activity(home, 4, "x")
    _sync(home)
    assert _verify_cli(home, monkeypatch)[0] == 0
    conn = open_outbox(home / "outbox.db")
    try:
        _rewrite_from(conn, 2, {"member_id": "M99999999"})  # who was looked at: changed
        assert audit.verify(conn).ok, "the rewrite is consistent: the local chain passes"
    finally:
        conn.close()
    code, result = _verify_cli(home, monkeypatch)
    assert code == 1 and result["ok"] is False
    assert result["reason"] == "hub_mismatch"


def test_a_whole_chain_rewrite_is_flagged_by_the_hub(
    hub: HubHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _terminal(hub, tmp_path)
    device = _device_id(home)
    _activity(home, 3, "x")
    _sync(home)
    conn = open_outbox(home / "outbox.db")
    try:
        _rewrite_from(conn, 1, {"tag": "nothing to see"})
        assert audit.verify(conn).ok
    finally:
        conn.close()
    _activity(home, 1, "after")
    _sync(home)

    flags = [f for f in hub.store.audit.flags(store_id="S001") if f["device_id"] == device]
    assert [(f["problem"], f["seq"]) for f in flags] == [("rewrite", 4)]
    (answer,) = [r for r in _hub_audit_rows(hub, device) if r["payload"]["seq"] == 4]
    assert answer["reason"] == "audit_chain_rewrite"
    code, result = _verify_cli(home, monkeypatch)
    assert code == 1 and result["reason"] in ("hub_mismatch", "hub_flagged")


def test_a_deleted_synced_row_rewritten_over_is_caught(
    hub: HubHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows the hub acknowledged are deleted and the rest renumbered and re-hashed."""
    home = _terminal(hub, tmp_path)
    _activity(home, 4, "x")
    _sync(home)
    conn = open_outbox(home / "outbox.db")
    try:
        conn.execute("DELETE FROM audit_log WHERE seq >= 3")
        _rewrite_from(conn, 1, {})
        assert audit.verify(conn).ok
    finally:
        conn.close()
    code, result = _verify_cli(home, monkeypatch)
    assert code == 1 and result["reason"] in ("hub_missing", "hub_mismatch")


def test_a_rewrite_sent_again_is_refused_and_never_skipped(hub: HubHandle, tmp_path: Path) -> None:
    """The attacker rewrites acknowledged rows and moves the mark back so they are sent again:
    the hub refuses the rewritten rows (and flags them), and the terminal does not move its
    mark past a refused row — it is sent again at every sync, never skipped."""
    home = _terminal(hub, tmp_path)
    device = _device_id(home)
    _activity(home, 3, "x")
    _sync(home)
    conn = open_outbox(home / "outbox.db")
    try:
        _rewrite_from(conn, 2, {"member_id": "M99999999"})
        (h,) = conn.execute("SELECT hash FROM audit_log WHERE seq = 1").fetchone()
        conn.execute("UPDATE outbox_meta SET value = ? WHERE key = 'audit_acked'", (f"1:{h}",))
    finally:
        conn.close()
    for _ in range(2):
        with engine_for(home) as engine:
            assert engine.push_audit() == 0
            assert audit.acked(engine.outbox)[0] == 1
    flags = [f for f in hub.store.audit.flags(store_id="S001") if f["device_id"] == device]
    assert [(f["problem"], f["seq"]) for f in flags] == [("id_reused", 2), ("id_reused", 3)]
