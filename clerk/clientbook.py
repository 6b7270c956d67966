"""The client book: an associate's customers (cache.db ``assignments``, a manager's ``assign``
records as the hub sent them back, with this terminal's own not yet synced laid over them)
and, for each, the reasons to reach out now — offline, from the cache alone.

Reasons, in this order of urgency:

* ``open_task`` — a follow-up task of theirs is open (clerk/tasks.py; the earliest due);
* ``cart_coupon`` — something in the online cart and a live coupon expiring within 3 days;
* ``birthday`` — a birthday within the next 7 days;
* ``inactive`` — not seen for 30 days.

    my_customers(cache, outbox, staff_id, now=…)   [Client(member_id, name, reasons …)]
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta

from clerk import tasks
from clerk.model import Client
from clerk.reports.model import AssociateFigures

DAY_S = 86_400
INACTIVE_DAYS = 30
COUPON_DAYS = 3
BIRTHDAY_DAYS = 7
REASONS = ("open_task", "cart_coupon", "birthday", "inactive")


def assignments(cache: sqlite3.Connection, outbox: sqlite3.Connection) -> dict[str, str | None]:
    """member id -> assigned staff id (None: unassigned), this terminal's ``assign`` records
    not yet reflected by the hub laid over the cache's."""
    found: dict[str, str | None] = {
        str(r[0]): r[1] for r in cache.execute("SELECT member_id, staff_id FROM assignments")
    }
    pulled = cache.execute("SELECT value FROM sync_state WHERE key = 'last_pull_at'").fetchone()
    last_pull = int(float(pulled[0])) if pulled and pulled[0] else 0
    for member_id, text in outbox.execute(
        "SELECT member_id, payload FROM interactions WHERE kind = 'assign' "
        "AND (state IN ('pending', 'sent', 'attention') OR (state = 'acked' AND settled_at >= ?))"
        " ORDER BY device_seq",
        (last_pull,),
    ):
        found[str(member_id)] = json.loads(text).get("staff_id")
    return found


def _upcoming_birthday(birthday: str | None, today: date, days: int) -> bool:
    if not birthday or len(birthday) < 10:
        return False
    wanted = {(today + timedelta(days=n)).strftime("%m-%d") for n in range(days + 1)}
    return birthday[5:10] in wanted


def my_customers(
    cache: sqlite3.Connection, outbox: sqlite3.Connection, staff_id: str, *, now: int
) -> list[Client]:
    """The members assigned to ``staff_id``: those with a reason to reach out first (most
    urgent reason, then the earliest due), then the others by name."""
    mine = [m for m, s in assignments(cache, outbox).items() if s == staff_id]
    if not mine:
        return []
    open_tasks: dict[str, int] = {}
    task_count: dict[str, int] = {}
    for task in tasks.load(cache, outbox, now=now):
        task_count[task.member_id] = task_count.get(task.member_id, 0) + 1
        if task.member_id not in open_tasks or task.due_at < open_tasks[task.member_id]:
            open_tasks[task.member_id] = task.due_at
    today = datetime.fromtimestamp(now).date()
    out: list[Client] = []
    for member_id in mine:
        row = cache.execute(
            "SELECT name, last_seen, birthday, tier FROM members WHERE id = ?", (member_id,)
        ).fetchone()
        if row is None:
            continue
        name, last_seen, birthday, tier = row[0], row[1], row[2], row[3]
        coupon = cache.execute(
            "SELECT min(c.expires_at) FROM coupons c WHERE c.member_id = ? AND c.state = 'live' "
            "AND c.expires_at > ? AND c.expires_at <= ? AND EXISTS (SELECT 1 FROM cart_items i "
            "WHERE i.member_id = c.member_id AND i.state = 'open')",
            (member_id, now, now + COUPON_DAYS * DAY_S),
        ).fetchone()[0]
        reasons = []
        if member_id in open_tasks:
            reasons.append("open_task")
        if coupon is not None:
            reasons.append("cart_coupon")
        if _upcoming_birthday(birthday, today, BIRTHDAY_DAYS):
            reasons.append("birthday")
        if last_seen is None or int(last_seen) < now - INACTIVE_DAYS * DAY_S:
            reasons.append("inactive")
        out.append(
            Client(
                member_id=member_id,
                name=str(name),
                reasons=tuple(reasons),
                last_seen=None if last_seen is None else int(last_seen),
                task_due_at=open_tasks.get(member_id),
                coupon_expires_at=None if coupon is None else int(coupon),
                birthday=birthday[5:10] if birthday else None,
                tier=str(tier or ""),
                open_tasks=task_count.get(member_id, 0),
            )
        )

    def order(c: Client) -> tuple[int, int, str]:
        first = REASONS.index(c.reasons[0]) if c.reasons else len(REASONS)
        return (first, c.task_due_at or 0, c.name)

    out.sort(key=order)
    return out


def figures(
    cache: sqlite3.Connection, outbox: sqlite3.Connection, *, now: int, since: int
) -> list[AssociateFigures]:
    """Tasks done (since ``since``) and overdue, and clients, per associate of the store —
    every active associate, and a row for the store's unassigned tasks when there are any."""
    staff = {
        str(r[0]): str(r[1])
        for r in cache.execute("SELECT id, name FROM staff WHERE active = 1 ORDER BY id")
    }
    clients: dict[str | None, int] = {}
    for staff_id in assignments(cache, outbox).values():
        if staff_id is not None:
            clients[staff_id] = clients.get(staff_id, 0) + 1
    counts: dict[str | None, list[int]] = {s: [0, 0, 0, 0] for s in staff}
    for task in tasks.load(cache, outbox, now=now, state=None):
        who = task.done_by if task.state == "done" else task.assignee
        row = counts.setdefault(who, [0, 0, 0, 0])
        if task.state == "done":
            row[3] += int((task.done_at or 0) >= since)
        else:
            row[0] += 1
            row[1] += int(task.overdue)
            row[2] += int(task.escalated)
    out = [
        AssociateFigures(s, staff.get(s) if s else None, clients.get(s, 0), *c)
        for s, c in counts.items()
        if s is not None
    ]
    if None in counts and any(counts[None]):
        out.append(AssociateFigures(None, None, 0, *counts[None]))
    return out
