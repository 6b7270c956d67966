"""The hub's secrets: member-code signing keys, the access-token secret and the private key
that opens phone numbers sealed at terminals.

The database keeps the signing keys' **public** halves only (``signing_keys``: kid, public
key, created, ``not_after``; its ``private_key`` column stays empty): terminals get them as
``key`` rows of the change feed and from ``GET /v1/keys``. The active key signs new codes; a
rotated one is accepted a while longer.

The private halves and the secret that signs device access tokens live apart from the data,
in the **key file** — JSON, owner-only (0600)::

    {"version": 1, "token_secret": "<64 hex>", "signing_keys": {"<kid>": "<64 hex>", …},
     "phone_seal_key": "<64 hex>"}

(the database keeps the sealing key's public half, ``settings.phone_seal_public``, which
terminals get at enrolment).

Where it is (:func:`key_source`), first match wins:

1. the ``keys_file`` the caller names (``HubStore.open(…, keys_file=…)``);
2. ``CLERK_HUB_SIGNING_KEYS``: the key file's *contents* in the environment (read-only: a
   hub configured so never writes its keys; ``rotate-key`` needs a file);
3. ``CLERK_HUB_KEYS_FILE``: the key file's path;
4. beside a SQLite database: ``<db>.keys``. A hub on PostgreSQL has no default — every process
   on every machine must use the same keys, so it is told where they are.

A copy of the database alone (a backup, a dump) thus signs no member code a terminal accepts
and mints no access token the hub accepts. Opening a database from before the key file moves
its private keys out (:func:`bootstrap`): written to the key file first, then blanked in the
database, in the same write transaction.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from clerk.shared import membercode, phones
from sync.hub.db import PRIVATE_MODE, is_postgres_url
from sync.hub.errors import InvalidInputError, NotFoundError, StorageFailure

if TYPE_CHECKING:
    from sync.hub.store import HubStore, Tx

DEFAULT_TTL_S = membercode.VALIDITY_S
ENV_KEYS = "CLERK_HUB_SIGNING_KEYS"
ENV_KEYS_FILE = "CLERK_HUB_KEYS_FILE"
KEY_FILE_VERSION = 1


@dataclass(frozen=True)
class SigningKey:
    """A signing key as the database knows it: its public half."""

    kid: int
    public_key: str
    created_at: int
    not_after: int | None


@dataclass
class KeyMaterial:
    """What the key file holds."""

    token_secret: str | None = None
    signing: dict[int, str] = field(default_factory=dict)  # kid -> private key, hex
    phone_seal: str | None = None  # X25519 private key, hex

    def to_json(self) -> str:
        doc: dict[str, Any] = {
            "version": KEY_FILE_VERSION,
            "token_secret": self.token_secret,
            "signing_keys": {str(k): v for k, v in sorted(self.signing.items())},
        }
        if self.phone_seal:
            doc["phone_seal_key"] = self.phone_seal
        return json.dumps(doc, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str) -> KeyMaterial:
        try:
            doc = json.loads(text)
            if not isinstance(doc, dict) or doc.get("version") != KEY_FILE_VERSION:
                raise ValueError(f"not a version {KEY_FILE_VERSION} key file")
            secret = doc.get("token_secret")
            if secret is not None and (
                not isinstance(secret, str) or len(bytes.fromhex(secret)) < 16
            ):
                raise ValueError("token_secret is not a hex secret of 16 bytes or more")
            signing = doc.get("signing_keys") or {}
            if not isinstance(signing, dict):
                raise ValueError("signing_keys is not an object")
            keys = {int(k): str(v) for k, v in signing.items()}
            for v in keys.values():
                membercode.private_key_from_hex(v)
            seal = doc.get("phone_seal_key")
            if seal is not None:
                if not isinstance(seal, str):
                    raise ValueError("phone_seal_key is not a hex key")
                phones.seal_public_key(seal)  # ValueError when it is not an X25519 key
        except (ValueError, TypeError) as exc:
            raise StorageFailure(
                f"{where} is not a valid key file: {exc}", reason="bad_keys"
            ) from exc
        return cls(secret, keys, seal)


class KeySource:
    """Where the key file is: a path (read and written), or the environment (read-only)."""

    def __init__(self, path: Path | None = None, text: str | None = None) -> None:
        self.path = path
        self.text = text

    def describe(self) -> str:
        return str(self.path) if self.path is not None else f"${ENV_KEYS}"

    @property
    def writable(self) -> bool:
        return self.path is not None

    def load(self) -> KeyMaterial:
        """The key material (empty when the file does not exist yet)."""
        if self.path is None:
            return KeyMaterial.from_json(self.text or "", f"${ENV_KEYS}")
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return KeyMaterial()
        except OSError as exc:
            raise StorageFailure(f"cannot read the key file {self.path}: {exc}") from exc
        return KeyMaterial.from_json(text, str(self.path))

    def save(self, material: KeyMaterial) -> None:
        """Replace the key file atomically; it is owner-only (0600) from its first byte."""
        if self.path is None:
            raise InvalidInputError(
                f"the keys come from ${ENV_KEYS}, which the hub cannot write: run this with "
                f"{ENV_KEYS_FILE}=<a file> instead, then put that file's contents in "
                f"${ENV_KEYS} on every hub process",
                reason="keys_read_only",
            )
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        data = material.to_json().encode("utf-8")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
            try:
                if os.name == "posix":
                    os.fchmod(fd, PRIVATE_MODE)
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
            if os.name == "posix":
                dir_fd = os.open(self.path.parent, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StorageFailure(f"cannot write the key file {self.path}: {exc}") from exc


def key_source(
    db: str, keys_file: str | None = None, environ: Mapping[str, str] | None = None
) -> KeySource:
    """Where the keys of the hub on ``db`` are (see the module docstring)."""
    env = os.environ if environ is None else environ
    if keys_file:
        return KeySource(path=Path(keys_file).expanduser())
    if env.get(ENV_KEYS):
        return KeySource(text=env[ENV_KEYS])
    if env.get(ENV_KEYS_FILE):
        return KeySource(path=Path(env[ENV_KEYS_FILE]).expanduser())
    if is_postgres_url(db):
        raise InvalidInputError(
            f"a hub on PostgreSQL needs its key file: set {ENV_KEYS_FILE}=<path> (the same "
            f"file on every hub process and machine) or {ENV_KEYS}=<its contents>",
            reason="no_keys",
        )
    return KeySource(path=Path(db + ".keys"))


class SigningKeys:
    """The signing keys of a :class:`~sync.hub.store.HubStore` (``store.keys``)."""

    def __init__(self, store: HubStore) -> None:
        self.store = store

    def all(self) -> list[SigningKey]:
        with self.store.read() as conn:
            rows = conn.rows(
                "SELECT kid, public_key, created_at, not_after FROM signing_keys ORDER BY kid"
            )
        return [SigningKey(int(r[0]), r[1], int(r[2]), r[3]) for r in rows]

    def active(self) -> SigningKey:
        """The key that signs new codes (the newest without ``not_after``)."""
        keys = [k for k in self.all() if k.not_after is None]
        if not keys:
            raise NotFoundError("no active signing key", reason="no_signing_key")
        return max(keys, key=lambda k: k.created_at)

    def public(self) -> list[dict[str, Any]]:
        """Every key's public half, as ``PublicKey`` on the wire."""
        return [
            {"kid": k.kid, "public_key": k.public_key, "not_after": k.not_after} for k in self.all()
        ]

    def private_key(self, kid: int) -> Ed25519PrivateKey:
        """The private half of key ``kid``, from the key file; NotFoundError (reason
        ``no_private_key``) when the key file does not hold it."""
        source = self.store.key_source
        private = source.load().signing.get(kid)
        if private is None:
            raise NotFoundError(
                f"the private key of signing key {kid} is not in the key file "
                f"({source.describe()}): restore the key file, or run `clerk hub rotate-key`",
                reason="no_private_key",
            )
        return membercode.private_key_from_hex(private)

    def rotate(self, *, now: int | None = None, grace_s: int = 300) -> SigningKey:
        """Make a new active key (its private half written to the key file); the old one
        signs no more and expires after ``grace_s``."""
        t = int(time.time()) if now is None else now
        source = self.store.key_source
        if not source.writable:
            source.save(KeyMaterial())  # InvalidInputError: says how to rotate
        with self.store.write(exclusive=True) as tx:
            material = source.load()  # alone in the chain: the newest file
            for kid in [
                int(r[0])
                for r in tx.conn.rows("SELECT kid FROM signing_keys WHERE not_after IS NULL")
            ]:
                tx.conn.execute(
                    "UPDATE signing_keys SET not_after = ? WHERE kid = ?", (t + grace_s, kid)
                )
                tx.emit("key", str(kid), "upsert", None)
            key = add_signing_key(tx, t, material)
            source.save(material)  # before the commit: never a public key without its private
        return key

    def member_code(
        self, member_id: str, *, ttl: int = DEFAULT_TTL_S, now: int | None = None
    ) -> str:
        """An MC1 member code for ``member_id``, signed by the active key, expiring in ``ttl`` s."""
        t = int(time.time()) if now is None else now
        key = self.active()
        code_id = self.store.members.code_id(member_id)
        return membercode.issue(self.private_key(key.kid), key.kid, code_id, exp=t + ttl)


