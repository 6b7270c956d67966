"""Follow-up tasks and the client book at the hub (issue 17): what accepting a ``task``,
``task_update`` or ``assign`` record does, the chain's task rules, and escalation.

Records (from :mod:`sync.hub.ingest`, inside its write transaction; the hub's order decides
between two terminals' changes, and every change logs a change row for the store):

* ``task`` — a task row (id = the record's id, reason ``manual``) of the device's store.
  Refused: an outreach task for a member without marketing consent (``no_marketing_consent``),
  an assignee who is no active staff of the store (``unknown_assignee``).
* ``task_update`` — ``done`` (state, outcome, who, when), ``snooze`` (a new due time; the
  escalation cleared) or ``reassign`` (to an associate: a manager's, else ``staff_role``; to
  the store: anyone's). A task of another store or member is ``unknown_task``;
  a change to a task already done is accepted with no effect (``task_closed``): the first
  outcome stands, and every terminal receives it.
* ``assign`` — the member's associate (a manager's record; ``sync.hub.staff`` checks the role).
* ``contacted`` — outreach made: refused without marketing consent (``no_marketing_consent``);
  the task it names is done with the outcome ``messaged`` (already done: ``task_closed``).

Rules (:func:`run_rules`: ``clerk hub rules run`` and the hub process's schedule,
:class:`RulesSchedule`), each
enabled per chain in ``task_rules`` with its parameters (:data:`DEFAULT_RULES`), only for
members who consented to marketing, at most one open task per member and rule:

* ``inactive`` — not seen for ``days`` (30).
* ``cart_coupon`` — an open online-cart line and a live coupon expiring within ``days`` (3).
* ``birthday`` — a birthday within the next ``days`` (7).
* ``unserved_visit`` — a high-value member (``min_points``, 8,000: gold and up) visited a
  store in the last ``hours`` (24) and nothing else was recorded with them there since (no
  note, interest, sale or redemption): a task for that store.

A rule's task is for the member's assigned associate (else the store), due ``due_hours``
after it is made (24). :func:`escalate` marks open tasks overdue by :data:`ESCALATE_AFTER_S`
(24 h) as escalated — the manager's dashboard lists them.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from clerk.shared.interactions import Assign, Contacted, Task, TaskUpdate
from sync.hub.db import Conn
from sync.hub.store import HubStore, Tx
from sync.protocol import Interaction

log = logging.getLogger(__name__)

DAY_S = 86_400
ESCALATE_AFTER_S = 24 * 3600
RULES = ("inactive", "cart_coupon", "birthday", "unserved_visit")
DEFAULT_RULES: dict[str, dict[str, int]] = {
    "inactive": {"days": 30, "due_hours": 24},
    "cart_coupon": {"days": 3, "due_hours": 24},
    "birthday": {"days": 7, "due_hours": 24},
    "unserved_visit": {"hours": 24, "min_points": 8000, "due_hours": 24},
}
TITLES = {  # the task's title as the hub writes it (terminals show their own words by reason)
    "inactive": "Not seen for {days} days",
    "cart_coupon": "Cart with a coupon expiring",
    "birthday": "Birthday on {date}",
    "unserved_visit": "Came in and nobody served them",
}
COLUMNS = (
    "id",
    "store_id",
    "member_id",
    "title",
    "reason",
    "facts",
    "assignee",
    "due_at",
    "state",
    "outcome",
    "outreach",
    "created_by",
    "created_at",
    "done_by",
    "done_at",
    "escalated_at",
    "updated_at",
)
_INSERT = f"INSERT INTO tasks ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"


class Refused(Exception):
    """A record the hub rejects, with the reason (one of ``sync.protocol.ResultReason``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- records ---------------------------------------------------------------------------------

StaffRoles = Mapping[str, tuple[Any, ...]]  # staff id -> (name, role, active) of the store


def apply(
    tx: Tx,
    item: Interaction,
    member: tuple[Any, ...],
    *,
    store_id: str,
    staff: StaffRoles,
    now: int,
) -> str | None:
    """Apply an accepted follow-up record (``member``: its (id, home_store)); returns the
    reason of an accepted record with no effect, or None. Raises :class:`Refused`."""
    payload = item.payload
    if isinstance(payload, Task):
        _create(tx, item, payload, str(member[0]), store_id, staff, now)
        return None
    if isinstance(payload, TaskUpdate):
        return _update(tx, item, payload, str(member[0]), store_id, staff, now)
    if isinstance(payload, Assign):
        _assign(tx, item, payload, member, store_id, staff, now)
        return None
    if isinstance(payload, Contacted):
        return _contacted(tx, item, payload, str(member[0]), store_id, now)
    raise AssertionError(f"not a follow-up kind: {item.kind}")


def _check_staff(staff: StaffRoles, staff_id: str | None) -> None:
    if staff_id is not None:
        found = staff.get(staff_id)
        if found is None or not found[2]:
            raise Refused("unknown_assignee")


def _consents(conn: Conn, member_id: str) -> bool:
    row = conn.row("SELECT consent_marketing FROM members WHERE id = ?", (member_id,))
    return row is not None and bool(row[0])


def _create(
    tx: Tx,
    item: Interaction,
    task: Task,
    member_id: str,
    store_id: str,
    staff: StaffRoles,
    now: int,
) -> None:
    if task.outreach and not _consents(tx.conn, member_id):
        raise Refused("no_marketing_consent")
    _check_staff(staff, task.assignee)
    tx.conn.execute(
        _INSERT,
        (
            item.id,
            store_id,
            member_id,
            task.title,
            "manual",
            "{}",
            task.assignee,
            task.due_at,
            "open",
            None,
            int(task.outreach),
            item.staff_id,
            item.created_at,
            None,
            None,
            None,
            now,
        ),
    )
    tx.emit("task", item.id, "upsert", store_id)


def _update(
    tx: Tx,
    item: Interaction,
    change: TaskUpdate,
    member_id: str,
    store_id: str,
    staff: StaffRoles,
    now: int,
) -> str | None:
    tx.conn.lock(f"task:{change.task_id}")  # its state is read, then written
    row = tx.conn.row(
        "SELECT state FROM tasks WHERE id = ? AND store_id = ? AND member_id = ?",
        (change.task_id, store_id, member_id),
    )
    if row is None:
        raise Refused("unknown_task")
    if row[0] == "done":
        return "task_closed"
    if change.action == "done":
        tx.conn.execute(
            "UPDATE tasks SET state = 'done', outcome = ?, done_by = ?, done_at = ?, "
            "updated_at = ? WHERE id = ?",
            (change.outcome, item.staff_id, item.created_at, now, change.task_id),
        )
    elif change.action == "snooze":
        tx.conn.execute(
            "UPDATE tasks SET due_at = ?, outcome = coalesce(?, outcome), escalated_at = NULL, "
            "updated_at = ? WHERE id = ?",
            (change.due_at, change.outcome, now, change.task_id),
        )
    else:  # reassign: to an associate, a manager's change; to the store, anyone's
        by = staff.get(item.staff_id or "")
        if change.assignee is not None and (by is None or by[1] != "manager"):
            raise Refused("staff_role")
        _check_staff(staff, change.assignee)
        tx.conn.execute(
            "UPDATE tasks SET assignee = ?, outcome = coalesce(?, outcome), escalated_at = NULL,"
            " updated_at = ? WHERE id = ?",
            (change.assignee, change.outcome, now, change.task_id),
        )
    tx.emit("task", change.task_id, "upsert", store_id)
    return None


def _contacted(
    tx: Tx, item: Interaction, contacted: Contacted, member_id: str, store_id: str, now: int
) -> str | None:
    if not _consents(tx.conn, member_id):
        raise Refused("no_marketing_consent")
    if contacted.task_id is None:
        return None
    tx.conn.lock(f"task:{contacted.task_id}")
    row = tx.conn.row(
        "SELECT state FROM tasks WHERE id = ? AND store_id = ? AND member_id = ?",
        (contacted.task_id, store_id, member_id),
    )
    if row is None:
        raise Refused("unknown_task")
    if row[0] == "done":
        return "task_closed"
    tx.conn.execute(
        "UPDATE tasks SET state = 'done', outcome = 'messaged', done_by = ?, done_at = ?, "
        "updated_at = ? WHERE id = ?",
        (item.staff_id, item.created_at, now, contacted.task_id),
    )
    tx.emit("task", contacted.task_id, "upsert", store_id)
    return None


def _assign(
    tx: Tx,
    item: Interaction,
    assign: Assign,
    member: tuple[Any, ...],
    store_id: str,
    staff: StaffRoles,
    now: int,
) -> None:
    _check_staff(staff, assign.staff_id)
    member_id = str(member[0])
    tx.conn.execute("DELETE FROM assignments WHERE member_id = ?", (member_id,))
    tx.conn.execute(
        "INSERT INTO assignments (member_id, store_id, staff_id, assigned_by, assigned_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (member_id, store_id, assign.staff_id, item.staff_id, item.created_at),
    )
    tx.emit("assignment", member_id, "upsert", store_id)


# --- merges ----------------------------------------------------------------------------------


def merge_moves(tx: Tx, survivor: str, merged: str) -> int:
    """A OneID merge (:func:`sync.hub.segment.identity.merge`): the merged member's tasks
    become the survivor's (upserts to each task's store), and so does its client-book
    assignment when the survivor has none (the survivor's associate stays; the merged one's
    row goes, a delete). A rule keeps one open task per member (what :func:`run_rules` makes):
    of two open tasks of one rule the one due first stays (on a tie, the survivor's) and the
    other is deleted — the rule made it, no person, and makes it again if it still holds.
    Manual tasks all stay: each is a person's promise to the customer. Returns the rows moved."""
    conn = tx.conn
    moved = {
        str(r[0]): str(r[1])
        for r in conn.rows("SELECT id, store_id FROM tasks WHERE member_id = ?", (merged,))
    }
    conn.execute("UPDATE tasks SET member_id = ? WHERE member_id = ?", (survivor, merged))
    open_ = conn.rows(
        "SELECT id, store_id, reason, due_at FROM tasks WHERE member_id = ? AND state = 'open' "
        f"AND reason IN ({', '.join('?' for _ in RULES)})",
        (survivor, *RULES),
    )
    kept: set[str] = set()
    for task_id, store_id, reason, _due in sorted(
        open_, key=lambda r: (str(r[2]), int(r[3]), str(r[0]) in moved, str(r[0]))
    ):
        if reason in kept:
            conn.execute("DELETE FROM tasks WHERE id = ?", (task_id,))
            tx.emit("task", str(task_id), "delete", str(store_id))
            moved.pop(str(task_id), None)
        else:
            kept.add(str(reason))
    for task_id, store_id in moved.items():
        tx.emit("task", task_id, "upsert", store_id)
    theirs = conn.row(
        "SELECT store_id, staff_id, assigned_by, assigned_at FROM assignments WHERE member_id = ?",
        (merged,),
    )
    if theirs is None:
        return len(moved)
    conn.execute("DELETE FROM assignments WHERE member_id = ?", (merged,))
    tx.emit("assignment", merged, "delete", str(theirs[0]))
    if conn.row("SELECT 1 FROM assignments WHERE member_id = ?", (survivor,)) is None:
        conn.execute(
            "INSERT INTO assignments (member_id, store_id, staff_id, assigned_by, assigned_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (survivor, *theirs),
        )
        tx.emit("assignment", survivor, "upsert", str(theirs[0]))
    return len(moved) + 1


# --- rules -----------------------------------------------------------------------------------


def rules(conn: Conn) -> dict[str, tuple[bool, dict[str, int]]]:
    """Each rule: (enabled, parameters) — the chain's settings over :data:`DEFAULT_RULES`."""
    out = {name: (True, dict(params)) for name, params in DEFAULT_RULES.items()}
    for name, enabled, params in conn.rows("SELECT rule, enabled, params FROM task_rules"):
        if name in out:
            merged = {**out[name][1], **json.loads(params or "{}")}
            out[name] = (bool(enabled), merged)
    return out


def set_rule(
    store: HubStore,
    name: str,
    *,
    enabled: bool | None = None,
    params: Mapping[str, int] | None = None,
    now: int | None = None,
) -> None:
    """Change a rule's setting (ValueError for an unknown rule or parameter)."""
    if name not in DEFAULT_RULES:
        raise ValueError(f"unknown rule {name!r}: one of {', '.join(RULES)}")
    for key, value in (params or {}).items():
        if key not in DEFAULT_RULES[name] or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name}: {key} must be one of {sorted(DEFAULT_RULES[name])}, >= 0")
    t = int(time.time()) if now is None else now
    with store.write() as tx:
        tx.conn.lock("task_rules")
        current = rules(tx.conn)[name]
        on = current[0] if enabled is None else enabled
        merged = {**current[1], **(params or {})}
        tx.conn.execute("DELETE FROM task_rules WHERE rule = ?", (name,))
        tx.conn.execute(
            "INSERT INTO task_rules (rule, enabled, params, updated_at) VALUES (?, ?, ?, ?)",
            (name, int(on), json.dumps(merged, sort_keys=True), t),
        )


