"""Members signed up at the counter: one member per person, whatever terminal signed them up.

A terminal signs a customer up offline under a *provisional* id (``P-<uuid7>``,
:class:`clerk.shared.interactions.Signup`) and records visits, notes and sales against it at
once. Accepting the sign-up (:func:`sign_up`), the hub:

* opens the sealed number (never kept in clear on the terminal) and looks for the member who
  has it already — by its keyed hash, through OneID (:mod:`sync.hub.segment.identity`): a
  second sign-up of the same number, at this terminal or another, joins that member
  (``member_exists``) and changes nothing of theirs;
* otherwise makes the member (of the device's store; the phone's identity bound to them) and
  sends it to the store's terminals;
* remembers provisional → real (``provisional_members``), so every later record naming the
  provisional id — sent before the terminal learnt the real one — is the real member's
  (:func:`resolve`), and the device counts as having served them (proof of presence: the
  customer typed their full number at its counter).

The result carries the real id (``member_id``); a repeat of the sign-up gets the same answer.
A merge of members later (:func:`sync.hub.segment.identity.merge`) moves the map along.

The chain's consent wording (:func:`publish_signup_text`) reaches every terminal through the
feed (entity ``signup_text``); a sign-up names the version it showed, kept with it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clerk.shared import phones
from clerk.shared.interactions import SIGNED_UP_PREFIX, Signup
from sync.hub.db import Conn
from sync.hub.members import phone_columns
from sync.hub.segment import identity

if TYPE_CHECKING:
    from sync.hub.store import HubStore, Tx

LANGS = ("zh", "en")


@dataclass(frozen=True)
class SignedUp:
    """What a sign-up became: the member's id and home store, and whether it joined one."""

    member_id: str
    home_store: str | None
    merged: bool


def new_member_id() -> str:
    """A member id for a counter sign-up: ``S`` and 12 hex digits."""
    return SIGNED_UP_PREFIX + secrets.token_hex(6).upper()


def sign_up(
    tx: Tx,
    store: HubStore,
    signup: Signup,
    *,
    signup_id: str,
    device_id: str,
    store_id: str,
    created_at: int,
    now: int,
) -> SignedUp | None:
    """Apply a sign-up (see the module's rules); None when its sealed number cannot be opened
    (the caller rejects it ``bad_phone``)."""
    conn = tx.conn
    known = mapped(conn, signup.provisional_id)
    if known is not None:  # the provisional id was signed up already: the same member
        return known
    e164 = phones.open_sealed(store.phone_seal_private, signup.phone_sealed)
    if e164 is None:
        return None
    digest = phones.phone_hash(store.phone_hash_key, e164)
    existing = identity.lookup(conn, "phone", digest)
    home: str | None
    if existing is not None:
        member_id = existing
        home_row = conn.row("SELECT home_store FROM members WHERE id = ?", (member_id,))
        home = None if home_row is None else home_row[0]
        merged = True
    else:
        member_id, home, merged = new_member_id(), store_id, False
        cols = phone_columns(e164, hash_key=store.phone_hash_key, bucket_key=store.phone_bucket_key)
        conn.execute(
            "INSERT INTO members (id, code_id, phone, phone_hash, phone_last4, phone_bucket, "
            "phone_masked, name, consent_marketing, consent_browsing, home_store, birthday, "
            "joined_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                member_id,
                secrets.randbits(62),
                e164,
                cols["phone_hash"],
                cols["phone_last4"],
                cols["phone_bucket"],
                cols["phone_masked"],
                signup.name,
                int(signup.consent_marketing),
                int(signup.consent_browsing),
                store_id,
                signup.birthday,
                created_at,
                now,
            ),
        )
        identity.bind(conn, ("phone", digest), member_id, None, now)
        tx.emit("member", member_id, "upsert", store_id)
    conn.execute(
        "INSERT INTO provisional_members (provisional_id, member_id, signup_id, device_id, "
        "store_id, merged, consent_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            signup.provisional_id,
            member_id,
            signup_id,
            device_id,
            store_id,
            int(merged),
            signup.consent_version,
            created_at,
        ),
    )
    return SignedUp(member_id, home, merged)


def mapped(conn: Conn, provisional_id: str) -> SignedUp | None:
    """The member a provisional id became (None: not signed up here yet)."""
    row = conn.row(
        "SELECT p.member_id, m.home_store, p.merged FROM provisional_members p "
        "JOIN members m ON m.id = p.member_id WHERE p.provisional_id = ?",
        (provisional_id,),
    )
    return None if row is None else SignedUp(str(row[0]), row[1], bool(row[2]))


def resolve(conn: Conn, provisional_ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
    """provisional id → (member id, home store) for those signed up here."""
    out: dict[str, tuple[str, str | None]] = {}
    for pid in set(provisional_ids):
        found = mapped(conn, pid)
        if found is not None:
            out[pid] = (found.member_id, found.home_store)
    return out


def merge_moves(conn: Conn, survivor: str, merged: str) -> None:
    """Members merged: the provisional ids of the merged one now name the survivor."""
    conn.execute(
        "UPDATE provisional_members SET member_id = ? WHERE member_id = ?", (survivor, merged)
    )


def count_today(conn: Conn, store_id: str, since: int, until: int) -> int:
    """New members signed up at ``store_id``'s counters in [since, until) (joined ones not)."""
    return int(
        conn.scalar(
            "SELECT count(*) FROM provisional_members WHERE store_id = ? AND merged = 0 "
            "AND created_at >= ? AND created_at < ?",
            (store_id, since, until),
        )
        or 0
    )


def publish_signup_text(
    tx: Tx, version: str, texts: dict[str, str], *, now: int | None = None
) -> None:
    """Publish the chain's consent wording ``version`` in each language of ``texts`` (zh, en)
    to every terminal. ValueError for a language not in :data:`LANGS` or an empty text."""
    t = int(time.time()) if now is None else now
    if not version or len(version) > 32:
        raise ValueError("a consent version is 1-32 characters")
    for lang, text in texts.items():
        if lang not in LANGS or not text.strip():
            raise ValueError(f"a consent text in {'/'.join(LANGS)}, not empty: {lang!r}")
        key = f"{version}/{lang}"
        tx.conn.execute("DELETE FROM signup_texts WHERE id = ?", (key,))
        tx.conn.execute(
            "INSERT INTO signup_texts (id, version, lang, text, published_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (key, version, lang, text, t),
        )
        tx.emit("signup_text", key, "upsert", None)
