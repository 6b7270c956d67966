"""The hash-chained audit log: appends, tamper detection, sync hand-off and the CLI."""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from clerk import audit
from clerk.outbox import open_outbox
from clerk.shared.interactions import Audit
from sync.protocol import INTERACTION

T0 = 1_763_600_000


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    c = open_outbox(tmp_path / "outbox.db")
    try:
        yield c
    finally:
        c.close()


def _fill(conn: sqlite3.Connection, n: int = 5) -> list[audit.AuditRow]:
    actions = ["signin", "view_customer", "redeem", "export", "signout"]
    return [
        audit.append(conn, actions[k % 5], "A01", {"k": k, "名": "王"}, T0 + k) for k in range(n)
    ]


def test_chain_from_genesis(conn: sqlite3.Connection) -> None:
    rows = _fill(conn)
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    first = rows[0]
    body = json.dumps(
        {
            "action": "signin",
            "at": T0,
            "detail": {"k": 0, "名": "王"},
            "id": first.id,
            "seq": 1,
            "staff_id": "A01",
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert first.hash == hashlib.sha256(("0" * 64 + body).encode()).hexdigest()
    assert audit.rows(conn) == rows
    assert audit.verify(conn) == audit.VerifyResult(True, None, 5, None)


def test_empty_log_verifies(conn: sqlite3.Connection) -> None:
    assert audit.verify(conn) == audit.VerifyResult(True, None, 0, None)


def test_unknown_action_is_a_bug(conn: sqlite3.Connection) -> None:
    with pytest.raises(ValueError):
        audit.append(conn, "delete_everything", None, {}, T0)


def test_edited_row_is_found(conn: sqlite3.Connection) -> None:
    _fill(conn)
    conn.execute("UPDATE audit_log SET detail = ? WHERE seq = 3", ('{"k":99}',))
    assert audit.verify(conn) == audit.VerifyResult(False, 3, 2, "edited")


def test_edited_time_or_actor_is_found(conn: sqlite3.Connection) -> None:
    _fill(conn)
    conn.execute("UPDATE audit_log SET staff_id = 'M01' WHERE seq = 2")
    assert audit.verify(conn).first_bad_seq == 2
    conn.execute("UPDATE audit_log SET staff_id = 'A01' WHERE seq = 2")
    assert audit.verify(conn).ok
    conn.execute("UPDATE audit_log SET at = at + 1 WHERE seq = 4")
    assert audit.verify(conn).first_bad_seq == 4


def test_rehashed_edit_breaks_the_next_link(conn: sqlite3.Connection) -> None:
    rows = _fill(conn)
    r = rows[1]
    forged = audit.row_hash(r.prev_hash, r.seq, r.id, r.at, r.staff_id, r.action, {"k": 7})
    conn.execute("UPDATE audit_log SET detail = '{\"k\":7}', hash = ? WHERE seq = 2", (forged,))
    assert audit.verify(conn) == audit.VerifyResult(False, 3, 2, "chain")


def test_deleted_row_is_found(conn: sqlite3.Connection) -> None:
    _fill(conn)
    conn.execute("DELETE FROM audit_log WHERE seq = 2")
    assert audit.verify(conn) == audit.VerifyResult(False, 2, 1, "gap")


def test_deleted_first_row_is_found(conn: sqlite3.Connection) -> None:
    _fill(conn)
    conn.execute("DELETE FROM audit_log WHERE seq = 1")
    assert audit.verify(conn) == audit.VerifyResult(False, 1, 0, "gap")


def test_deleted_tail_is_found(conn: sqlite3.Connection) -> None:
    _fill(conn)
    conn.execute("DELETE FROM audit_log WHERE seq >= 4")
    assert audit.verify(conn) == audit.VerifyResult(False, 4, 3, "head")


def test_deleted_everything_but_head_is_found(conn: sqlite3.Connection) -> None:
    _fill(conn)
    conn.execute("DELETE FROM audit_log")
    assert audit.verify(conn) == audit.VerifyResult(False, 1, 0, "head")


def test_reordered_rows_are_found(conn: sqlite3.Connection) -> None:
    _fill(conn)
    conn.execute("UPDATE audit_log SET seq = -2 WHERE seq = 2")
    conn.execute("UPDATE audit_log SET seq = 2 WHERE seq = 3")
    conn.execute("UPDATE audit_log SET seq = 3 WHERE seq = -2")
    result = audit.verify(conn)
    assert not result.ok and result.first_bad_seq == 2 and result.checked == 1


def test_malformed_detail_is_found(conn: sqlite3.Connection) -> None:
    _fill(conn)
    conn.execute("UPDATE audit_log SET detail = 'not json' WHERE seq = 5")
    assert audit.verify(conn) == audit.VerifyResult(False, 5, 4, "malformed")


def test_upload_is_by_sequence_after_the_acked_mark(conn: sqlite3.Connection) -> None:
    rows = _fill(conn)
    assert audit.acked(conn) == (0, audit.GENESIS)
    assert [r.seq for r in audit.to_upload(conn, limit=3)] == [1, 2, 3]
    assert audit.pending(conn) == 5
    assert audit.mark_acked(conn, rows[1]) is True
    assert audit.mark_acked(conn, rows[0]) is False  # never backwards
    assert audit.acked(conn) == (2, rows[1].hash)
    assert [r.seq for r in audit.to_upload(conn)] == [3, 4, 5]
    assert audit.pending(conn) == 3
    assert audit.verify(conn).ok  # the mark is outside the hashed rows
    columns = {r[1] for r in conn.execute("PRAGMA table_info(audit_log)")}
    assert "synced" not in columns, "no per-row delivery flag an upload could skip by"
    wire = INTERACTION.validate_python(audit.to_interaction(rows[2]))
    assert (wire.id, wire.kind, wire.staff_id, wire.created_at) == (
        rows[2].id,
        "audit",
        "A01",
        T0 + 2,
    )
    assert isinstance(wire.payload, Audit)
    assert wire.payload.hash == rows[2].hash and wire.payload.seq == 3


def test_compare_with_the_hub(conn: sqlite3.Connection) -> None:
    rows = _fill(conn)
    audit.mark_acked(conn, rows[2])
    ok = audit.compare_with_hub(conn, audit.HubHead(3, rows[2].hash))
    assert ok == audit.VerifyResult(True, None, 5, None)
    assert audit.compare_with_hub(conn, audit.HubHead(0, audit.GENESIS, 0)).reason == (
        "acked_ahead"  # marked delivered here, never acknowledged there
    )
    assert audit.compare_with_hub(conn, audit.HubHead(3, "f" * 64)) == audit.VerifyResult(
        False, 3, 5, "hub_mismatch"
    )
    assert audit.compare_with_hub(conn, audit.HubHead(9, rows[2].hash)).reason == "hub_missing"
    assert audit.compare_with_hub(conn, audit.HubHead(3, rows[2].hash, 1)).reason == ("hub_flagged")
    assert audit.compare_with_hub(conn, audit.HubHead(5, rows[4].hash)).ok  # hub ahead: fine


def test_the_old_synced_flags_become_the_mark(tmp_path: Path) -> None:
    """outbox m005: the leading run of rows flagged synced becomes the acked mark, and the
    flag column goes."""
    from clerk import outbox as outbox_mod
    from clerk.db import connect, database

    c = connect(tmp_path / "outbox.db", synchronous="FULL")
    try:
        db = database(c)
        for name, fn in outbox_mod.migrations._functions:  # the schema before m005
            if name < "m005":
                fn(db)
        rows = [
            audit.AuditRow(k, f"id{k}", T0 + k, "A01", "signin", {}, "0" * 64, f"{k:064x}")
            for k in (1, 2, 3, 4)
        ]
        for r in rows:
            synced = int(r.seq in (1, 2, 4))
            c.execute(
                "INSERT INTO audit_log (seq, id, at, staff_id, action, detail, prev_hash, hash,"
                " synced) VALUES (?, ?, ?, ?, ?, '{}', ?, ?, ?)",
                (r.seq, r.id, r.at, r.staff_id, r.action, r.prev_hash, r.hash, synced),
            )
        outbox_mod.m005_audit_by_sequence(db)
        assert audit.acked(c) == (2, rows[1].hash)  # row 4's flag is after a gap: not trusted
        assert "synced" not in {r[1] for r in c.execute("PRAGMA table_info(audit_log)")}
    finally:
        c.close()


def _verify_cli(json_out: bool = False) -> int:
    """``clerk audit verify`` (clerk/cli/audit.py) through the real parser."""
    from clerk.cli import build_parser

    args = build_parser().parse_args(["audit", "verify", *(["--json"] if json_out else [])])
    result: int = args.func(args)
    return result


def test_cli_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLERK_HOME", str(tmp_path))
    c = open_outbox(tmp_path / "outbox.db")
    try:
        _fill(c)
        assert _verify_cli() == 0
        assert capsys.readouterr().out == "audit log intact: 5 rows checked\n"
        c.execute("DELETE FROM audit_log WHERE seq = 3")
        assert _verify_cli() == 1
        out, err = capsys.readouterr()
        assert out == ""
        assert err.count("\n") == 1 and err.startswith("clerk: audit log broken at seq 3")
        assert _verify_cli(json_out=True) == 1
        out, _ = capsys.readouterr()
        assert json.loads(out) == {"ok": False, "first_bad_seq": 3, "checked": 2, "reason": "gap"}
    finally:
        c.close()
