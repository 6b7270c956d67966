"""The manager's sync panel: the backlog, the last syncs, the rows the hub rejected, the rows
parked because the hub failed on them by themselves (with its answer, and the manager's retry),
and the coupon and points redemptions it flagged as conflicts — with the other side, and the
manager's decision recorded as a ``resolve`` interaction."""

from __future__ import annotations

import json
import logging
import sqlite3
import time as time_mod
from collections.abc import Iterable
from typing import Any

from clerk import outbox as outbox_mod
from clerk.errors import ClerkError
from clerk.outbox import Recorded, Settled
from clerk.reports.load import Reader
from clerk.reports.model import Conflict, ParkedItem, RejectedItem, SyncHealth
from clerk.staff import Session, require

log = logging.getLogger(__name__)


def conflicts(
    cache: sqlite3.Connection, outbox: sqlite3.Connection, *, include_resolved: bool = False
) -> list[Conflict]:
    """Our interactions the hub answered ``conflict``, newest first, with the other side."""
    rows = outbox.execute(
        "SELECT id, member_id, member_ref, staff_id, payload, created_at, reason, conflict_with "
        "FROM interactions WHERE state = 'conflict' ORDER BY created_at DESC, id DESC LIMIT 500"
    ).fetchall()
    if not rows:
        return []
    decisions = _decisions(outbox, min(int(r[5]) for r in rows))
    coupon_ids: list[str] = []
    bodies: list[dict[str, Any]] = []
    for r in rows:
        try:
            body = json.loads(r[4])
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        bodies.append(body)
        if body.get("coupon_id"):
            coupon_ids.append(str(body["coupon_id"]))
    data = Reader(cache, outbox, None)
    coupons = data.coupons(coupon_ids)
    names = data.member_names(r[1] for r in rows if r[1])
    out: list[Conflict] = []
    for r, body in zip(rows, bodies, strict=True):
        decision = decisions.get(r[0])
        if decision is not None and not include_resolved:
            continue
        other = None
        if r[7]:
            other = cache.execute(
                "SELECT at, store_name, staff_name FROM visits WHERE id = ?", (r[7],)
            ).fetchone()
        coupon_id = str(body["coupon_id"]) if body.get("coupon_id") else None
        coupon = coupons.get(coupon_id or "")
        out.append(
            Conflict(
                id=r[0],
                member_id=r[1],
                member_ref=r[2],
                member_name=names.get(r[1]) if r[1] else None,
                staff_id=r[3],
                at=int(r[5]),
                coupon_id=coupon_id,
                coupon_title_zh=coupon[2] if coupon else None,
                coupon_title_en=coupon[3] if coupon else None,
                reason=r[6],
                conflict_with=r[7],
                other_at=int(other[0]) if other else None,
                other_store=other[1] if other else None,
                other_staff=other[2] if other else None,
                decision=decision,
                points=body["points"] if isinstance(body.get("points"), int) else None,
            )
        )
    return out


def _decisions(outbox: sqlite3.Connection, since: int) -> dict[str, str]:
    """conflict id → decision, from the resolve interactions recorded since ``since`` (a day
    of slack for a clock that stepped back): an index range, not a scan of the outbox."""
    decisions: dict[str, str] = {}
    for (payload,) in outbox.execute(
        "SELECT payload FROM interactions WHERE created_at >= ? AND kind = 'resolve' "
        "AND state NOT IN ('rejected', 'corrected', 'withdrawn', 'dismissed') "
        "ORDER BY device_seq",
        (since - 86_400,),
    ):
        try:
            body = json.loads(payload)
        except ValueError:
            continue
        if isinstance(body, dict) and body.get("conflict_id"):
            decisions[str(body["conflict_id"])] = str(body.get("decision"))
    return decisions


DECISIONS = ("accept", "reverse")


def resolve_conflict(
    session: Session | None,
    outbox: sqlite3.Connection,
    conflict_id: str,
    decision: str,
    *,
    now: int | None = None,
) -> Recorded:
    """Record a manager's decision on a conflict: an interaction of kind ``resolve`` with
    payload ``{conflict_id, decision}`` (``accept`` keeps both redemptions, ``reverse`` undoes
    ours). ``outbox`` must be writable."""
    s = require(session, "conflicts")
    if decision not in DECISIONS:
        raise ClerkError(f"a decision is accept or reverse, not {decision!r}", reason="usage")
    row = outbox.execute(
        "SELECT member_id, member_ref, state, created_at FROM interactions WHERE id = ?",
        (conflict_id,),
    ).fetchone()
    if row is None or row[2] != "conflict":
        raise ClerkError(f"no conflict {conflict_id} to resolve", reason="unknown_conflict")
    if conflict_id in _decisions(outbox, int(row[3])):
        raise ClerkError(f"conflict {conflict_id} is already resolved", reason="already_resolved")
    return outbox_mod.record(
        outbox,
        "resolve",
        member_id=row[0],
        member_ref=row[1],
        staff_id=s.staff_id,
        payload={"conflict_id": conflict_id, "decision": decision},
        now=int(time_mod.time()) if now is None else now,
    )