Candidate = tuple[str, str, dict[str, Any]]  # member id, home store, facts


def _inactive(conn: Conn, now: int, params: Mapping[str, int]) -> list[Candidate]:
    rows = conn.rows(
        "SELECT id, home_store, last_seen FROM members WHERE consent_marketing = 1 "
        "AND home_store IS NOT NULL AND last_seen IS NOT NULL AND last_seen < ? ORDER BY id",
        (now - params["days"] * DAY_S,),
    )
    return [(str(r[0]), str(r[1]), {"last_seen": int(r[2])}) for r in rows]


def _cart_coupon(conn: Conn, now: int, params: Mapping[str, int]) -> list[Candidate]:
    rows = conn.rows(
        "SELECT m.id, m.home_store, min(c.expires_at), min(c.id) FROM members m "
        "JOIN coupons c ON c.member_id = m.id AND c.state = 'live' AND c.expires_at > ? "
        "AND c.expires_at <= ? "
        "WHERE m.consent_marketing = 1 AND m.home_store IS NOT NULL AND EXISTS "
        "(SELECT 1 FROM cart_items i WHERE i.member_id = m.id AND i.state = 'open') "
        "GROUP BY m.id, m.home_store ORDER BY m.id",
        (now, now + params["days"] * DAY_S),
    )
    return [(str(r[0]), str(r[1]), {"expires_at": int(r[2]), "coupon_id": r[3]}) for r in rows]


