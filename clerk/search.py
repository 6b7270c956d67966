"""Finding a customer without a code: the store's members by name, last four phone digits or card.

What is searched (:func:`search`):
- a name, as written (``林晓``, ``晓雯``) or in pinyin — whole (``linxiaowen``, ``lin xiao``),
  from a syllable on (``xiaowen``) or by initials (``lxw``) — and an English name word by word
  (``vivian``, ``vivian l``);
- four digits: the last four of the member's phone;
- 10–19 digits: a card number, exactly.

Results, at most :data:`MAX_RESULTS`, rank in tiers: an exact card or last four, then a whole name
(or its initials), then a name that starts so, then one that has it from a character, syllable or
word on. Within a tier they come in the index's order. Everything shown is masked: names keep
their first and last character (per word for an English name: 林*雯, V****n L*n), phones their last
four digits, cards their last four.

Only the terminal's own store is searched: cache.db also holds members of other stores fetched
by proof of presence (their ``home_store`` is another store); they are never a search result.

The index is an FTS5 table in cache.db, ``member_search`` (``head``: the keys a name starts with;
``tail``: the keys from its second character, syllable or word on), with ``member_search_ids``
giving each member a stable docid (the members table's rowid changes on every upsert). It is kept
by the change apply path (:func:`on_members`, called from ``clerk.cache.apply_changes``) and built
for an existing cache by the migration (:func:`rebuild`); the purge removes what it deletes. A
row left behind by a path that empties the members table directly (a terminal moved to another
store) finds nothing: every result is joined to its member row. A name's keys, what a text
searches by and the masks live in :mod:`clerk.search_terms`.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from clerk.search_terms import (
    Found,
    Match,
    keys,
    mask_card,
    mask_name,
    name_queries,
    query_key,
    query_kind,
)
from clerk.shared.entities import ENTITIES

MAX_RESULTS = 20
REBUILD_CHUNK = 5000

SCHEMA = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS member_search USING fts5("
    "head, tail, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2')",
    # sig: a 64-bit digest of the member's keys — a member sent again with the same names
    # (their points or last visit changed) leaves the full-text index alone.
    "CREATE TABLE IF NOT EXISTS member_search_ids ("
    "docid INTEGER PRIMARY KEY, member_id TEXT NOT NULL UNIQUE, sig INTEGER)",
)

_COLUMNS = ENTITIES["member"].columns
_AT_ID = _COLUMNS.index("id")
_AT_NAME = _COLUMNS.index("name")
_AT_NAME_EN = _COLUMNS.index("name_en")

# A batch: new members get a docid; the docids and key digests of the batch are read back (a
# few IN queries); the full-text index is written only for members whose keys changed or are
# new (plain VALUES inserts: FTS5 takes an INSERT … SELECT two to three times slower).
_Q_ADD_ID = "INSERT OR IGNORE INTO member_search_ids (member_id) VALUES (?)"
_Q_KNOWN = "SELECT member_id, docid, sig FROM member_search_ids WHERE member_id IN ({marks})"
_Q_DROP_OLD = "DELETE FROM member_search WHERE rowid = ?"
_Q_ADD_DOC = "INSERT INTO member_search (rowid, head, tail) VALUES (?, ?, ?)"
_Q_SET_SIG = "UPDATE member_search_ids SET sig = ? WHERE docid = ?"
_IN_CHUNK = 500
_Q_DROP_DOC = (
    "DELETE FROM member_search WHERE rowid = "
    "(SELECT docid FROM member_search_ids WHERE member_id = ?1)"
)
_Q_DROP_ID = "DELETE FROM member_search_ids WHERE member_id = ?1"

_SELECT = (
    "SELECT m.id, m.name, m.name_en, m.phone_masked, m.card_no, m.tier, m.home_store FROM members m"
)
_STORE = "(?2 IS NULL OR m.home_store = ?2) LIMIT ?3"
_Q_LAST4 = f"{_SELECT} WHERE m.phone_last4 = ?1 AND {_STORE}"
_Q_CARD = f"{_SELECT} WHERE m.card_no = ?1 AND {_STORE}"
# Driven by the full-text index (CROSS JOIN keeps that order): its matches in docid order, each
# joined to its member by two primary-key look-ups, until LIMIT rows of the store are found.
_Q_NAME = (
    "SELECT m.id, m.name, m.name_en, m.phone_masked, m.card_no, m.tier, m.home_store"
    " FROM member_search s CROSS JOIN member_search_ids d ON d.docid = s.rowid"
    " CROSS JOIN members m ON m.id = d.member_id"
    f" WHERE member_search MATCH ?1 AND {_STORE}"
)


# -- maintained by the apply path ----------------------------------------------------------------


def on_members(conn: sqlite3.Connection, op: str, batch: Sequence[tuple[Any, ...]]) -> None:
    """Keep the index in step with a batch of member changes the caller just applied (inside
    its transaction): ``upsert`` rows are in the members' column order, ``delete`` rows are
    ``(id,)``."""
    if op == "delete":
        ids = [(row[0],) for row in batch]
        conn.executemany(_Q_DROP_DOC, ids)
        conn.executemany(_Q_DROP_ID, ids)
        return
    _index(conn, [(r[_AT_ID], r[_AT_NAME], r[_AT_NAME_EN]) for r in batch])


def _index(conn: sqlite3.Connection, rows: Iterable[tuple[Any, Any, Any]]) -> None:
    # The last row of a member sent twice in one batch wins, as in the members table.
    docs = {str(mid): _doc(str(mid), name, name_en) for mid, name, name_en in rows}
    ids = list(docs)
    conn.executemany(_Q_ADD_ID, [(mid,) for mid in ids])
    known: dict[str, tuple[int, int | None]] = {}
    for i in range(0, len(ids), _IN_CHUNK):
        chunk = ids[i : i + _IN_CHUNK]
        sql = _Q_KNOWN.format(marks=", ".join("?" * len(chunk)))
        known.update({r[0]: (r[1], r[2]) for r in conn.execute(sql, chunk)})
    changed = [
        (known[mid][0], known[mid][1], head, tail, sig)
        for mid, (head, tail, sig) in docs.items()
        if known[mid][1] != sig
    ]
    conn.executemany(_Q_DROP_OLD, [(c[0],) for c in changed if c[1] is not None])
    conn.executemany(_Q_ADD_DOC, [(c[0], c[2], c[3]) for c in changed])
    conn.executemany(_Q_SET_SIG, [(c[4], c[0]) for c in changed])


def _doc(member_id: str, name: str | None, name_en: str | None) -> tuple[str, str, int]:
    """(head, tail, digest of both) of a member's names."""
    head, tail = keys(name, name_en)
    digest = hashlib.blake2b(f"{head}\x1f{tail}".encode(), digest_size=8).digest()
    return head, tail, int.from_bytes(digest, "big", signed=True)


