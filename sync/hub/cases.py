"""Service cases at the hub: complaints and repairs, open until closed — anywhere.

A case reaches the ``cases`` table three ways, and every change is a change row of the feed
entity ``case`` for the member's home store, so its terminals see it (open cases first in the
360):

* a store records it — ``case_open`` (the case's id is the record's id), ``case_note``,
  ``case_close`` (:func:`open_case`, :func:`note_case`, :func:`close_case`: the effects
  :mod:`sync.hub.ingest` runs for those kinds);
* the CRM exports it — rows of :data:`COLUMNS` through :func:`upsert` (what an import
  registers for the kind ``cases``);
* an event says so — ``Case Opened`` / ``Case Updated`` of the Segment intake
  (:mod:`sync.hub.segment.intake`), through :func:`upsert` too.

Rules: a case belongs to one member (a row naming another member for a known id is refused:
``member_mismatch``); a closed case stays closed for a note (it is kept in the history) and a
second close changes nothing; a row from the CRM or an event is the case as the CRM sees it
(its status wins, reopening included).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clerk.shared.entities import ENTITIES

if TYPE_CHECKING:
    from sync.hub.db import Conn
    from sync.hub.store import Tx

ENTITY = "case"
COLUMNS: tuple[str, ...] = ENTITIES[ENTITY].columns
REQUIRED = ("id", "member_id", "case_type", "subject", "status", "opened_at")
CASE_TYPES = frozenset({"complaint", "repair", "other"})
STATUSES = frozenset({"open", "closed"})
MAX_SUBJECT = 200
MAX_ID = 64


class CaseError(ValueError):
    """A case row refused, with a stable ``reason``: ``missing`` (a required column),
    ``bad_value`` (a type or status outside the vocabulary, a time that is no integer, …),
    ``unknown_member``, ``member_mismatch``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Upserted:
    written: int
    refused: list[tuple[int, str]]  # (index of the row, reason)


def _int(value: Any, column: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**53:
        raise CaseError("bad_value", f"{column} must be unix seconds")
    return value


def _text(value: Any, column: str, size: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CaseError("bad_value", f"{column} must be a non-empty string")
    return value.strip()[:size]


def normalise(row: Mapping[str, Any]) -> dict[str, Any]:
    """One case row checked and shaped to :data:`COLUMNS` (CaseError)."""
    for column in REQUIRED:
        if row.get(column) in (None, ""):
            raise CaseError("missing", f"a case needs {column}")
    case_id = _text(row["id"], "id", MAX_ID)
    if len(str(row["id"])) > MAX_ID:
        raise CaseError("bad_value", f"id is longer than {MAX_ID}")
    case_type = str(row["case_type"])
    if case_type not in CASE_TYPES:
        raise CaseError("bad_value", f"case_type must be one of {sorted(CASE_TYPES)}")
    status = str(row["status"])
    if status not in STATUSES:
        raise CaseError("bad_value", f"status must be one of {sorted(STATUSES)}")
    opened_at = _int(row["opened_at"], "opened_at")
    updated_at = _int(row.get("updated_at") or opened_at, "updated_at")
    closed_at = row.get("closed_at")
    if status == "closed":
        closed_at = _int(closed_at if closed_at is not None else updated_at, "closed_at")
    else:
        closed_at = None
    sku = row.get("sku")
    store_name = row.get("store_name")
    return {
        "id": case_id,
        "member_id": _text(row["member_id"], "member_id", MAX_ID),
        "case_type": case_type,
        "subject": _text(row["subject"], "subject", MAX_SUBJECT),
        "status": status,
        "sku": None if sku in (None, "") else _text(sku, "sku", MAX_ID),
        "store_name": None if store_name in (None, "") else _text(store_name, "store_name", 100),
        "opened_at": opened_at,
        "updated_at": max(updated_at, opened_at),
        "closed_at": closed_at,
    }


_UPSERT = (
    f"INSERT INTO cases ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)}) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c not in ("id", "member_id"))
)


def _home(conn: Conn, member_id: str) -> tuple[bool, str | None]:
    row = conn.row("SELECT home_store FROM members WHERE id = ?", (member_id,))
    return (False, None) if row is None else (True, row[0])


def upsert(tx: Tx, rows: Iterable[Mapping[str, Any]]) -> Upserted:
    """Write case rows as the CRM (or an event) sees them — inserted or replacing the case of
    the same id — each with its change row for the member's home store. A row refused
    (CaseError's reasons) is counted with its index and never sinks the others."""
    written = 0
    refused: list[tuple[int, str]] = []
    for i, raw in enumerate(rows):
        try:
            row = normalise(raw)
            known, home = _home(tx.conn, row["member_id"])
            if not known:
                raise CaseError("unknown_member", f"no member {row['member_id']}")
            owner = tx.conn.scalar("SELECT member_id FROM cases WHERE id = ?", (row["id"],))
            if owner is not None and owner != row["member_id"]:
                raise CaseError("member_mismatch", f"case {row['id']} is another member's")
        except CaseError as exc:
            refused.append((i, exc.reason))
            continue
        tx.conn.execute(_UPSERT, tuple(row[c] for c in COLUMNS))
        tx.emit(ENTITY, row["id"], "upsert", home)
        written += 1
    return Upserted(written, refused)


# --- the effects of the store's records (sync.hub.ingest) -------------------------------------


def open_case(
    conn: Conn,
    case_id: str,
    member_id: str,
    *,
    case_type: str,
    subject: str,
    sku: str | None,
    store_name: str | None,
    at: int,
) -> bool:
    """A case opened in a store (the case_open record's id). False if the id is taken."""
    if conn.scalar("SELECT 1 FROM cases WHERE id = ?", (case_id,)) is not None:
        return False
    conn.execute(
        f"INSERT INTO cases ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})",
        (case_id, member_id, case_type, subject, "open", sku, store_name, at, at, None),
    )
    return True


def case_owner(conn: Conn, case_id: str) -> tuple[str, str] | None:
    """(member id, status) of a case, None if the hub has no such case."""
    row = conn.row("SELECT member_id, status FROM cases WHERE id = ?", (case_id,))
    return None if row is None else (str(row[0]), str(row[1]))


def note_case(conn: Conn, case_id: str, *, at: int) -> bool:
    """A note on a case: its ``updated_at`` moves on (the note itself is history). False when
    nothing changed (a closed case, an older note)."""
    return bool(
        conn.execute(
            "UPDATE cases SET updated_at = ? WHERE id = ? AND status = 'open' AND updated_at < ?",
            (at, case_id, at),
        )
    )


def close_case(conn: Conn, case_id: str, *, at: int) -> bool:
    """A case closed at ``at``. False when it was closed already (the first close stands)."""
    return bool(
        conn.execute(
            "UPDATE cases SET status = 'closed', closed_at = ?, "
            "updated_at = CASE WHEN updated_at < ? THEN ? ELSE updated_at END "
            "WHERE id = ? AND status = 'open'",
            (at, at, at, case_id),
        )
    )