def _birthday(conn: Conn, now: int, params: Mapping[str, int]) -> list[Candidate]:
    today = datetime.fromtimestamp(now, UTC).date()
    days = [today + timedelta(days=n) for n in range(params["days"] + 1)]
    wanted = {d.strftime("%m-%d"): d for d in days}
    out: list[Candidate] = []
    for mid, home, birthday in conn.rows(
        "SELECT id, home_store, birthday FROM members WHERE consent_marketing = 1 "
        "AND home_store IS NOT NULL AND birthday IS NOT NULL ORDER BY id"
    ):
        day = wanted.get(str(birthday)[5:10])
        if day is not None:
            out.append((str(mid), str(home), {"date": day.isoformat()}))
    return out


def _unserved_visit(conn: Conn, now: int, params: Mapping[str, int]) -> list[Candidate]:
    rows = conn.rows(
        "SELECT v.member_id, v.store_id, max(v.at) FROM visits v "
        "JOIN members m ON m.id = v.member_id AND m.consent_marketing = 1 AND m.points >= ? "
        "WHERE v.kind = 'visit' AND v.at >= ? AND v.store_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM visits s WHERE s.member_id = v.member_id AND s.store_id = v.store_id "
        "AND s.kind IN ('note', 'interest', 'sale', 'redeem') AND s.at >= v.at) "
        "GROUP BY v.member_id, v.store_id ORDER BY v.member_id, v.store_id",
        (params["min_points"], now - params["hours"] * 3600),
    )
    return [(str(r[0]), str(r[1]), {"visit_at": int(r[2])}) for r in rows]


