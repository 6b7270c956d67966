"""Follow-up tasks on the terminal: the store's tasks as the hub last sent them (cache.db
``tasks``) with this terminal's own changes not yet reflected there laid over them (outbox.db:
``task`` and ``task_update`` records pending, sent, or acknowledged after the last pull), and
the checks a new task or change meets before it is recorded.

Task changes are interactions (the outbox's exactly-once promise); the hub applies them in its
order and sends the result back as the ``task`` feed entity (sync/hub/tasks.py): a task done at
two terminals keeps the first outcome the hub took, and the later terminal sees it after its
next sync. A task is *overdue* past its due time, and *escalated* — the manager's — once 24 h
overdue (the hub marks it; the terminal shows it so offline too).

    load(cache, outbox, now=…, staff_id=…)     the open tasks for an associate (theirs and the
                                               store's), or all of them (``staff_id`` None)
    new_task(cache, outbox, …)                 the Task payload after the terminal's checks
    change(cache, outbox, task_id, …)          (member id, TaskUpdate payload) for a change
    contacted(cache, outbox, member_id, …)     the Contacted payload (outreach made: only with
                                               marketing consent; closes the task it names)
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from clerk.errors import ClerkError, PermissionDeniedError
from clerk.model import TaskRow

if TYPE_CHECKING:
    from clerk.shared.interactions import Contacted, Task, TaskUpdate

ESCALATE_AFTER_S = 24 * 3600
_OVERLAID = ("pending", "sent", "attention")


class TaskError(ClerkError):
    """A task or change the terminal refuses; ``reason``: ``unknown_task``, ``unknown_member``,
    ``no_marketing_consent``, ``unknown_assignee``, ``task_closed``."""

    reason = "task"


_COLUMNS = (
    "id, member_id, title, reason, assignee, due_at, state, outcome, created_by, created_at, "
    "done_by, done_at, escalated_at, facts"
)


def _from_cache(r: sqlite3.Row | tuple[Any, ...]) -> TaskRow:
    try:
        facts = json.loads(r[13] or "{}")
    except ValueError:
        facts = {}
    return TaskRow(
        id=str(r[0]),
        member_id=str(r[1]),
        member_name=None,
        title=str(r[2]),
        reason=str(r[3]),
        assignee=r[4],
        due_at=int(r[5]),
        state=str(r[6]),
        outcome=r[7],
        created_by=r[8],
        created_at=int(r[9]),
        done_by=r[10],
        done_at=None if r[11] is None else int(r[11]),
        escalated=r[12] is not None,
        facts=facts if isinstance(facts, dict) else {},
    )


def all_tasks(cache: sqlite3.Connection, outbox: sqlite3.Connection) -> dict[str, TaskRow]:
    """Every task this terminal knows, by id: the cache's, with this terminal's changes the
    hub has not sent back yet laid over them (in the order they were recorded)."""
    found = {t.id: t for t in map(_from_cache, cache.execute(f"SELECT {_COLUMNS} FROM tasks"))}
    pulled = cache.execute("SELECT value FROM sync_state WHERE key = 'last_pull_at'").fetchone()
    last_pull = int(float(pulled[0])) if pulled and pulled[0] else 0
    marks = ", ".join("?" for _ in _OVERLAID)
    rows = outbox.execute(
        "SELECT id, kind, member_id, staff_id, created_at, payload FROM interactions "
        f"WHERE kind IN ('task', 'task_update', 'contacted') AND (state IN ({marks}) "
        "OR (state = 'acked' AND settled_at >= ?)) ORDER BY device_seq",
        (*_OVERLAID, last_pull),
    ).fetchall()
    for iid, kind, member_id, staff_id, created_at, text in rows:
        payload = json.loads(text)
        if kind == "task":
            if iid in found:
                continue
            found[iid] = TaskRow(
                id=iid,
                member_id=str(member_id),
                member_name=None,
                title=str(payload["title"]),
                reason="manual",
                assignee=payload.get("assignee"),
                due_at=int(payload["due_at"]),
                state="open",
                outcome=None,
                created_by=staff_id,
                created_at=int(created_at),
                pending=True,
            )
            continue
        if payload.get("task_id") is None:
            continue
        task = found.get(str(payload.get("task_id")))
        if task is None or task.state == "done":
            continue
        action = "contacted" if kind == "contacted" else payload.get("action")
        if action == "contacted":  # outreach made: its task is done, messaged
            task = replace(
                task, state="done", outcome="messaged", done_by=staff_id, done_at=int(created_at)
            )
        elif action == "done":
            task = replace(
                task,
                state="done",
                outcome=payload.get("outcome"),
                done_by=staff_id,
                done_at=int(created_at),
            )
        elif action == "snooze":
            task = replace(
                task,
                due_at=int(payload["due_at"]),
                escalated=False,
                outcome=payload.get("outcome") or task.outcome,
            )
        else:
            task = replace(task, assignee=payload.get("assignee"), escalated=False)
        found[task.id] = replace(task, pending=True)
    return found


def load(
    cache: sqlite3.Connection,
    outbox: sqlite3.Connection,
    *,
    now: int,
    staff_id: str | None = None,
    member_id: str | None = None,
    state: str | None = "open",
) -> list[TaskRow]:
    """Tasks in ``state`` (None: any), by due time: those of ``member_id`` when given; for
    ``staff_id``, the ones assigned to them or to the store (else every one)."""
    out: list[TaskRow] = []
    names: dict[str, str | None] = {}
    for task in all_tasks(cache, outbox).values():
        if state is not None and task.state != state:
            continue
        if member_id is not None and task.member_id != member_id:
            continue
        if staff_id is not None and task.assignee not in (None, staff_id):
            continue
        if task.member_id not in names:
            row = cache.execute("SELECT name FROM members WHERE id = ?", (task.member_id,))
            found = row.fetchone()
            names[task.member_id] = None if found is None else found[0]
        open_ = task.state == "open"
        out.append(
            replace(
                task,
                member_name=names[task.member_id],
                overdue=open_ and task.due_at <= now,
                escalated=open_ and (task.escalated or task.due_at + ESCALATE_AFTER_S <= now),
            )
        )
    out.sort(key=lambda t: (t.due_at, t.id))
    return out


def check_assignee(cache: sqlite3.Connection, assignee: str | None) -> None:
    if assignee is None:
        return
    row = cache.execute("SELECT active FROM staff WHERE id = ?", (assignee,)).fetchone()
    if row is None or not row[0]:
        raise TaskError(f"{assignee} is no active staff of this store", reason="unknown_assignee")


def new_task(
    cache: sqlite3.Connection,
    member_id: str,
    title: str,
    due_at: int,
    *,
    assignee: str | None = None,
    outreach: bool = True,
) -> Task:
    """The payload of a new task, once the terminal's checks pass (TaskError): the member is
    cached, an outreach task's member consented to marketing, the assignee is staff here."""
    from clerk.shared.interactions import Task

    row = cache.execute(
        "SELECT consent_marketing FROM members WHERE id = ?", (member_id,)
    ).fetchone()
    if row is None:
        raise TaskError(f"no member {member_id} on this terminal", reason="unknown_member")
    if outreach and not row[0]:
        raise TaskError(
            "the member has not consented to marketing: no outreach task",
            reason="no_marketing_consent",
        )
    check_assignee(cache, assignee)
    return Task.of(title, due_at, assignee, outreach)


