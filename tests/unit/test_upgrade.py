"""Upgrading from the first release: files with only the first migration applied.

The fixtures (tests/fixtures/schema_v1/, made by tests/fixtures/make_schema_v1.py) are opened —
as copies — with today's ``open_outbox``/``open_cache``: every later migration is applied, the
rows are intact, and what was waiting to sync is still pending and can be pushed.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from clerk import cache, keystore, outbox
from clerk.shared.interactions import Redeem
from sync import protocol

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "schema_v1"
PENDING_ID = "01940000-0000-7000-8000-000000000003"
SENT_ID = "01940000-0000-7000-8000-000000000002"


def _copy(name: str, tmp_path: Path) -> Path:
    src = FIXTURES / name
    assert src.exists(), (
        f"{src} is missing: run `PYTHONPATH=. .venv/bin/python tests/fixtures/make_schema_v1.py`"
        " (and make sure git tracks tests/fixtures/schema_v1/*.db despite the *.db ignore rule)"
    )
    dst = tmp_path / name
    shutil.copyfile(src, dst)
    return dst


def _applied(conn: sqlite3.Connection, migrations: Migrations) -> list[str]:
    return [m.name for m in migrations.applied(Database(conn))]


@pytest.fixture
def old_outbox(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = outbox.open_outbox(_copy("outbox.db", tmp_path))
    yield conn
    conn.close()


def test_fixtures_are_really_old() -> None:
    for name, migrations in (("outbox.db", outbox.migrations), ("cache.db", cache.migrations)):
        conn = sqlite3.connect(f"file:{FIXTURES / name}?mode=ro", uri=True)
        try:
            assert _applied(conn, migrations) == ["m001_initial"]
        finally:
            conn.close()
    conn = sqlite3.connect(f"file:{FIXTURES / 'outbox.db'}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    assert "interactions" in tables and "audit_log" not in tables


def test_outbox_is_migrated_to_the_current_schema(old_outbox: sqlite3.Connection) -> None:
    fresh = Database(memory=True)
    outbox.migrations.apply(fresh)
    expected = [m.name for m in outbox.migrations.applied(fresh)]
    fresh.close()
    assert _applied(old_outbox, outbox.migrations) == expected
    assert len(expected) >= 2
    tables = {r[0] for r in old_outbox.execute("SELECT name FROM sqlite_master")}
    assert {"audit_log", "signin_failures"} <= tables
    assert old_outbox.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_outbox_rows_and_credentials_survive(old_outbox: sqlite3.Connection) -> None:
    assert outbox.get_meta(old_outbox, outbox.META_DEVICE_ID) == "dev-fixture-0001"
    assert outbox.get_meta(old_outbox, outbox.META_TOKEN) == "fixture-token-not-a-secret"
    assert outbox.get_meta(old_outbox, outbox.META_STORE_ID) == "S001"
    st = outbox.status(old_outbox)
    assert (st.pending, st.acked, st.rejected, st.conflict) == (2, 1, 1, 0)
    note = outbox.get(old_outbox, SENT_ID)
    assert note is not None and note.payload == {"text": "想试戴智能手表"}
    assert note.state == "sent" and note.device_seq == 2


def test_pending_interaction_is_still_pushable(old_outbox: sqlite3.Connection) -> None:
    batch = outbox.next_batch(old_outbox)
    assert [r.id for r in batch] == [SENT_ID, PENDING_ID]
    wire = protocol.InteractionBatch.model_validate({"interactions": [r.wire() for r in batch]})
    assert wire.interactions[1].payload == Redeem(coupon_id="C000001")
    outbox.mark_sent(old_outbox, [r.id for r in batch], now=1_735_800_000)
    counts = outbox.apply_results(
        old_outbox,
        [{"id": SENT_ID, "status": "duplicate"}, {"id": PENDING_ID, "status": "accepted"}],
        now=1_735_800_001,
    )
    assert counts == {"duplicate": 1, "accepted": 1}
    assert outbox.status(old_outbox).pending == 0
    redeemed = outbox.get(old_outbox, PENDING_ID)
    assert redeemed is not None and redeemed.state == "acked"


def test_new_records_continue_the_device_sequence(old_outbox: sqlite3.Connection) -> None:
    rec = outbox.record(old_outbox, "visit", member_id="M000002", payload={"via": "card"})
    assert rec.device_seq == 5
    assert outbox.status(old_outbox).pending == 3


def test_cache_is_migrated_and_intact(tmp_path: Path) -> None:
    conn = cache.open_cache(_copy("cache.db", tmp_path))
    try:
        fresh = Database(memory=True)
        cache.migrations.apply(fresh)
        expected = [m.name for m in cache.migrations.applied(fresh)]
        fresh.close()
        assert _applied(conn, cache.migrations) == expected
        assert cache.check_integrity(conn)
        names = [r["name"] for r in conn.execute("SELECT name FROM members ORDER BY id")]
        assert names == ["王芳", "李雷"]
        cart = conn.execute("SELECT sku, price_cents FROM cart_items").fetchall()
        assert [tuple(r) for r in cart] == [("SKU-W3", 199900)]
        assert cache.get_state(conn, "cursor") == "42"
        # the changes feed still applies on top of the old rows
        n = cache.apply_changes(
            conn,
            [
                {"entity": "coupon", "op": "delete", "key": "C000001"},
                {
                    "entity": "browse",
                    "op": "upsert",
                    "key": "2",
                    "data": {
                        "id": 2,
                        "member_id": "M000001",
                        "sku": "SKU-W3",
                        "channel": "web",
                        "at": 1_735_700_100,
                    },
                },
            ],
        )
        assert n == 2
        assert conn.execute("SELECT count(*) FROM coupons").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM browse_events").fetchone()[0] == 2
    finally:
        conn.close()


def test_first_release_plaintext_files_end_up_encrypted(tmp_path: Path) -> None:
    path = _copy("outbox.db", tmp_path)
    assert keystore.is_plaintext(path)
    conn = outbox.open_outbox(path)
    try:
        assert outbox.status(conn).pending == 2
    finally:
        conn.close()
    assert keystore.is_encrypted(path) and not keystore.is_plaintext(path)
    assert b"fixture-token-not-a-secret" not in path.read_bytes()
    again = outbox.open_outbox(path)
    try:
        assert outbox.get_meta(again, outbox.META_DEVICE_ID) == "dev-fixture-0001"
    finally:
        again.close()


def test_phones_of_an_old_cache_keep_four_digits_and_lose_the_hash(tmp_path: Path) -> None:
    """cache m004 (issue 14): the full keyed hash goes, the masked form keeps the last four
    digits; and outbox m005 drops the phone-hash key older hubs handed out."""
    path = _copy("cache.db", tmp_path)
    plain = sqlite3.connect(path)
    try:
        plain.execute(
            "UPDATE members SET phone_hash = ?, phone_masked = '138****5678' WHERE id = 'M000001'",
            ("ab" * 32,),
        )
        plain.execute("UPDATE members SET phone_masked = '+442*******58' WHERE id = 'M000002'")
        plain.commit()
    finally:
        plain.close()
    conn = cache.open_cache(path)
    try:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(members)")}
        assert "phone_hash" not in columns and {"phone_last4", "phone_bucket"} <= columns
        rows = conn.execute(
            "SELECT id, phone_last4, phone_bucket, phone_masked FROM members ORDER BY id"
        ).fetchall()
        assert [tuple(r) for r in rows] == [
            ("M000001", "5678", None, "*******5678"),
            ("M000002", None, None, "+**********58"),
        ]
    finally:
        conn.close()
    ob_path = _copy("outbox.db", tmp_path)
    plain = sqlite3.connect(ob_path)
    try:
        plain.execute("INSERT INTO outbox_meta VALUES ('phone_hash_key', ?)", ("cd" * 32,))
        plain.commit()
    finally:
        plain.close()
    ob = outbox.open_outbox(ob_path)
    try:
        assert outbox.get_meta(ob, "phone_hash_key") is None
        assert outbox.get_meta(ob, outbox.META_DEVICE_ID) == "dev-fixture-0001"
    finally:
        ob.close()