PARKED_SHOWN = 100  # the newest parked rows the panel lists (the count is exact)


def parked_items(
    cache: sqlite3.Connection, outbox: sqlite3.Connection, limit: int = PARKED_SHOWN
) -> tuple[ParkedItem, ...]:
    """The rows parked for a person (newest first), with the member's name and the hub's
    answer."""
    parked = outbox_mod.needs_attention(outbox, limit=limit)
    if not parked:
        return ()
    names = Reader(cache, outbox, None).member_names(p.member_id for p in parked if p.member_id)
    return tuple(
        ParkedItem(
            id=p.id,
            kind=p.kind,
            member_id=p.member_id,
            member_ref=p.member_ref,
            member_name=names.get(p.member_id) if p.member_id else None,
            at=p.created_at,
            parked_at=p.parked_at,
            attempts=p.attempts,
            hub_answer=p.hub_answer,
        )
        for p in parked
    )


def retry_parked(
    session: Session | None, outbox: sqlite3.Connection, ids: Iterable[str] | None = None
) -> int:
    """A manager puts parked rows back in the queue (the hub was fixed): ``ids``, or every
    parked row. Returns how many; the next sync sends them (a row the hub still fails on is
    parked again after ``clerk.outbox.MAX_ITEM_FAILURES`` tries). ``outbox`` must be
    writable."""
    s = require(session, "conflicts")
    chosen = (
        [p.id for p in outbox_mod.needs_attention(outbox, limit=1_000_000)]
        if ids is None
        else list(ids)
    )
    count = outbox_mod.retry_parked(outbox, chosen)
    log.info("%s put %d parked record(s) back in the queue", s.staff_id, count)
    return count


def _state_int(cache: sqlite3.Connection, key: str) -> int | None:
    row = cache.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    if row is None or row[0] is None:
        return None
    try:
        return int(float(row[0]))
    except ValueError:
        return None


def sync_health(cache: sqlite3.Connection, outbox: sqlite3.Connection, now: int) -> SyncHealth:
    """What the manager's sync panel shows: backlog, last syncs, rejections, parked rows,
    open conflicts."""
    st = outbox_mod.status(outbox)
    push, pull = _state_int(cache, "last_push_at"), _state_int(cache, "last_pull_at")
    successes = [t for t in (push, pull) if t is not None]
    err = cache.execute("SELECT value FROM sync_state WHERE key = 'last_error'").fetchone()
    open_rows = outbox_mod.for_a_person(outbox, 100)
    rejected = _items(cache, [r for r in open_rows if r.state == "rejected"])
    archived = _items(cache, outbox_mod.archived(outbox, ARCHIVED_SHOWN))
    return SyncHealth(
        parked=parked_items(cache, outbox),
        pending=st.pending,
        oldest_pending_at=st.oldest_pending_at,
        oldest_pending_age_s=None
        if st.oldest_pending_at is None
        else max(0, now - st.oldest_pending_at),
        last_push_at=push,
        last_pull_at=pull,
        last_success_at=max(successes) if successes else None,
        last_error=(err[0] if err and err[0] else None) or st.last_error,
        rejected=rejected,
        conflicts=tuple(conflicts(cache, outbox)),
        archived=archived,
    )


ARCHIVED_SHOWN = 100  # the newest archived records the "archived" filter lists


def _items(cache: sqlite3.Connection, rows: list[Settled]) -> tuple[RejectedItem, ...]:
    names: dict[str, str] = {}
    for mid in {r.member_id for r in rows if r.member_id}:
        found = cache.execute("SELECT name FROM members WHERE id = ?", (mid,)).fetchone()
        if found is not None:
            names[mid] = str(found[0])
    return tuple(
        RejectedItem(
            r.id,
            r.kind,
            r.member_id,
            r.member_ref,
            r.created_at,
            r.reason,
            names.get(r.member_id or ""),
            staff_id=r.staff_id,
            state=r.state,
            payload=r.payload,
            closed_by=r.closed_by,
            closed_at=r.closed_at,
            closed_reason=r.closed_reason,
            superseded_by=r.superseded_by,
        )
        for r in rows
    )
