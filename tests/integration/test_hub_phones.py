"""The hub's side of phones (clerk/shared/phones.py): it keeps the number and its full keyed
hash, sends terminals the last digits and the bucket, opens what terminals sealed, and brings
an older database (and older terminals) to this form."""

from __future__ import annotations

import shutil
from pathlib import Path

from hub_client import make_interaction, pull_changes

from clerk import outbox as outbox_mod
from clerk.shared import phones
from clerk.terminal import Terminal
from sync.hub.embedded import HubHandle
from sync.hub.store import HubStore
from sync.local import engine_for, enroll


def _member(hub: HubHandle, member_id: str) -> dict[str, object]:
    with hub.store.read() as conn:
        return conn.dicts("SELECT * FROM members WHERE id = ?", (member_id,))[0]


def test_the_hub_opens_sealed_numbers_and_nothing_else(hub: HubHandle) -> None:
    dev = hub.enrol("S002")
    member = _member(hub, "M00000004")
    phone = str(member["phone"])
    public = hub.store.phone_seal_public
    good = make_interaction("visit", None, member_ref="phone_sealed:" + phones.seal(public, phone))
    other_key = phones.generate_seal_keypair()[1]
    foreign = make_interaction(
        "visit", None, member_ref="phone_sealed:" + phones.seal(other_key, phone)
    )
    nobody = make_interaction(
        "visit", None, member_ref="phone_sealed:" + phones.seal(public, "+8613000000000")
    )
    junk = make_interaction("visit", None, member_ref="phone_sealed:v1.AAAA")
    with hub.client(dev["token"]) as client:
        resp = client.post("/v1/interactions", json={"interactions": [good, foreign, nobody, junk]})
    assert resp.status_code == 200
    answers = [(r["status"], r["reason"]) for r in resp.json()["results"]]
    assert answers == [("accepted", None)] + [("rejected", "unknown_member")] * 3
    (stored,) = [i for i in hub.store.interactions.iter_rows() if i["id"] == good["id"]]
    assert stored["member_id"] == "M00000004"


def test_terminals_get_the_bucket_and_sealing_keys_not_the_hash_key(hub: HubHandle) -> None:
    dev = hub.enrol("S001")
    assert dev["phone_bucket_key"] == hub.store.phone_bucket_key
    assert dev["phone_seal_key"] == hub.store.phone_seal_public
    assert phones.seal_public_key(hub.store.phone_seal_private) == dev["phone_seal_key"]
    with hub.client(dev["token"]) as client:
        keys = client.get("/v1/keys").json()
        changes, _cursor = pull_changes(client)
    assert (keys["phone_bucket_key"], keys["phone_seal_key"]) == (
        dev["phone_bucket_key"],
        dev["phone_seal_key"],
    )
    secrets = (hub.store.phone_hash_key, hub.store.phone_seal_private)
    text = repr(keys) + repr(dev) + repr(changes)
    assert not any(s in text for s in secrets)
    members = [c["data"] for c in changes if c["entity"] == "member"]
    assert members
    for m in members:
        assert "phone_hash" not in m and "phone" not in m
        row = _member(hub, str(m["id"]))
        e164 = str(row["phone"])
        assert m["phone_last4"] == e164[-4:] and m["phone_masked"] == "*******" + e164[-4:]
        assert m["phone_bucket"] == phones.phone_bucket(hub.store.phone_bucket_key, e164)


def test_an_older_hub_database_is_brought_to_the_new_form(
    _sqlite_template: Path, tmp_path: Path
) -> None:
    """Schema 4's data step: an older database (phone_hash sent to terminals, seven digits in
    the masked form, no bucket) gets the new columns filled, and every member is sent to its
    store's terminals again."""
    db = tmp_path / "hub.db"
    shutil.copyfile(_sqlite_template, db)
    store = HubStore.open(str(db))
    try:
        with store.write() as tx:
            tx.conn.execute("UPDATE members SET phone_last4 = NULL, phone_bucket = NULL")
            tx.conn.execute(
                "UPDATE members SET phone_masked = substr(phone, 4, 3) || '****' || "
                "substr(phone, -4)"
            )
            tx.conn.execute("DELETE FROM schema_version WHERE version = 4")
            for table in ("audit_heads", "audit_flags"):
                tx.conn.execute(f"DROP TABLE {table}")
            tx.conn.execute("ALTER TABLE members DROP COLUMN phone_last4")
            tx.conn.execute("ALTER TABLE members DROP COLUMN phone_bucket")
        with store.read() as conn:
            before = int(conn.scalar("SELECT max(seq) FROM changes"))
    finally:
        store.close()

    store = HubStore.open(str(db))  # migrates
    try:
        assert store.schema_version() >= 4
        with store.read() as conn:
            rows = conn.dicts(
                "SELECT id, phone, phone_last4, phone_bucket, phone_masked FROM members"
            )
            resent = conn.rows(
                "SELECT key FROM changes WHERE entity = 'member' AND seq > ?", (before,)
            )
        assert rows and {str(r[0]) for r in resent} == {str(r["id"]) for r in rows}
        for r in rows:
            e164 = str(r["phone"])
            assert r["phone_masked"] == "*******" + e164[-4:] and r["phone_last4"] == e164[-4:]
            assert r["phone_bucket"] == phones.phone_bucket(store.phone_bucket_key, e164)
    finally:
        store.close()


def test_a_terminal_enrolled_by_an_older_hub_gets_its_phone_keys_with_the_next_sync(
    hub: HubHandle, tmp_path: Path
) -> None:
    home = tmp_path / "terminal"
    enroll(home, hub.url, "S001", hub.enrol_code("S001"))
    ob = outbox_mod.open_outbox(home / "outbox.db")
    try:
        ob.execute(
            "DELETE FROM outbox_meta WHERE key IN (?, ?)",
            (outbox_mod.META_PHONE_BUCKET_KEY, outbox_mod.META_PHONE_SEAL_KEY),
        )
    finally:
        ob.close()
    member = _member(hub, hub.store.members.ids("S001", limit=1)[0])
    terminal = Terminal(home)
    try:
        assert terminal.phone_keys() is None
    finally:
        terminal.close()
    with engine_for(home) as engine:
        engine.sync_once()
    terminal = Terminal(home)
    try:
        opened = terminal.open_customer(terminal.identify(str(member["phone"])), "A01")
        assert opened.member_id == member["id"]
    finally:
        terminal.close()
