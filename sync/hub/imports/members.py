"""Members in: the ``members`` import kind.

A row is one member of the source, by its id (``id``). Columns left empty keep the hub's
value of a member imported before; the phone is kept as the hub keeps every phone (the number
and its keyed hash stay at the hub; terminals get the last four digits, the bucket and the
masked form — :func:`sync.hub.members.phone_columns`).

Identity (OneID, :mod:`sync.hub.segment.identity`): the source's id is the member's ``user``
identity — the userId its apps send with their events —, so a row whose id already names a
member (imported before, or known from the events) is that member. Its phone, card and WeChat
UnionID are bound to the member; a row claiming one that belongs to **another** member is
refused as a conflict (reported with the member it belongs to), never merged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from clerk.shared import phones
from sync.hub.db import IN_CHUNK
from sync.hub.feed import browsing_keys
from sync.hub.imports import fields
from sync.hub.imports.registry import Batch, Column, Item, Kind
from sync.hub.members import MEMBER_COLUMNS, phone_columns
from sync.hub.segment import identity

_LABEL = {"phone": "phone", "card": "card", "unionid": "UnionID", "user": "id"}
# The file's columns → members' columns written as given (phone and tags are handled apart).
_PLAIN = (
    "name",
    "name_en",
    "tier",
    "points",
    "consent_marketing",
    "consent_browsing",
    "home_store",
    "birthday",
    "joined_at",
    "tags",
)
# A new member: every column of the table but last_seen (no visit yet).
_INSERT_COLUMNS = tuple(c for c in MEMBER_COLUMNS if c != "last_seen")
_DEFAULTS: dict[str, Any] = {
    "tier": "basic",
    "points": 0,
    "consent_marketing": 0,
    "consent_browsing": 0,
    "tags": "[]",
}


def member_id(source: str, external_id: str) -> str:
    """Our id of a member the source names for the first time (stable: a retried batch makes
    the same one)."""
    digest = hashlib.sha256(f"{source}\0{external_id}".encode()).hexdigest()
    return "MI" + digest[:14].upper()


def _code_id(our_id: str) -> int:
    """A member code pseudonym (62 bits) — from our id, so a retried batch makes the same."""
    return int.from_bytes(hashlib.sha256(b"code\0" + our_id.encode()).digest()[:8]) >> 2


def _identities(item: Item, hash_key: str) -> list[identity.Identity]:
    r = item.record
    out: list[identity.Identity] = []
    if "phone" in r:
        out.append(("phone", phones.phone_hash(hash_key, r["phone"])))
    if "card_no" in r:
        out.append(("card", r["card_no"]))
    if "unionid" in r:
        out.append(("unionid", r["unionid"]))
    return out


def _owners(b: Batch, idents: set[identity.Identity]) -> dict[identity.Identity, str]:
    """The member each of ``idents`` resolves to now (as :func:`identity.lookup`, batched)."""
    out: dict[identity.Identity, str] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, value in idents:
        by_kind.setdefault(kind, []).append(value)
    column = {"phone": "phone_hash", "card": "card_no", "user": "id"}
    for kind, values in by_kind.items():
        for i in range(0, len(values), IN_CHUNK):
            chunk = values[i : i + IN_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            if kind in column:
                for value, member in b.conn.rows(
                    f"SELECT {column[kind]}, min(id) FROM members WHERE {column[kind]} IN "
                    f"({marks}) GROUP BY {column[kind]}",
                    chunk,
                ):
                    out[(kind, str(value))] = str(member)
            for value, member in b.conn.rows(  # a bound identity wins over the columns
                f"SELECT value, member_id FROM identities WHERE kind = ? AND value IN ({marks})",
                (kind, *chunk),
            ):
                out[(kind, str(value))] = str(member)
    return out


def write(b: Batch, items: Sequence[Item]) -> None:
    hash_key = b.store.phone_hash_key
    bucket_key = b.store.phone_bucket_key
    stores = b.stores()
    idents = {i.row: _identities(i, hash_key) for i in items}
    users = {("user", i.external_id) for i in items}
    owners = _owners(b, {x for xs in idents.values() for x in xs} | users)
    claimed: dict[identity.Identity, str] = {}
    ours: dict[int, str] = {}
    for item in items:
        ours[item.row] = (
            item.our_id
            or owners.get(("user", item.external_id))
            or member_id(b.source, item.external_id)
        )
    before = b.column_values(
        "members", "id", ("home_store", "consent_browsing"), list(ours.values())
    )
    inserts: list[tuple[Any, ...]] = []
    binds: list[tuple[Any, ...]] = []
    for item in items:
        me = ours[item.row]
        r = item.record
        store = r.get("home_store")
        if store is not None and store not in stores:
            b.refuse(item, f"store: no store {store!r} at the hub")
            continue
        clash = next(
            (
                (i, claimed.get(i) or owners[i])
                for i in idents[item.row]
                if (claimed.get(i) or owners.get(i)) not in (None, me)
            ),
            None,
        )
        if clash is not None:
            (kind, _value), other = clash
            b.refuse(item, f"conflict: the {_LABEL[kind]} belongs to member {other}")
            continue
        values: dict[str, Any] = {c: r[c] for c in _PLAIN if c in r}
        if "card_no" in r:
            values["card_no"] = r["card_no"]
        if "phone" in r:
            values["phone"] = r["phone"]
            values.update(phone_columns(r["phone"], hash_key=hash_key, bucket_key=bucket_key))
        values["updated_at"] = b.now
        old = before.get(me)
        if old is None:
            if item.our_id is not None:
                b.refuse(item, f"the member {me} is no longer at the hub (erased or merged)")
                continue
            full = {**_DEFAULTS, "joined_at": b.now, **values, "id": me, "code_id": _code_id(me)}
            inserts.append(tuple(full.get(c) for c in _INSERT_COLUMNS))
            if store is not None:
                b.change(store, me)
        else:
            b.conn.execute(
                f"UPDATE members SET {', '.join(f'{c} = ?' for c in values)} WHERE id = ?",
                (*values.values(), me),
            )
            _changed(b, me, old, values)
        for ident in (*idents[item.row], ("user", item.external_id)):
            claimed[ident] = me
            # Phones and cards resolve through the member's own columns; a UnionID and the
            # source's id need a row. None is bound to anyone yet (a clash was refused above).
            if ident[0] in ("unionid", "user") and owners.get(ident) != me:
                binds.append((ident[0], ident[1], me, b.source, b.now, b.now))
        b.applied(item, me, new=old is None)
    if inserts:
        b.tx.load("members", _INSERT_COLUMNS, inserts)
    if binds:
        b.tx.load(
            "identities",
            ("kind", "value", "member_id", "source_id", "first_seen", "last_seen"),
            binds,
        )


def _changed(b: Batch, me: str, old: tuple[Any, ...], values: dict[str, Any]) -> None:
    """The change rows of an updated member: the member to its store (a delete to the store it
    left), and its browsing rows again when its browsing consent changed."""
    from sync.hub.segment.intake import withdraw_browsing

    old_home, old_consent = old[0], bool(old[1])
    home = values.get("home_store", old_home)
    if home is not None:
        b.change(home, me)
    if old_home is not None and old_home != home:
        b.change(old_home, me, "delete")
    consent = values.get("consent_browsing")
    if consent is None or bool(consent) == old_consent:
        return
    b.flush_changes()
    if not consent:
        withdraw_browsing(b.tx, me, home)
    for entity, key in browsing_keys(b.conn, me):  # terminals drop them, or get them back
        if home is not None:
            b.tx.emit(entity, key, "upsert", home)


MEMBERS = Kind(
    name="members",
    entity="member",
    columns=(
        Column("id", fields.ident, True, "the member's id in the source (also its userId)"),
        Column("name", lambda v: fields.text(v, most=100), True, "name, up to 100 characters"),
        Column("name_en", lambda v: fields.text(v, most=100), doc="name in Latin letters"),
        Column("phone", fields.phone, doc="E.164 or 11 mainland digits; hashed and masked"),
        Column("card_no", fields.card, doc="member card: 10–19 digits, Luhn check digit"),
        Column("unionid", lambda v: fields.ident(v), doc="WeChat UnionID"),
        Column("tier", lambda v: fields.text(v, most=20), doc="tier (default basic)"),
        Column("points", fields.count, doc="points balance, a whole number ≥ 0"),
        Column("home_store", fields.ident, doc="the store whose terminals hold the member"),
        Column("birthday", fields.day, doc="YYYY-MM-DD"),
        Column("joined_at", fields.when, doc="time (default: when first imported)"),
        Column("consent_marketing", fields.flag, doc="flag (default 0)"),
        Column("consent_browsing", fields.flag, doc="flag (default 0): browsing reaches stores"),
        Column("tags", fields.tags, doc="a|b|c or a JSON list"),
    ),
    write=write,
)