def add_signing_key(tx: Tx, now: int, material: KeyMaterial) -> SigningKey:
    """A new active key (with its change row) in ``tx``, its private half put in ``material``
    (the caller saves it before committing): the next free kid after the newest, else the
    lowest free one, else the oldest retired one (its codes expired long ago)."""
    kids = {int(r[0]) for r in tx.conn.rows("SELECT kid FROM signing_keys")}
    free = [k for k in range(256) if k not in kids]
    if not free:
        oldest = tx.conn.row(
            "SELECT kid FROM signing_keys WHERE not_after IS NOT NULL ORDER BY not_after LIMIT 1"
        )
        if oldest is None:
            raise StorageFailure("no free key id", reason="no_free_kid")
        free = [int(oldest[0])]
        tx.conn.execute("DELETE FROM signing_keys WHERE kid = ?", (free[0],))
    kid = (max(kids) + 1) % 256 if kids and (max(kids) + 1) % 256 in free else free[0]
    private, public = membercode.generate_keypair()
    material.signing[kid] = membercode.private_key_to_hex(private)
    key = SigningKey(kid, public.hex(), now, None)
    tx.conn.execute(
        "INSERT INTO signing_keys (kid, private_key, public_key, created_at, not_after) "
        "VALUES (?, '', ?, ?, NULL)",
        (key.kid, key.public_key, key.created_at),
    )
    tx.emit("key", str(kid), "upsert", None)
    return key


