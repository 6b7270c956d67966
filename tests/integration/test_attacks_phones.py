"""Phones cannot be recovered from a terminal (issue 14, item 4), against the real hub.

The attacker has a copy of the terminal's data directory — its key file included — after a day
of work: the store's members synced, phones typed at the counter (found in the cache, and one
of another store's customer, recorded offline), a member fetched from the hub. They decrypt
cache.db and outbox.db with the key file, read every row and every other file, and for each
member of the seeded world try every mainland mobile number on a real carrier prefix against
what they found: the masked form, and any keyed hash or bucket under any phone key the terminal
holds. At least 1,000 numbers must remain for every member (docs/security.md, "Phones").
"""

from __future__ import annotations

import hashlib
import hmac
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clerk import db as clerk_db
from clerk import keystore
from clerk.terminal import Terminal
from demoworld.seed import seed_demo
from sync.hub.embedded import HubHandle, running_hub
from sync.hub.store import HubStore
from sync.local import engine_for, enroll

MIN_CANDIDATES = 1000
# Mainland mobile prefixes in use (China Mobile, Unicom, Telecom, Broadnet and the virtual
# operators): the attacker's best guess at the first three digits.
REAL_PREFIXES = (
    *(f"13{d}" for d in range(10)),
    *("145", "147", "149", "150", "151", "152", "153", "155", "156", "157", "158", "159"),
    *("162", "165", "166", "167", "170", "171", "172", "173", "175", "176", "177", "178"),
    *(f"18{d}" for d in range(10)),
    *("190", "191", "192", "193", "195", "196", "197", "198", "199"),
)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@pytest.fixture
def small_hub(tmp_path: Path, hub_world_now: int) -> Iterator[HubHandle]:
    """A hub with a small seeded world (24 members: 8 per store)."""
    db = str(tmp_path / "hub.db")
    store = HubStore.open(db)
    try:
        seed_demo(store, members=24, seed=5, now=hub_world_now, products=300)
    finally:
        store.close()
    with running_hub(db) as handle:
        yield handle


def _world(hub: HubHandle) -> list[dict[str, Any]]:
    with hub.store.read() as conn:
        return conn.dicts("SELECT id, phone, phone_hash, card_no, home_store FROM members")


def _a_day_of_work(hub: HubHandle, home: Path, world: list[dict[str, Any]]) -> None:
    enroll(home, hub.url, "S001", hub.enrol_code("S001"), device_name="till")
    with engine_for(home) as engine:
        engine.sync_once()
    mine = [m for m in world if m["home_store"] == "S001"]
    elsewhere = [m for m in world if m["home_store"] != "S001"]
    terminal = Terminal(home)
    try:
        for m in mine[:3]:  # typed at the counter, found in the cache
            opened = terminal.open_customer(terminal.identify(m["phone"]), staff_id="A01")
            assert opened.member_id == m["id"], "a typed phone finds the cached member"
        walk_in = terminal.identify(elsewhere[0]["phone"])  # another store's customer, offline
        assert terminal.open_customer(walk_in, staff_id="A01").reason == "not_cached"
        # the associate says they are a member: the visit goes to the hub sealed, to match
        assert terminal.record_unmatched_visit(walk_in, staff_id="A01") is not None
    finally:
        terminal.close()
    with engine_for(home) as engine:  # another store's member fetched by card, online
        card = terminal_identity(home, elsewhere[1]["card_no"])
        assert engine.fetch_member(card, "A01") == elsewhere[1]["id"]
        engine.sync_once()


def terminal_identity(home: Path, text: str) -> Any:
    terminal = Terminal(home)
    try:
        return terminal.identify(text)
    finally:
        terminal.close()


# -- the attacker ---------------------------------------------------------------------------------


def _loot(home: Path) -> tuple[dict[str, list[dict[str, Any]]], str]:
    """Everything in the data directory: every row of the two databases (decrypted with the
    directory's key file) by table, and every other file's text."""
    key = (home / keystore.KEY_FILE).read_text().strip()
    tables: dict[str, list[dict[str, Any]]] = {}
    text = []
    for path in sorted(p for p in home.rglob("*") if p.is_file()):
        if path.name in ("cache.db", "outbox.db"):
            conn = clerk_db.connect(path, synchronous="NORMAL", readonly=True, key=key)
            try:
                conn.row_factory = sqlite3.Row
                names = [
                    r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
                ]
                for name in names:
                    rows = [dict(r) for r in conn.execute(f"SELECT * FROM {name}")]
                    tables[f"{path.name}:{name}"] = rows
                    text.append(repr(rows))
            finally:
                conn.close()
        elif not path.name.startswith(("cache.db", "outbox.db")):
            text.append(path.read_bytes().decode("utf-8", "replace"))
    return tables, "\n".join(text)