_FINDERS: dict[str, Callable[[Conn, int, Mapping[str, int]], list[Candidate]]] = {
    "inactive": _inactive,
    "cart_coupon": _cart_coupon,
    "birthday": _birthday,
    "unserved_visit": _unserved_visit,
}


def run_rules(store: HubStore, *, now: int | None = None) -> dict[str, int]:
    """Make the enabled rules' tasks, then escalate; returns the tasks made per rule and
    ``escalated``. Idempotent: a member with an open task of a rule gets no second one."""
    t = int(time.time()) if now is None else now
    made: dict[str, int] = {}
    with store.write() as tx:
        tx.conn.lock("task_rules")  # two processes' schedules: one makes the day's tasks
        settings = rules(tx.conn)
        for name in RULES:
            enabled, params = settings[name]
            if not enabled:
                continue
            made[name] = _make(tx, name, _FINDERS[name](tx.conn, t, params), params, t)
        made["escalated"] = _escalate(tx, t)
    return made


def _make(
    tx: Tx, rule: str, candidates: list[Candidate], params: Mapping[str, int], now: int
) -> int:
    open_ = {
        str(r[0])
        for r in tx.conn.rows(
            "SELECT member_id FROM tasks WHERE reason = ? AND state = 'open'", (rule,)
        )
    }
    assigned = {
        str(r[0]): r[1] for r in tx.conn.rows("SELECT member_id, staff_id FROM assignments")
    }
    n = 0
    day = now // DAY_S
    for member_id, home, facts in candidates:
        if member_id in open_:
            continue
        task_id = f"{rule}-{member_id}-{day}"
        if tx.conn.row("SELECT 1 FROM tasks WHERE id = ?", (task_id,)) is not None:
            continue  # made today and done already
        title = TITLES[rule].format(days=params.get("days"), date=facts.get("date", ""))
        tx.conn.execute(
            _INSERT,
            (
                task_id,
                home,
                member_id,
                title,
                rule,
                json.dumps(facts, sort_keys=True),
                assigned.get(member_id),
                now + params["due_hours"] * 3600,
                "open",
                None,
                1,
                None,
                now,
                None,
                None,
                None,
                now,
            ),
        )
        tx.emit("task", task_id, "upsert", home)
        n += 1
    return n


