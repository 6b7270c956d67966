"""Attacks on the hub's own files: a curious account on the hub host, a copied database.

* hub.db (and its -wal/-shm) and the key file are owner-only (0600) whatever the umask;
* the signing private keys and the access-token secret are not in the database: a copy of
  hub.db (a backup, a dump) cannot sign member codes that terminals accept, nor mint access
  tokens the hub accepts;
* a database from before the key file had the private keys inside: opening it moves them out.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from clerk.shared import membercode, phones
from sync.hub.app import create_app
from sync.hub.embedded import serve_asgi
from sync.hub.errors import NotFoundError
from sync.hub.store import HubStore

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def raw_private_keys(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [str(r[0]) for r in conn.execute("SELECT private_key FROM signing_keys")]
    finally:
        conn.close()


def public_keys(store: HubStore) -> dict[int, bytes]:
    return membercode.keys_from_hex({k["kid"]: k["public_key"] for k in store.keys.public()})


def test_hub_files_are_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    with umask(0o022):
        store = HubStore.open(str(db))
        try:
            store.upsert_stores([{"id": "S001", "name": "一店"}])  # the WAL and -shm exist now
            files = [db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}.keys")]
            for f in files:
                assert f.exists(), f
            assert {f.name: oct(mode(f)) for f in files} == {f.name: "0o600" for f in files}
        finally:
            store.close()


def test_the_cli_creates_owner_only_files(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CLERK_HUB_KEYS_FILE", None)
    env.pop("CLERK_HUB_SIGNING_KEYS", None)
    subprocess.run(
        [sys.executable, "-m", "sync.hub.cli", "hub", "migrate", "--db", str(db)],
        env=env,
        check=True,
        capture_output=True,
        umask=0o022,
    )
    for f in (db, Path(f"{db}.keys")):
        assert oct(mode(f)) == "0o600", f


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    HubStore.open(str(db)).close()
    db.chmod(0o644)
    HubStore.open(str(db)).close()
    assert oct(mode(db)) == "0o600"


def test_the_database_holds_no_private_key(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    store = HubStore.open(str(db))
    try:
        store.keys.rotate()
        assert len(store.keys.public()) == 2
    finally:
        store.close()
    assert raw_private_keys(db) == ["", ""]
    keyfile = json.loads(Path(f"{db}.keys").read_text())
    assert len(keyfile["signing_keys"]) == 2


def test_a_copied_database_signs_no_code_a_terminal_accepts(tmp_path: Path) -> None:
    """The attacker holds a copy of hub.db (a backup) but not the key file."""
    db = tmp_path / "hub.db"
    store = HubStore.open(str(db))
    store.upsert_stores([{"id": "S001", "name": "一店"}])
    trusted = public_keys(store)  # what terminals hold
    store.close()
    stolen = tmp_path / "stolen" / "hub.db"
    stolen.parent.mkdir()
    shutil.copyfile(db, stolen)
    signed = 0
    conn = sqlite3.connect(stolen)
    for kid, private_hex in conn.execute("SELECT kid, private_key FROM signing_keys"):
        try:
            private = membercode.private_key_from_hex(private_hex)
        except ValueError:
            continue
        code = membercode.issue(private, kid, 1, exp=int(time.time()) + 60)
        membercode.verify(code, trusted, time.time())  # a terminal would accept it
        signed += 1
    conn.close()
    assert signed == 0, "a private signing key was read out of the database"
    copy = HubStore.open(str(stolen))
    try:
        active = copy.keys.active()
        assert active.kid in trusted  # the same public keys, but nothing to sign with
        with pytest.raises(NotFoundError) as info:
            copy.keys.private_key(active.kid)
        assert info.value.reason == "no_private_key"
    finally:
        copy.close()


def test_a_copied_database_mints_no_token_the_hub_accepts(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    store = HubStore.open(str(db))
    store.upsert_stores([{"id": "S001", "name": "一店"}])
    device, _secret = store.devices.enroll("S001", store.devices.create_enrol_code("S001"), "t")
    stolen = tmp_path / "stolen" / "hub.db"
    stolen.parent.mkdir()
    shutil.copyfile(db, stolen)
    copy = HubStore.open(str(stolen))
    try:
        forged = copy.devices.access_token(device, now=int(time.time()), ttl=600)
    finally:
        copy.close()
    with serve_asgi(create_app(store)) as (url, _server):
        resp = httpx.get(url + "/v1/keys", headers={"Authorization": f"Bearer {forged}"})
    store.close()
    assert resp.status_code == 401 and resp.json()["reason"] == "bad_token"


def test_private_keys_in_an_old_database_move_to_the_key_file(tmp_path: Path) -> None:
    """A hub.db from before the key file: its private keys are moved out when it is opened."""
    db = tmp_path / "hub.db"
    store = HubStore.open(str(db))
    active = store.keys.active()
    private_hex = membercode.private_key_to_hex(store.keys.private_key(active.kid))
    store.close()
    keyfile = Path(f"{db}.keys")
    keyfile.unlink()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE signing_keys SET private_key = ? WHERE kid = ?", (private_hex, active.kid))
    conn.commit()
    conn.close()

    store = HubStore.open(str(db))
    try:
        assert raw_private_keys(db) == [""]
        assert json.loads(keyfile.read_text())["signing_keys"][str(active.kid)] == private_hex
        assert oct(mode(keyfile)) == "0o600"
        store.upsert_stores([{"id": "S001", "name": "一店"}])
        store.members  # noqa: B018 - the store is usable
        code = membercode.issue(
            store.keys.private_key(active.kid), active.kid, 7, exp=int(time.time()) + 60
        )
        assert membercode.verify(code, public_keys(store), time.time()).code_id == 7
    finally:
        store.close()


def test_a_copied_database_opens_no_sealed_phone(tmp_path: Path) -> None:
    """A number typed offline is sealed to the hub; a copy of hub.db alone cannot open it."""
    db = tmp_path / "hub.db"
    store = HubStore.open(str(db))
    public = store.phone_seal_public
    store.close()
    sealed = phones.seal(public, "+8613812345678")
    stolen = tmp_path / "stolen" / "hub.db"
    stolen.parent.mkdir()
    shutil.copyfile(db, stolen)
    conn = sqlite3.connect(stolen)
    settings = dict(conn.execute("SELECT key, value FROM settings"))
    conn.close()
    assert settings["phone_seal_public"] == public
    opened = [v for v in settings.values() if phones.open_sealed(v, sealed) is not None]
    assert opened == [], "the database holds the key that opens sealed phones"
    copy = HubStore.open(str(stolen), keys_file=str(tmp_path / "stolen" / "empty.keys"))
    try:
        # a fresh key pair: not the one the number was sealed to
        assert phones.open_sealed(copy.phone_seal_private, sealed) is None
    finally:
        copy.close()
    store = HubStore.open(str(db))  # the real hub, with its key file, opens it
    try:
        assert phones.open_sealed(store.phone_seal_private, sealed) == "+8613812345678"
    finally:
        store.close()


def test_a_sealing_key_in_an_old_database_moves_to_the_key_file(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    private, public = phones.generate_seal_keypair()
    HubStore.open(str(db)).close()
    keyfile = Path(f"{db}.keys")
    doc = json.loads(keyfile.read_text())
    del doc["phone_seal_key"]
    keyfile.write_text(json.dumps(doc))
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO settings (key, value) VALUES ('phone_seal_key', ?)", (private,))
    conn.commit()
    conn.close()
    store = HubStore.open(str(db))
    try:
        assert store.phone_seal_public == public
        assert json.loads(keyfile.read_text())["phone_seal_key"] == private
    finally:
        store.close()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT value FROM settings WHERE key = 'phone_seal_key'").fetchall() == []
    conn.close()


def test_rotate_key_writes_the_key_file(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    HubStore.open(str(db)).close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CLERK_HUB_KEYS_FILE", None)
    env.pop("CLERK_HUB_SIGNING_KEYS", None)
    out = subprocess.run(
        [sys.executable, "-m", "sync.hub.cli", "hub", "rotate-key", "--db", str(db)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    kid = out.split()[3]
    keys = json.loads(Path(f"{db}.keys").read_text())["signing_keys"]
    assert kid in keys and len(keys) == 2
    assert raw_private_keys(db) == ["", ""]


def test_keys_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Several hub processes (or machines) share one set of keys: the same file, or the same
    environment variable with its contents."""
    first = tmp_path / "a" / "hub.db"
    first.parent.mkdir()
    store = HubStore.open(str(first))
    store.close()
    content = Path(f"{first}.keys").read_text()
    db = tmp_path / "b" / "hub.db"
    db.parent.mkdir()
    shutil.copyfile(first, db)
    monkeypatch.setenv("CLERK_HUB_SIGNING_KEYS", content)
    store = HubStore.open(str(db))
    try:
        active = store.keys.active()
        assert store.keys.private_key(active.kid) is not None
        assert not Path(f"{db}.keys").exists()  # nothing written beside the database
    finally:
        store.close()
    monkeypatch.delenv("CLERK_HUB_SIGNING_KEYS")
    elsewhere = tmp_path / "secrets" / "hub.keys"
    elsewhere.parent.mkdir()
    monkeypatch.setenv("CLERK_HUB_KEYS_FILE", str(elsewhere))
    HubStore.open(str(tmp_path / "b" / "fresh.db")).close()
    assert oct(mode(elsewhere)) == "0o600"
