"""OneID: the identities of a person and the one member they resolve to.

An identity is (kind, value): ``user`` (a source's userId), ``anon`` (an anonymousId: a
browser, an app install), ``unionid`` (WeChat UnionID), ``phone`` (the keyed hash of the E.164
number — never the number) and ``card`` (the member card number). The ``identities`` table
binds each to one member, with the source that first named it and when it was first and last
seen. Members the hub holds already resolve without a row: a userId that is a member's id, a
phone whose hash a member has, a card a member carries.

Rules (:mod:`sync.hub.segment.intake` applies them call by call):

* a call that names identities of **one** member binds the others it names to that member
  (an identify with userId + phone + UnionID, a track with userId + anonymousId, an alias);
  calls held under an identity bound now are applied (browsing before login joins the member);
* a call whose identities resolve to **two or more** members is a conflict: nothing of it is
  applied, it is kept in ``identity_conflicts`` for a person (``clerk hub identity conflicts``;
  ``resolve ID --keep M…``), never guessed;
* settling merges the claimants not kept into the first kept (:func:`merge`): their rows move to
  the survivor (upserts to the terminals), the merged member is deleted (a delete row), its
  identities — its own id, card and phone included — now resolve to the survivor (its card
  becomes the survivor's own when the survivor has none, so terminals scan it offline).

What a merge moves: every row of the merged member in a table with a ``member_id`` column
(tests/integration/test_identity_merge.py lists them from the live schema and fails on one left
behind), except the audit of look-ups by proof (``member_lookups``, kept as it happened). Its
points: the ledger rows move as they were and a ``merge`` row carries its balance over
(:func:`sync.hub.points.merge_in`); its tasks and client-book assignment:
:func:`sync.hub.tasks.merge_moves`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sync.hub import admin_audit
from sync.hub.feed import ENTITY_TABLE

if TYPE_CHECKING:
    from sync.hub.db import Conn
    from sync.hub.store import Tx

KINDS = ("user", "anon", "unionid", "phone", "card")
Identity = tuple[str, str]
# Feed entities of a member's rows that move with a merge, upserted to the survivor's store.
_MEMBER_ROWS = ("browse", "cart", "wishlist", "order", "coupon", "visit", "case", "points")


def lookup(conn: Conn, kind: str, value: str) -> str | None:
    """The member ``(kind, value)`` resolves to, or None. In a write transaction the identity
    is locked first (``id:<kind>:<value>``), so a check that then binds it is alone with it."""
    conn.lock(f"id:{kind}:{value}")
    found = conn.scalar(
        "SELECT member_id FROM identities WHERE kind = ? AND value = ?", (kind, value)
    )
    if found is not None:
        return str(found)
    if kind == "user":
        found = conn.scalar("SELECT id FROM members WHERE id = ?", (value,))
    elif kind == "phone":
        found = conn.scalar(
            "SELECT id FROM members WHERE phone_hash = ? ORDER BY id LIMIT 1", (value,)
        )
    elif kind == "card":
        found = conn.scalar("SELECT id FROM members WHERE card_no = ?", (value,))
    return None if found is None else str(found)


def bind(conn: Conn, ident: Identity, member_id: str, source_id: str | None, now: int) -> None:
    """``ident`` belongs to ``member_id`` from now on (seen now)."""
    conn.execute(
        "INSERT INTO identities (kind, value, member_id, source_id, first_seen, last_seen) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, value) DO UPDATE SET "
        "member_id = excluded.member_id, last_seen = excluded.last_seen",
        (ident[0], ident[1], member_id, source_id, now, now),
    )


def flag_conflict(
    conn: Conn,
    *,
    source_id: str | None,
    message_id: str | None,
    identities: Iterable[Identity],
    members: Iterable[str],
    message: dict[str, Any],
    now: int,
) -> None:
    conn.execute(
        "INSERT INTO identity_conflicts (source_id, message_id, identities, members, message, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            source_id,
            message_id,
            json.dumps(sorted({tuple(i) for i in identities})),
            json.dumps(sorted(set(members))),
            json.dumps(message, ensure_ascii=False, default=str),
            now,
        ),
    )


def conflicts(conn: Conn, *, include_resolved: bool = False) -> list[dict[str, Any]]:
    sql = (
        "SELECT id, source_id, message_id, identities, members, at, resolved_at, kept "
        "FROM identity_conflicts"
    )
    if not include_resolved:
        sql += " WHERE resolved_at IS NULL"
    rows = conn.dicts(sql + " ORDER BY id")
    for r in rows:
        for name in ("identities", "members", "kept"):
            if r[name] is not None:
                r[name] = json.loads(r[name])
    return rows


def _lock_members(conn: Conn, members: Sequence[str]) -> None:
    """Lock members and every identity that resolves to them — their ids, phones and cards,
    and the identities bound to them — before a merge moves them: a concurrent bind to one
    resolved them through one of these, so it commits before the merge reads them or waits
    for the merge and then finds the survivor."""
    conn.lock(*(f"m:{m}" for m in members), *(f"id:user:{m}" for m in members))
    marks = ", ".join("?" for _ in members)
    keys: list[str] = []
    for phone_hash, card in conn.rows(
        f"SELECT phone_hash, card_no FROM members WHERE id IN ({marks})", tuple(members)
    ):
        keys += [f"id:phone:{phone_hash}"] if phone_hash else []
        keys += [f"id:card:{card}"] if card else []
    keys += [
        f"id:{kind}:{value}"
        for kind, value in conn.rows(
            f"SELECT kind, value FROM identities WHERE member_id IN ({marks})", tuple(members)
        )
    ]
    conn.lock(*keys)


def merge(tx: Tx, survivor: str, merged: str, *, actor: str, now: int | None = None) -> int:
    """Merge member ``merged`` into ``survivor``: its rows, identities and records move, it is
    deleted; terminals get the moved rows as upserts (to the survivor's store) and the merged
    member as a delete. Audited. Returns the rows moved."""
    t = int(time.time()) if now is None else now
    conn = tx.conn
    _lock_members(conn, (survivor, merged))
    homes = dict(
        (str(r[0]), r[1])
        for r in conn.rows(
            "SELECT id, home_store FROM members WHERE id IN (?, ?)", (survivor, merged)
        )
    )
    if survivor not in homes or merged not in homes:
        from sync.hub.errors import NotFoundError

        raise NotFoundError(f"unknown member {merged if survivor in homes else survivor}")
    home, old_home = homes[survivor], homes[merged]
    merged_row = conn.row(
        "SELECT points, tier, card_no, phone_hash FROM members WHERE id = ?", (merged,)
    )
    assert merged_row is not None
    moved = 0
    for entity in _MEMBER_ROWS:
        table = ENTITY_TABLE[entity]
        keys = [
            str(r[0]) for r in conn.rows(f"SELECT id FROM {table} WHERE member_id = ?", (merged,))
        ]
        conn.execute(f"UPDATE {table} SET member_id = ? WHERE member_id = ?", (survivor, merged))
        for key in keys:
            if home is not None:
                tx.emit(entity, key, "upsert", home)
            elif old_home is not None:
                tx.emit(entity, key, "delete", old_home)
        moved += len(keys)
    for table in ("interactions", "jti_sightings", "members_served"):
        conn.execute(
            f"UPDATE {table} SET member_id = ? WHERE member_id = ?"
            + (
                " AND device_id NOT IN (SELECT device_id FROM members_served WHERE member_id = ?)"
                if table == "members_served"
                else ""
            ),
            (survivor, merged, survivor) if table == "members_served" else (survivor, merged),
        )
    conn.execute("DELETE FROM members_served WHERE member_id = ?", (merged,))
    conn.execute("UPDATE identities SET member_id = ? WHERE member_id = ?", (survivor, merged))
    from sync.hub import points, signups, tasks  # (they resolve members through this module)

    signups.merge_moves(conn, survivor, merged)  # provisional ids of the merged one
    moved += tasks.merge_moves(tx, survivor, merged)
    bind(conn, ("user", merged), survivor, None, t)  # its own id now names the survivor
    card = merged_row[2]
    survivor_card = conn.scalar("SELECT card_no FROM members WHERE id = ?", (survivor,))
    for kind, value in (("card", card), ("phone", merged_row[3])):
        if value is not None and lookup(conn, kind, str(value)) == merged:
            bind(conn, (kind, str(value)), survivor, None, t)  # so do its card and phone
    conn.execute("DELETE FROM members WHERE id = ?", (merged,))
    conn.execute("UPDATE members SET updated_at = ? WHERE id = ?", (t, survivor))
    if survivor_card is None and card is not None:  # its card becomes the survivor's own
        conn.execute("UPDATE members SET card_no = ? WHERE id = ?", (card, survivor))
        conn.execute("DELETE FROM identities WHERE kind = 'card' AND value = ?", (card,))

    def emit(entity: str, key: str, store: str | None, *, new: bool = False) -> None:
        if store is not None:  # a member of no store reaches no terminal
            tx.emit(entity, key, "upsert", store)

    points.merge_in(
        conn,
        emit,
        entry_id=f"merge:{merged}:{t}",
        survivor=survivor,
        home_store=home,
        points=int(merged_row[0] or 0),
        tier=str(merged_row[1]),
        at=t,
    )
    if old_home is not None:
        tx.emit("member", merged, "delete", old_home)
    if home is not None:
        tx.emit("member", survivor, "upsert", home)
    admin_audit.record(
        tx, actor, "member_merge", survivor, {"merged": merged, "rows": moved}, now=t
    )
    return moved


def settle(
    tx: Tx, conflict_id: int, keep: Sequence[str], *, actor: str, now: int | None = None
) -> dict[str, Any]:
    """Settle conflict ``conflict_id``: its claimants not in ``keep`` are merged into
    ``keep[0]``, which the contested identities are bound to. Returns the conflict's row (with
    its call, to apply again). InvalidInputError for a member that is no claimant."""
    from sync.hub.errors import InvalidInputError, NotFoundError

    t = int(time.time()) if now is None else now
    conn = tx.conn
    row = conn.row(
        "SELECT identities, members, message, source_id, resolved_at FROM identity_conflicts "
        "WHERE id = ?",
        (conflict_id,),
    )
    if row is None:
        raise NotFoundError(f"no identity conflict {conflict_id}", reason="unknown_conflict")
    if row[4] is not None:
        raise InvalidInputError(f"conflict {conflict_id} is settled already", reason="usage")
    contested = [tuple(i) for i in json.loads(row[0])]
    claimants = [str(m) for m in json.loads(row[1])]
    if not keep or any(m not in claimants for m in keep):
        raise InvalidInputError(
            f"keep one or more of the claimants: {' '.join(claimants)}", reason="usage"
        )
    survivor = keep[0]
    present = {
        str(r[0])
        for r in conn.rows(
            "SELECT id FROM members WHERE id IN (" + ", ".join("?" for _ in claimants) + ")",
            claimants,
        )
    }
    for member in claimants:
        if member not in keep and member in present and survivor in present:
            merge(tx, survivor, member, actor=actor, now=t)
    for kind, value in contested:
        bind(conn, (str(kind), str(value)), survivor, row[3], t)
    conn.execute(
        "UPDATE identity_conflicts SET resolved_at = ?, kept = ? WHERE id = ?",
        (t, json.dumps(list(keep)), conflict_id),
    )
    admin_audit.record(tx, actor, "identity_resolve", str(conflict_id), {"keep": list(keep)}, now=t)
    return {"message": json.loads(row[2]), "source_id": row[3], "survivor": survivor}
