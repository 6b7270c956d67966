"""Master data in (``clerk hub import``, ``POST /v1/admin/import/{kind}``) against a seeded hub
on each backend: files with 1 % bad rows of every kind (each refused row reported with its
number and reason, the rest in, a terminal pulls them), re-imports that change nothing, an
import killed with SIGKILL and resumed (every row exactly once), and the HTTP route with a body
streamed from a generator."""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk.shared import pins
from sync.client import HubClient
from sync.engine import SyncEngine
from sync.hub.cli import add_hub_parser, run_hub
from sync.hub.embedded import HubHandle
from sync.hub.imports.fields import luhn_valid
from sync.hub.store import HubStore

ROOT = Path(__file__).resolve().parents[2]
MEMBER_COLUMNS = (
    "id",
    "name",
    "phone",
    "card_no",
    "home_store",
    "consent_browsing",
    "joined_at",
    "birthday",
    "tags",
)


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="clerk")
    add_hub_parser(parser.add_subparsers(dest="command", required=True))
    return run_hub(parser.parse_args(["hub", *argv]))


def card(i: int) -> str:
    body = f"62{i:012d}"
    return next(body + str(d) for d in range(10) if luhn_valid(body + str(d)))


def member_row(i: int) -> dict[str, str]:
    return {
        "id": f"crm-{i}",
        "name": f"会员{i}号, VIP",  # a comma: quoted in the CSV
        "phone": f"166{i:08d}",
        "card_no": card(i),
        "home_store": "S001" if i % 2 else "S002",
        "consent_browsing": "1",
        "joined_at": "2026-01-02T03:04:05+08:00",
        "birthday": "1990-05-17",
        "tags": "vip|新客",
    }


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    """A CSV as spreadsheets write it on Windows: a BOM, CRLF line ends, quoted commas."""
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(columns)
        w.writerows(rows)
    return path


def seeded_phone(db: str) -> tuple[str, str]:
    store = HubStore.open(db)
    try:
        with store.read() as conn:
            row = conn.row(
                "SELECT id, phone FROM members WHERE phone IS NOT NULL ORDER BY id LIMIT 1"
            )
    finally:
        store.close()
    assert row is not None
    return str(row[0]), str(row[1])


def members_file(path: Path, db: str, n: int = 1000) -> tuple[Path, dict[int, str], set[int]]:
    """``n`` member rows, 1 % of them bad in as many ways: (file, row → expected reason start,
    the good rows)."""
    seeded_member, seeded = seeded_phone(db)
    rows: list[list[str]] = [[member_row(i)[c] for c in MEMBER_COLUMNS] for i in range(1, n + 1)]
    col = {c: k for k, c in enumerate(MEMBER_COLUMNS)}
    bad: dict[int, str] = {}

    def spoil(row: int, column: str, value: str, reason: str) -> None:
        rows[row - 1][col[column]] = value
        bad[row] = reason

    spoil(10, "phone", "12345", "phone: not a phone number")
    spoil(20, "card_no", card(20)[:-1] + str((int(card(20)[-1]) + 1) % 10), "card_no: the card")
    spoil(30, "name", "", "name: required")
    spoil(40, "home_store", "S999", "store: no store 'S999'")
    spoil(50, "phone", seeded, f"conflict: the phone belongs to member {seeded_member}")
    spoil(60, "consent_browsing", "maybe", "consent_browsing: a flag")
    spoil(70, "joined_at", "yesterday", "joined_at: not a time")
    rows[79].append("stray")
    bad[80] = "10 fields, the header has 9"
    spoil(90, "birthday", "2023-02-30", "birthday: no such date")
    spoil(100, "card_no", card(5), "conflict: the card belongs to member MI")
    write_csv(path, MEMBER_COLUMNS, rows)
    return path, bad, set(range(1, n + 1)) - set(bad)


def refused_rows(errors: Path) -> dict[int, str]:
    with open(errors, encoding="utf-8", newline="") as f:
        return {int(r["row"]): r["reason"] for r in csv.DictReader(f)}


def assert_reported(found: dict[int, str], expected: dict[int, str]) -> None:
    assert set(found) == set(expected)
    for row, reason in expected.items():
        assert found[row].startswith(reason), (row, found[row])


