"""Half-typed forms, kept: what an associate typed for a customer and did not save survives
Esc, the next scan and a lock, and comes back when they serve that customer again.

A draft is one row of outbox.db ``drafts`` (migration ``m007_drafts``, clerk/outbox.py) per
staff member, customer and form — the form's values as JSON (the typed text, the sale's lines)
— so it is encrypted at rest with the rest of the file (clerk/db.py), never in cache.db (which
is rebuilt from the hub). Saving the record clears its draft; the associate can discard one.

    save(conn, staff_id, member_key, form, values, now)
    load(conn, staff_id, member_key)        {form: values}, the newest first
    discard(conn, staff_id, member_key, form)
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from clerk.db import Transaction

MAX_BODY = 200_000  # characters of one draft's JSON (a sale of 200 lines fits)


def save(
    conn: sqlite3.Connection,
    staff_id: str | None,
    member_key: str,
    form: str,
    values: Mapping[str, Any],
    now: int,
) -> None:
    from clerk.shared.interactions import MEMBER_KINDS

    if form not in MEMBER_KINDS:  # a form of a kind recorded with a customer
        raise ValueError(f"no drafts of {form!r}")
    body = json.dumps(dict(values), ensure_ascii=False, separators=(",", ":"))
    if len(body) > MAX_BODY:
        raise ValueError("draft too large")
    with Transaction(conn):
        conn.execute(
            "INSERT OR REPLACE INTO drafts (staff_id, member_key, form, body, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (staff_id or "", member_key, form, body, now),
        )


def load(
    conn: sqlite3.Connection, staff_id: str | None, member_key: str
) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        "SELECT form, body FROM drafts WHERE staff_id = ? AND member_key = ?"
        " ORDER BY updated_at DESC, form",
        (staff_id or "", member_key),
    ).fetchall()
    out: dict[str, dict[str, Any]] = {}
    for form, body in rows:
        try:
            value = json.loads(body)
        except ValueError:
            continue
        if isinstance(value, dict):
            out[str(form)] = value
    return out


def discard(conn: sqlite3.Connection, staff_id: str | None, member_key: str, form: str) -> None:
    with Transaction(conn):
        conn.execute(
            "DELETE FROM drafts WHERE staff_id = ? AND member_key = ? AND form = ?",
            (staff_id or "", member_key, form),
        )
