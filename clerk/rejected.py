"""Records left for a person — rejected by the hub, or parked after the hub failed on them by
themselves — and who may do what with them. None is ever stuck:

- **fix** — the associate who recorded it, or a manager: the corrected payload (validated like
  any record) becomes a NEW record that ``supersedes`` it; the old one is ``corrected``.
- **withdraw** — the associate who recorded it, or a manager: the record is taken back.
- **dismiss** — a manager only, with a reason: the record is closed as it is.

Each is audited on the terminal's chain (``record_fix``, ``record_withdraw``,
``record_dismiss``: who, when, which record, why) in the same transaction as the change, and
leaves the old record in outbox.db (the "archived" filter), never sent, never counted
(:data:`clerk.outbox.ARCHIVED`). ``conn`` is the terminal's one outbox.db writer.

Who acts is ``staff_id`` (the associate signed in), or a manager's ``session`` (signed in with
a PIN): a manager may act on any record, an associate only on their own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from clerk import audit
from clerk import outbox as outbox_mod
from clerk.db import Transaction
from clerk.errors import ClerkError, PermissionDeniedError
from clerk.outbox import DISMISSED, WITHDRAWN, Recorded, Settled
from clerk.staff import Session, allowed

if TYPE_CHECKING:
    from clerk.shared.interactions import Payload

MAX_REASON = 500


def _actor(staff_id: str | None, session: Session | None) -> tuple[str | None, bool]:
    if session is not None:
        return session.staff_id, allowed(session, "conflicts")
    return staff_id, False


def may_act(row: Settled, staff_id: str | None, session: Session | None = None) -> bool:
    """May this person fix or withdraw ``row``? A manager any; an associate their own."""
    who, manager = _actor(staff_id, session)
    return manager or (who is not None and row.staff_id == who)


def _open(conn: sqlite3.Connection, iid: str) -> Settled:
    row = outbox_mod.settled_row(conn, iid)
    if row is None:
        raise outbox_mod.NotOpenError(f"no record {iid} in the outbox", reason="unknown_record")
    if row.state not in outbox_mod.FOR_A_PERSON:
        raise outbox_mod.NotOpenError(f"record {iid} is {row.state}, not rejected or parked")
    return row


def _mine_or_manager(row: Settled, staff_id: str | None, session: Session | None) -> str | None:
    who, _manager = _actor(staff_id, session)
    if not may_act(row, staff_id, session):
        raise PermissionDeniedError(
            f"record {row.id} was recorded by someone else: the associate who recorded it, "
            "or a manager, may do this"
        )
    return who


def fix(
    conn: sqlite3.Connection,
    iid: str,
    payload: Payload | Mapping[str, Any],
    *,
    staff_id: str | None,
    session: Session | None = None,
    now: int,
) -> Recorded:
    """Record the corrected copy of ``iid`` (a new id) and mark ``iid`` corrected; audited."""
    with Transaction(conn):
        row = _open(conn, iid)
        who = _mine_or_manager(row, staff_id, session)
        rec = outbox_mod.fix(conn, iid, payload, staff_id=who, now=now)
        audit.append(
            conn,
            "record_fix",
            who,
            {"interaction_id": iid, "kind": row.kind, "new_id": rec.id, "hub_answer": row.reason},
            now,
        )
    return rec


def withdraw(
    conn: sqlite3.Connection,
    iid: str,
    *,
    staff_id: str | None,
    session: Session | None = None,
    reason: str | None = None,
    now: int,
) -> Settled:
    """Take back ``iid`` (the associate's own, or a manager); audited."""
    with Transaction(conn):
        row = _open(conn, iid)
        who = _mine_or_manager(row, staff_id, session)
        text = _reason(reason, required=False)
        outbox_mod.close(conn, iid, WITHDRAWN, staff_id=who, reason=text, now=now)
        audit.append(
            conn,
            "record_withdraw",
            who,
            {"interaction_id": iid, "kind": row.kind, "reason": text, "hub_answer": row.reason},
            now,
        )
    return row


def dismiss(
    conn: sqlite3.Connection, iid: str, *, session: Session | None, reason: str, now: int
) -> Settled:
    """Close ``iid`` as it is, with a reason: managers only; audited."""
    if not allowed(session, "conflicts"):
        raise PermissionDeniedError(
            "only a manager may dismiss a record"
            if session is not None
            else "sign in as a manager to dismiss a record",
            reason="permission_denied" if session is not None else "not_signed_in",
        )
    assert session is not None
    text = _reason(reason, required=True)
    with Transaction(conn):
        row = _open(conn, iid)
        outbox_mod.close(conn, iid, DISMISSED, staff_id=session.staff_id, reason=text, now=now)
        audit.append(
            conn,
            "record_dismiss",
            session.staff_id,
            {"interaction_id": iid, "kind": row.kind, "reason": text, "hub_answer": row.reason},
            now,
        )
    return row


def _reason(reason: str | None, *, required: bool) -> str | None:
    text = " ".join((reason or "").split())
    if required and not text:
        raise ClerkError("give a reason for dismissing the record", reason="reason_missing")
    if len(text) > MAX_REASON:
        raise ClerkError(
            f"the reason is too long (at most {MAX_REASON} characters)", reason="reason_too_long"
        )
    return text or None