def q(db: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    store = HubStore.open(db)
    try:
        with store.read() as conn:
            return conn.rows(sql, params)
    finally:
        store.close()


class Terminal:
    def __init__(self, root: Path, hub: HubHandle, store_id: str = "S001") -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.cache = cache_mod.open_cache(root / "cache.db")
        self.outbox = outbox_mod.open_outbox(root / "outbox.db")
        self.engine = SyncEngine(self.cache, self.outbox, HubClient(hub.url))
        self.engine.enroll(hub.url, store_id, hub.enrol_code(store_id), device_name=root.name)

    def close(self) -> None:
        self.engine.client.close()
        self.cache.close()
        self.outbox.close()


@pytest.fixture
def term(any_hub: HubHandle, tmp_path: Path) -> Iterator[Terminal]:
    t = Terminal(tmp_path / "till", any_hub)
    yield t
    t.close()


# --- every kind, 1 % bad rows, a terminal pulls them --------------------------------------


def test_files_with_bad_rows_go_in_and_reach_a_terminal(
    any_hub: HubHandle, term: Terminal, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = any_hub.store.db
    path, bad, good = members_file(tmp_path / "members.csv", db)
    errors = tmp_path / "members-errors.csv"
    assert (
        cli(
            "import",
            "members",
            str(path),
            "--db",
            db,
            "--source",
            "crm",
            "--errors",
            str(errors),
            "--batch-size",
            "128",
        )
        == 2
    )
    err = capsys.readouterr().err
    assert_reported(refused_rows(errors), bad)
    for row in bad:  # stderr says the same, one line each
        assert f"row {row}: " in err

    products = [
        [f"SKU-IMP-{i}", f"商品{i}", f"Item {i}", "灯具", f"{i}.50", "1", ""] for i in range(1, 301)
    ]
    products[0][6] = "4006381333931"  # EAN-13
    products[1][6] = "036000291452"  # UPC-A
    products[9][4] = "12.345"
    products[99][6] = "4006381333932"
    products[199][1] = ""
    pbad = {
        10: "price: an amount is in whole fen",
        100: "barcode: the barcode's check digit",
        200: "title_zh: required",
    }
    pfile = write_csv(
        tmp_path / "products.csv",
        ("sku", "title_zh", "title_en", "category", "price", "active", "barcode"),
        products,
    )
    perr = tmp_path / "products-errors.csv"
    assert (
        cli("import", "products", str(pfile), "--db", db, "--source", "crm", "--errors", str(perr))
        == 2
    )
    assert_reported(refused_rows(perr), pbad)

    good_s001 = sorted(i for i in good if i % 2)
    coupons = [
        [
            f"cp-{k}",
            f"crm-{i}",
            "满200减20",
            "amount_off",
            "20",
            "200",
            "2026-01-01",
            "2030-01-01T00:00:00Z",
        ]
        for k, i in enumerate(good_s001[:300], start=1)
    ]
    coupons[4][1] = "crm-nobody"
    coupons[49][3] = "bogo"
    coupons[149][6] = "2031-01-01"
    cbad = {5: "member: no member 'crm-nobody'", 50: "rule: one of", 150: "expires_at: not after"}
    cfile = write_csv(
        tmp_path / "coupons.csv",
        ("id", "member", "title_zh", "rule", "value", "min_spend", "valid_from", "expires_at"),
        coupons,
    )
    cerr = tmp_path / "coupons-errors.jsonl"
    assert (
        cli("import", "coupons", str(cfile), "--db", db, "--source", "crm", "--errors", str(cerr))
        == 2
    )
    with open(cerr, encoding="utf-8") as f:
        assert_reported({d["row"]: d["reason"] for d in map(json.loads, f)}, cbad)

    pin_hash = pins.hash_pin("482913", "manager")
    staff = [
        {"id": f"IMP{i:03d}", "store": "S001", "name": f"店员{i}", "role": "associate"}
        for i in range(1, 101)
    ]
    staff[0].update(role="manager", pin_hash=pin_hash)
    staff[6]["role"] = "owner"
    staff[7]["pin_hash"] = "482913"
    sfile = tmp_path / "staff.jsonl"
    sfile.write_text(
        "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in staff), encoding="utf-8"
    )
    serr = tmp_path / "staff-errors.csv"
    assert cli("import", "staff", str(sfile), "--db", db, "--errors", str(serr)) == 2
    assert_reported(refused_rows(serr), {7: "role: one of", 8: "pin_hash: an argon2id hash"})

    rows = dict(q(db, "SELECT kind, count(*) FROM import_ids WHERE source = 'crm' GROUP BY kind"))
    assert rows == {"members": len(good), "products": 297, "coupons": 297}

    term.engine.sync_once()
    cache = term.cache

    def one_row(sql: str, *params: Any) -> tuple[Any, ...]:
        return tuple(cache.execute(sql, params).fetchone())

    names = dict(cache.execute("SELECT id, name FROM members WHERE name LIKE '会员%'").fetchall())
    expected_ids = {i for i in good if i % 2}
    assert len(names) == len(expected_ids)  # S001's only; S002's stay off this terminal
    ours = dict(q(db, "SELECT external_id, our_id FROM import_ids WHERE kind = 'members'"))
    assert {ours[f"crm-{i}"] for i in expected_ids} == set(names)
    one = ours["crm-1"]
    masked, last4 = cache.execute(
        "SELECT phone_masked, phone_last4 FROM members WHERE id = ?", (one,)
    ).fetchone()
    assert last4 == "0001" and "16600000001" not in masked
    assert names[one] == "会员1号, VIP"
    assert one_row("SELECT count(*) FROM products WHERE sku LIKE 'SKU-IMP-%'") == (297,)
    assert one_row("SELECT price_cents FROM products WHERE sku = 'SKU-IMP-3'") == (350,)
    assert one_row("SELECT count(*) FROM coupons WHERE id LIKE 'CI%'") == (297,)
    assert one_row("SELECT role, pin_hash FROM staff WHERE id = 'IMP001'") == (
        "manager",
        pin_hash,
    )
    assert one_row("SELECT count(*) FROM staff WHERE id LIKE 'IMP%'") == (98,)


# --- idempotent ----------------------------------------------------------------------------


def test_reimport_changes_nothing_and_a_changed_row_is_an_update(
    hub_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, bad, good = members_file(tmp_path / "members.csv", hub_db, n=300)
    assert cli("import", "members", str(path), "--db", hub_db) == 2
    seq, members = q(
        hub_db, "SELECT (SELECT max(seq) FROM changes), (SELECT count(*) FROM members)"
    )[0]
    capsys.readouterr()
    assert cli("import", "members", str(path), "--db", hub_db) == 2
    out = capsys.readouterr().out
    assert f"0 new, 0 updated, {len(good)} unchanged, {len(bad)} refused" in out
    assert q(hub_db, "SELECT (SELECT max(seq) FROM changes), (SELECT count(*) FROM members)")[
        0
    ] == (seq, members)

    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rows[3][1] = "改名了"  # row 3: a new name
    write_csv(path, rows[0], rows[1:])
    assert cli("import", "members", str(path), "--db", hub_db) == 2
    assert "0 new, 1 updated" in capsys.readouterr().out
    ours = q(hub_db, "SELECT our_id FROM import_ids WHERE external_id = 'crm-3'")[0][0]
    assert q(hub_db, "SELECT name FROM members WHERE id = ?", ours) == [("改名了",)]
    assert q(hub_db, "SELECT store_id, entity, key FROM changes WHERE seq > ?", seq) == [
        ("S001", "member", ours)
    ]


def test_a_file_missing_a_required_column_or_with_clear_pins_is_refused_whole(
    hub_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = write_csv(tmp_path / "m.csv", ("id", "phone"), [["a", "13800000000"]])
    assert cli("import", "members", str(f), "--db", hub_db) == 1
    assert "no column name" in capsys.readouterr().err
    f = write_csv(
        tmp_path / "s.csv",
        ("id", "store", "name", "role", "pin"),
        [["x", "S001", "X", "manager", "123456"]],
    )
    assert cli("import", "staff", str(f), "--db", hub_db) == 1
    assert "PINs are never imported in clear" in capsys.readouterr().err
    f = write_csv(tmp_path / "all-bad.csv", ("id", "name", "phone"), [["a", "A", "1"]])
    assert cli("import", "members", str(f), "--db", hub_db) == 1
    assert q(hub_db, "SELECT count(*) FROM staff WHERE id = 'x'") == [(0,)]


# --- killed and resumed --------------------------------------------------------------------


def test_an_import_killed_mid_way_resumes_and_every_row_is_in_once(
    hub_db: str, tmp_path: Path
) -> None:
    n = 20_000
    rows = [[member_row(i)[c] for c in MEMBER_COLUMNS] for i in range(1, n + 1)]
    rows[249][2] = "bad"  # its report line says the batch holding it has committed
    path = write_csv(tmp_path / "big.csv", MEMBER_COLUMNS, rows)
    argv = [
        sys.executable,
        "-m",
        "sync.hub.cli",
        "hub",
        "import",
        "members",
        str(path),
        "--db",
        hub_db,
        "--batch-size",
        "100",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, cwd=ROOT, text=True
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert line.startswith("row 250: phone")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()
    done = q(hub_db, "SELECT rows_done, finished_at FROM import_runs")
    assert len(done) == 1 and done[0][1] is None and 300 <= done[0][0] < n  # killed mid-way

    result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert result.returncode == 2, result.stderr
    assert f"resumed after row {done[0][0]}" in result.stdout
    assert f"{n - 1} new, 0 updated, 0 unchanged, 1 refused" in result.stdout
    assert "row 250" not in result.stderr  # reported once, before the kill
    ids = q(hub_db, "SELECT our_id FROM import_ids WHERE kind = 'members'")
    assert len(ids) == n - 1
    assert q(hub_db, "SELECT count(*) FROM members WHERE id LIKE ?", "MI%") == [(n - 1,)]
    assert q(
        hub_db,
        "SELECT count(*), count(DISTINCT key) FROM changes WHERE entity = 'member' AND key LIKE ?",
        "MI%",
    ) == [(n - 1, n - 1)]
    assert [bool(r[0]) for r in q(hub_db, "SELECT finished_at IS NOT NULL FROM import_runs")] == [
        True
    ]


# --- the HTTP route ------------------------------------------------------------------------


def test_the_http_route_takes_a_streamed_body(any_hub: HubHandle) -> None:
    token = any_hub.store.admin_tokens.create("hq-import")
    started = time.monotonic()

    def body() -> Iterator[bytes]:  # never whole in memory: one line at a time
        yield b"\xef\xbb\xbf"
        yield json.dumps({"sku": "S-HTTP-0", "title_zh": "缺价格"}).encode() + b"\n"
        for i in range(1, 5000):
            doc = {"sku": f"S-HTTP-{i}", "title_zh": f"商品{i}", "price": f"{i}.99"}
            yield json.dumps(doc, ensure_ascii=False).encode() + b"\n"

    url = any_hub.url + "/v1/admin/import/products?source=erp"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
    resp = httpx.post(url, content=body(), headers=headers, timeout=60)
    assert resp.status_code == 200, resp.text
    out = resp.json()
    assert (out["rows"], out["inserted"], out["refused"]) == (5000, 4999, 1)
    assert out["refused_rows"] == [{"row": 1, "reason": "price: required"}]
    again = httpx.post(url, content=body(), headers=headers, timeout=60).json()
    assert (again["inserted"], again["unchanged"]) == (0, 4999)
    assert time.monotonic() - started < 60

    assert httpx.post(url, content=b"sku\n", timeout=10).status_code == 401
    bad = httpx.post(
        any_hub.url + "/v1/admin/import/planets", content=b"x\n", headers=headers, timeout=10
    )
    assert bad.status_code == 422 and bad.json()["reason"] == "unknown_kind"
    csv_body = '\ufeffsku,title_zh,price\r\nS-CSV-1,"台灯, 大号",19.90\r\n'.encode()
    resp = httpx.post(
        any_hub.url + "/v1/admin/import/products",
        content=iter([csv_body[:7], csv_body[7:]]),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
        timeout=10,
    )
    assert resp.json()["inserted"] == 1
    assert any_hub.store.count("products") >= 5000


# --- identity and consent ------------------------------------------------------------------


def test_a_row_whose_id_names_a_member_updates_it_and_withdrawn_consent_deletes_browsing(
    hub_db: str, tmp_path: Path
) -> None:
    member, browsed, home = q(
        hub_db,
        "SELECT m.id, count(b.id), m.home_store FROM members m JOIN browse_events b "
        "ON b.member_id = m.id WHERE m.consent_browsing = 1 GROUP BY m.id, m.home_store "
        "ORDER BY m.id LIMIT 1",
    )[0]
    assert browsed > 0
    seq = q(hub_db, "SELECT max(seq) FROM changes")[0][0]
    f = write_csv(
        tmp_path / "m.csv", ("id", "name", "consent_browsing"), [[member, "改了名", "no"]]
    )
    assert cli("import", "members", str(f), "--db", hub_db, "--source", "crm") == 0
    assert q(hub_db, "SELECT name, consent_browsing FROM members WHERE id = ?", member) == [
        ("改了名", 0)
    ]
    assert q(hub_db, "SELECT our_id FROM import_ids WHERE external_id = ?", member) == [(member,)]
    assert q(hub_db, "SELECT count(*) FROM browse_events WHERE member_id = ?", member) == [(0,)]
    changed = q(hub_db, "SELECT store_id, entity, op FROM changes WHERE seq > ?", seq)
    assert (home, "member", "upsert") in changed
    assert changed.count((home, "browse", "delete")) == browsed
    assert q(hub_db, "SELECT count(*) FROM members WHERE id LIKE ?", "MI%") == [(0,)]


def test_service_cases_come_in_from_the_crm_with_their_member_and_status(
    hub_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``clerk hub import cases``: a case names its member by the source's member id (the
    members import) or the hub's own id; an unknown member or a case of another member is
    refused with its row number, the rest go in with a change row for the member's store; a
    re-import is a no-op and a closed status an update."""
    path, _bad, good = members_file(tmp_path / "members.csv", hub_db, n=300)
    cli("import", "members", str(path), "--db", hub_db)
    crm_member = f"crm-{min(good)}"
    ours, home = q(
        hub_db,
        "SELECT m.id, m.home_store FROM import_ids i JOIN members m ON m.id = i.our_id "
        "WHERE i.external_id = ?",
        crm_member,
    )[0]
    seeded, seeded_home = q(hub_db, "SELECT id, home_store FROM members ORDER BY id LIMIT 1")[0]
    columns = ("id", "member", "case_type", "subject", "status", "opened_at", "closed_at")
    rows = [
        ["R-1", crm_member, "repair", "屏幕更换, 加急", "open", "2026-11-30T10:00:00+08:00", ""],
        ["R-2", seeded, "complaint", "late delivery", "open", "1764460800", ""],
        ["R-3", "nobody", "repair", "x", "open", "1764460800", ""],
        ["R-4", seeded, "warranty", "x", "open", "1764460800", ""],
    ]
    path = write_csv(tmp_path / "cases.csv", columns, rows)
    capsys.readouterr()
    assert cli("import", "cases", str(path), "--db", hub_db) == 2
    captured = capsys.readouterr()
    assert "2 new, 0 updated, 0 unchanged, 2 refused" in captured.out
    assert "row 3: member: no member 'nobody'" in captured.err
    assert "row 4: case_type" in captured.err
    assert q(hub_db, "SELECT id, member_id, status, subject FROM cases ORDER BY id") == [
        ("R-1", ours, "open", "屏幕更换, 加急"),
        ("R-2", seeded, "open", "late delivery"),
    ]
    seq = q(hub_db, "SELECT max(seq) FROM changes")[0][0]
    assert set(q(hub_db, "SELECT store_id, key FROM changes WHERE entity = 'case'")) == {
        (home, "R-1"),
        (seeded_home, "R-2"),
    }
    assert cli("import", "cases", str(path), "--db", hub_db) == 2
    assert "0 new, 0 updated, 2 unchanged, 2 refused" in capsys.readouterr().out
    assert q(hub_db, "SELECT max(seq) FROM changes")[0][0] == seq
    rows[1][4:] = ["closed", "1764547200"]
    write_csv(path, columns, rows)
    assert cli("import", "cases", str(path), "--db", hub_db) == 2
    assert "0 new, 1 updated" in capsys.readouterr().out
    assert q(hub_db, "SELECT status, closed_at FROM cases WHERE id = 'R-2'") == [
        ("closed", 1764547200)
    ]
    assert q(hub_db, "SELECT store_id, entity, key FROM changes WHERE seq > ?", seq) == [
        (seeded_home, "case", "R-2")
    ]