def create(conn: sqlite3.Connection) -> None:
    """The index's tables (empty)."""
    for statement in SCHEMA:
        conn.execute(statement)


def rebuild(conn: sqlite3.Connection, *, chunk: int = REBUILD_CHUNK) -> int:
    """Index every cached member, ``chunk`` at a time (by id, so memory stays flat); returns the
    count. Inside the caller's transaction (the migration's)."""
    conn.execute("DELETE FROM member_search")
    conn.execute("DELETE FROM member_search_ids")
    count = 0
    after = ""
    while True:
        rows = conn.execute(
            "SELECT id, name, name_en FROM members WHERE id > ? ORDER BY id LIMIT ?",
            (after, chunk),
        ).fetchall()
        if not rows:
            return count
        _index(conn, [(r[0], r[1], r[2]) for r in rows])
        count += len(rows)
        after = str(rows[-1][0])


# -- searching ----------------------------------------------------------------------------------


def search(
    conn: sqlite3.Connection, text: str, *, store_id: str | None, limit: int = MAX_RESULTS
) -> list[Found]:
    """The members of ``store_id`` (any store when None: a terminal never enrolled holds no
    other store's) that ``text`` finds, best first, at most ``limit`` (≤ MAX_RESULTS)."""
    limit = max(0, min(limit, MAX_RESULTS))
    kind = query_kind(text)
    if kind == "none" or limit == 0:
        return []
    if kind in ("last4", "card"):
        digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text))
        if kind == "last4":
            rows = conn.execute(_Q_LAST4, (digits, store_id, limit)).fetchall()
            return [_found(r, "phone") for r in rows]
        rows = conn.execute(_Q_CARD, (digits, store_id, limit)).fetchall()
        return [_found(r, "card") for r in rows]
    out: list[Found] = []
    seen: set[str] = set()
    for match, fts in name_queries(query_key(text)):
        # The tiers before found some of these again: ask for as many more.
        rows = conn.execute(_Q_NAME, (fts, store_id, limit + len(out))).fetchall()
        for r in rows:
            if str(r[0]) not in seen:
                seen.add(str(r[0]))
                out.append(_found(r, match))
                if len(out) == limit:
                    return out
    return out


def _found(row: Sequence[Any], match: Match) -> Found:
    mid, name, name_en, phone_masked, card_no, tier = row[:6]
    return Found(
        member_id=str(mid),
        name=mask_name(str(name)),
        name_en=mask_name(str(name_en)) if name_en else None,
        phone_masked=phone_masked,
        card_masked=mask_card(str(card_no)) if card_no else None,
        tier=str(tier),
        match=match,
    )