def _phone_keys(tables: dict[str, list[dict[str, Any]]]) -> list[bytes]:
    """Every phone key the terminal keeps (outbox_meta names them)."""
    return [
        bytes.fromhex(str(r["value"]))
        for r in tables.get("outbox.db:outbox_meta", [])
        if re.fullmatch(r"phone_\w*(hash|bucket)\w*", str(r["key"]))
        and _HEX64.match(str(r["value"] or ""))
    ]


def _candidates(row: dict[str, Any], keys: list[bytes]) -> int:
    """How many numbers on real prefixes fit what the terminal holds of one member: the
    digits its masked form (or last digits) shows, and its keyed hash or bucket under the key
    that narrows them most."""
    masked = str(row.get("phone_masked") or "")
    national = masked[-11:] if len(masked) >= 11 else "*" * 11
    last4 = row.get("phone_last4")
    if last4:
        national = national[: 11 - len(str(last4))] + str(last4)
    full_hash = row.get("phone_hash")
    bucket = row.get("phone_bucket")
    best: int | None = None
    for key in keys or [b""]:
        base = hmac.new(key, digestmod=hashlib.sha256)
        n = 0
        for prefix in REAL_PREFIXES:
            for number in _numbers(national, prefix):
                if full_hash is None and bucket is None:
                    n += 1
                    continue
                h = base.copy()
                h.update(b"+86" + number)
                digest = h.digest()
                if full_hash is not None and digest.hex() != full_hash:
                    continue
                if bucket is not None and digest[0] != int(bucket):
                    continue
                n += 1
        best = n if best is None else min(best, n)
    return best or 0


def _prefix_fits(national: str, prefix: str) -> bool:
    return all(a in ("*", b) for a, b in zip(national[:3], prefix, strict=True))


def _numbers(national: str, prefix: str) -> Iterator[bytes]:
    """Every national number on ``prefix`` whose digits agree with the known ones."""
    if not _prefix_fits(national, prefix):
        return
    free = [i for i in range(3, 11) if national[i] == "*"]
    known = list(prefix.encode() + national[3:].encode())
    for k in range(10 ** len(free)):
        digits = f"{k:0{len(free)}d}".encode() if free else b""
        for i, d in zip(free, digits, strict=True):
            known[i] = d
        yield bytes(known)


def test_a_copied_data_directory_leaves_at_least_1000_numbers_per_member(
    small_hub: HubHandle, tmp_path: Path
) -> None:
    home = tmp_path / "terminal"
    world = _world(small_hub)
    _a_day_of_work(small_hub, home, world)
    tables, dump = _loot(home)
    keys = _phone_keys(tables)
    cached = {str(r["id"]): r for r in tables["cache.db:members"]}
    assert len(cached) >= 9, "the store's members and the one fetched by card"

    for name in ("phone_hash_key", "phone_seal_private"):  # the hub's own secrets
        secret = getattr(small_hub.store, name, None)
        assert secret is None or secret not in dump, f"the hub's {name} on the terminal"
    for m in world:
        national = str(m["phone"])[3:]
        for form in (str(m["phone"]), national, str(m["phone_hash"])):
            assert form not in dump, f"{m['id']}: {form[:6]}… in the data directory"
        row = cached.get(str(m["id"]))
        if row is None:
            continue  # nothing of theirs here: every number fits
        n = _candidates(row, keys)
        assert n >= MIN_CANDIDATES, f"{m['id']}: only {n} numbers fit what the terminal holds"

    # What was typed offline is recorded sealed; nothing on the terminal opens it.
    refs = [
        str(r["member_ref"])
        for r in tables["outbox.db:interactions"]
        if str(r.get("member_ref") or "").startswith("phone_")
    ]
    assert refs and all(ref.startswith("phone_sealed:v1.") for ref in refs)


def test_the_hub_resolves_what_the_terminal_sealed(small_hub: HubHandle, tmp_path: Path) -> None:
    home = tmp_path / "terminal"
    world = _world(small_hub)
    _a_day_of_work(small_hub, home, world)
    elsewhere = next(m for m in world if m["home_store"] != "S001")
    walk_ins = [
        i
        for i in small_hub.store.interactions.iter_rows()
        if str(i["member_ref"] or "").startswith("phone_sealed:")
    ]
    assert [(i["status"], i["member_id"]) for i in walk_ins] == [("accepted", elsewhere["id"])]