def bootstrap(tx: Tx, source: KeySource, now: int) -> KeyMaterial:
    """Make the key material whole, inside the migration's transaction: a token secret, the
    private keys an older database still holds moved out (the key file written first, then
    the database blanked), a phone-sealing key pair (its public half in ``settings``), a first
    signing key on a new database. Returns the material."""
    material = source.load()
    dirty = False
    if not material.token_secret:
        material.token_secret = secrets.token_hex(32)
        dirty = True
    held_seal = tx.conn.row("SELECT value FROM settings WHERE key = 'phone_seal_key'")
    if held_seal is not None:  # a database of before the key file held it: move it out
        if not material.phone_seal and held_seal[0]:
            material.phone_seal = str(held_seal[0])
            dirty = True
        tx.conn.execute("DELETE FROM settings WHERE key = 'phone_seal_key'")
    if not material.phone_seal:
        material.phone_seal = phones.generate_seal_keypair()[0]
        dirty = True
    tx.conn.execute(
        "INSERT INTO settings (key, value) VALUES ('phone_seal_public', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (phones.seal_public_key(material.phone_seal),),
    )
    for kid, private, public in tx.conn.rows(
        "SELECT kid, private_key, public_key FROM signing_keys WHERE private_key <> ''"
    ):
        held = material.signing.get(int(kid))
        if held != private and _matches(private, public):
            material.signing[int(kid)] = private
            dirty = True
        tx.conn.execute("UPDATE signing_keys SET private_key = '' WHERE kid = ?", (kid,))
    if tx.conn.row("SELECT 1 FROM signing_keys WHERE not_after IS NULL") is None:
        add_signing_key(tx, now, material)
        dirty = True
    if dirty:
        source.save(material)
    return material


def _matches(private_hex: str, public_hex: str) -> bool:
    try:
        private = membercode.private_key_from_hex(private_hex)
    except ValueError:
        return False
    return membercode.public_key_bytes(private).hex() == public_hex