def contacted(
    cache: sqlite3.Connection,
    outbox: sqlite3.Connection,
    member_id: str,
    *,
    task_id: str | None = None,
    template: str | None = None,
) -> Contacted:
    """The payload of "contacted" (outreach made), once the terminal's checks pass (TaskError):
    the member is cached and consented to marketing; the task named, an open one of theirs."""
    from clerk.shared.interactions import Contacted

    row = cache.execute(
        "SELECT consent_marketing FROM members WHERE id = ?", (member_id,)
    ).fetchone()
    if row is None:
        raise TaskError(f"no member {member_id} on this terminal", reason="unknown_member")
    if not row[0]:
        raise TaskError(
            "the member has not consented to marketing: no outreach",
            reason="no_marketing_consent",
        )
    if task_id is not None:
        task = all_tasks(cache, outbox).get(task_id)
        if task is None or task.member_id != member_id:
            raise TaskError(f"no task {task_id} of {member_id} here", reason="unknown_task")
        if task.state != "open":
            raise TaskError(f"task {task_id} is done already", reason="task_closed")
    return Contacted.of(task_id, template)


def change(
    cache: sqlite3.Connection,
    outbox: sqlite3.Connection,
    task_id: str,
    action: str,
    *,
    outcome: str | None = None,
    due_at: int | None = None,
    assignee: str | None = None,
    text: str | None = None,
    by_manager: bool = False,
) -> tuple[str, TaskUpdate]:
    """(member id, payload) of a change to an open task this terminal knows (TaskError). A
    task is reassigned to an associate by a manager (``by_manager``); anyone hands it to the
    store (``assignee`` None) — PermissionDeniedError otherwise, as the hub refuses it."""
    from clerk.shared.interactions import TaskUpdate

    task = all_tasks(cache, outbox).get(task_id)
    if task is None:
        raise TaskError(f"no task {task_id} on this terminal", reason="unknown_task")
    if task.state != "open":
        raise TaskError(f"task {task_id} is done already", reason="task_closed")
    if action == "reassign":
        if assignee is not None and not by_manager:
            raise PermissionDeniedError("only a manager reassigns a task to an associate")
        check_assignee(cache, assignee)
    payload = TaskUpdate.of(
        task_id, action, outcome=outcome, due_at=due_at, assignee=assignee, text=text
    )
    return task.member_id, payload