def escalate(store: HubStore, *, now: int | None = None) -> int:
    """Mark open tasks overdue by 24 h as escalated (the manager's); returns how many."""
    t = int(time.time()) if now is None else now
    with store.write() as tx:
        return _escalate(tx, t)


def _escalate(tx: Tx, now: int) -> int:
    rows = tx.conn.rows(
        "SELECT id, store_id FROM tasks WHERE state = 'open' AND escalated_at IS NULL "
        "AND due_at <= ?",
        (now - ESCALATE_AFTER_S,),
    )
    for task_id, store_id in rows:
        tx.conn.execute(
            "UPDATE tasks SET escalated_at = ?, updated_at = ? WHERE id = ?",
            (now, now, task_id),
        )
        tx.emit("task", str(task_id), "upsert", str(store_id))
    return len(rows)


class RulesSchedule:
    """Runs :func:`run_rules` every ``every_s`` seconds on a daemon thread while the hub
    serves (``clerk hub serve --rules-every``; 0: never). A failed run is logged and tried
    again at the next tick."""

    def __init__(self, store: HubStore, every_s: int) -> None:
        self.store = store
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> RulesSchedule:
        if self.every_s > 0:
            self._thread = threading.Thread(target=self._loop, name="task-rules", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                made = run_rules(self.store)
            except Exception:  # logged; the next tick tries again
                log.exception("task rules failed")
            else:
                log.info("task rules: %s", made)
