"""clerk.keystore: one database key per data directory — keyring if real, else a 0600 file."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from clerk import keystore
from clerk import outbox as outbox_mod
from clerk.errors import StorageError


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests use the key file unless they install a keyring backend themselves."""
    monkeypatch.setattr(keystore, "_keyring_backend", lambda: None)
    monkeypatch.setattr(keystore, "_keyring_cache", {})


def test_a_key_file_is_made_once_private_and_kept(tmp_path: Path) -> None:
    key = keystore.key_for(tmp_path)
    assert key is not None and len(key) == 64 and bytes.fromhex(key)
    path = tmp_path / keystore.KEY_FILE
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keystore.key_for(tmp_path) == key
    assert keystore.key_for(tmp_path, create=False) == key
    assert [p.name for p in tmp_path.iterdir()] == [keystore.KEY_FILE]  # no temp files left
    assert keystore.key_for(tmp_path / "other") != key


def test_without_create_a_missing_key_is_none(tmp_path: Path) -> None:
    assert keystore.key_for(tmp_path, create=False) is None
    assert not (tmp_path / keystore.KEY_FILE).exists()


def test_a_damaged_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / keystore.KEY_FILE).write_text("not a key\n")
    with pytest.raises(StorageError) as caught:
        keystore.key_for(tmp_path)
    assert caught.value.reason == "db_key"
    assert "not a key" not in str(caught.value)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_loosened_key_file_is_tightened(tmp_path: Path) -> None:
    keystore.key_for(tmp_path)
    path = tmp_path / keystore.KEY_FILE
    path.chmod(0o644)
    keystore.key_for(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_lost_key_is_not_silently_replaced_when_the_outbox_is_encrypted(tmp_path: Path) -> None:
    outbox_mod.open_outbox(tmp_path / "outbox.db").close()
    (tmp_path / keystore.KEY_FILE).unlink()
    with pytest.raises(StorageError) as caught:
        keystore.key_for(tmp_path)
    assert caught.value.reason == "db_key_missing"
    assert not (tmp_path / keystore.KEY_FILE).exists()


def test_concurrent_creators_agree_on_one_key(tmp_path: Path) -> None:
    keys: list[str | None] = []
    start = threading.Barrier(8)

    def make() -> None:
        start.wait()
        keys.append(keystore.key_for(tmp_path))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert [p.name for p in tmp_path.iterdir()] == [keystore.KEY_FILE]


class FakeKeyring:
    """An in-memory keyring backend with the keyring package's interface."""

    priority = 5

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.store.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.store[(service, user)] = password


def test_a_real_keyring_holds_the_key_instead_of_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ring = FakeKeyring()
    monkeypatch.setattr(keystore, "_keyring_backend", lambda: ring)
    key = keystore.key_for(tmp_path)
    assert not (tmp_path / keystore.KEY_FILE).exists()
    assert list(ring.store.values()) == [key]
    ((service, account),) = ring.store
    assert service == keystore.KEYRING_SERVICE and str(tmp_path.resolve()) in account
    monkeypatch.setattr(keystore, "_keyring_cache", {})
    assert keystore.key_for(tmp_path) == key  # read back from the keyring


def test_an_existing_key_file_wins_over_the_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = keystore.key_for(tmp_path)  # made as a file (no keyring)
    ring = FakeKeyring()
    monkeypatch.setattr(keystore, "_keyring_backend", lambda: ring)
    assert keystore.key_for(tmp_path) == key
    assert ring.store == {}


def test_a_failing_keyring_falls_back_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken(FakeKeyring):
        def set_password(self, service: str, user: str, password: str) -> None:
            raise RuntimeError("locked")

    monkeypatch.setattr(keystore, "_keyring_backend", lambda: Broken())
    key = keystore.key_for(tmp_path)
    assert (tmp_path / keystore.KEY_FILE).read_text().strip() == key


def test_weak_keyring_backends_do_not_count() -> None:
    def backend(module: str, **attrs: Any) -> object:
        cls = type("Keyring", (), {"__module__": module, **attrs})
        return cls()

    assert not keystore._is_real(backend("keyring.backends.fail", priority=0))
    assert not keystore._is_real(backend("keyring.backends.null", priority=-1))
    assert not keystore._is_real(backend("keyrings.alt.file", priority=1))
    assert keystore._is_real(backend("keyring.backends.SecretService", priority=5))
    assert not keystore._is_real(backend("keyring.backends.chainer", priority=10, backends=[]))


def test_header_sniffing(tmp_path: Path) -> None:
    plain = tmp_path / "p.db"
    plain.write_bytes(keystore.SQLITE_HEADER + bytes(100))
    enc = tmp_path / "e.db"
    enc.write_bytes(os.urandom(4096))
    empty = tmp_path / "z.db"
    empty.write_bytes(b"")
    assert keystore.is_plaintext(plain) and not keystore.is_encrypted(plain)
    assert keystore.is_encrypted(enc) and not keystore.is_plaintext(enc)
    assert not keystore.is_encrypted(empty) and not keystore.is_plaintext(empty)
    assert not keystore.is_encrypted(tmp_path / "missing.db")
