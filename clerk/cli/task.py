"""``clerk task list|add|done|snooze|reassign|assign``: follow-up tasks from scripts, as a
signed-in staff member (``--staff`` and a PIN, as the app asks). ``add``, ``done``, ``snooze``
and ``reassign`` record a ``task`` / ``task_update`` interaction in the outbox (it syncs later,
exactly once); the hub applies them in its order (clerk/tasks.py, sync/hub/tasks.py). What
the terminal or the hub would refuse — an unknown task or member, an outreach task for a
member without marketing consent, an assignee who is not staff here, a task done already, a
task reassigned to an associate by anyone but a manager — exits 2 with the reason."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from typing import TYPE_CHECKING

from clerk.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    add_command,
    add_group,
    arg,
    print_json,
    signed_in,
)
from clerk.errors import ClerkError, RecordError
from clerk.tasks import TaskError

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers
    from clerk.terminal import Terminal

OUTCOMES = ("called", "messaged", "came_in", "no_answer")
DUE_HOUR = 18  # a due date without a time: that day at 18:00, local time


TASK = arg("task", help="task id (from clerk task list)")
SO_FAR = arg("--outcome", choices=OUTCOMES, help="what came of it so far")
RECORDED = "print the recorded interaction"


def add_parser(sub: Subparsers) -> None:
    tasks = add_group(
        sub,
        "task",
        summary="follow-up tasks: list, add, done, snooze, reassign",
        description="Follow-up tasks of this store, as a signed-in staff member (--staff and "
        "their PIN: --pin-stdin, $CLERK_PIN or asked).",
    )
    add_command(
        tasks,
        "list",
        cmd_list,
        summary="open tasks: yours and the store's (a manager: --all)",
        description="The open tasks assigned to you or to the store, by due time (--all: "
        "every open task of the store; --done: the done ones instead). Overdue and escalated "
        "(24 h overdue: the manager's) tasks are marked.",
        args=(
            arg("--member", help="only this member's tasks"),
            arg("--all", action="store_true", help="every associate's tasks"),
            arg("--done", action="store_true", help="tasks done instead of open ones"),
        ),
        staff="staff id",
        json_help="print JSON",
    )
    add_command(
        tasks,
        "add",
        cmd_add,
        summary="a follow-up task for a member",
        description="Record a follow-up task for a member (e.g. 'call when size 38 arrives'), "
        "due at --due (YYYY-MM-DD: that day at 18:00, or YYYY-MM-DDTHH:MM, local time), for "
        "--assignee (a staff id; default: you; 'store': the whole store). An outreach task "
        "(the default) needs the member's marketing consent; --no-outreach for one that does "
        "not contact the customer.",
        args=(
            arg("--member", required=True, help="member id"),
            arg("--title", required=True, help="what to do"),
            arg("--due", required=True, help="YYYY-MM-DD or YYYY-MM-DDTHH:MM (local)"),
            arg("--assignee", help="staff id, or 'store' (default: you)"),
            arg(
                "--no-outreach",
                dest="outreach",
                action="store_false",
                help="the task does not contact the customer",
            ),
        ),
        staff="staff id creating it",
        json_help=RECORDED,
    )
    add_command(
        tasks,
        "done",
        cmd_done,
        summary="mark a task done with its outcome",
        description="Record a task as done with its outcome (called, messaged, came_in, "
        "no_answer). Done at two terminals, the hub keeps the first outcome it received.",
        args=(
            TASK,
            arg("--outcome", required=True, choices=OUTCOMES, help="what came of it"),
            arg("--text", help="a remark"),
        ),
        staff="staff id who did it",
        json_help=RECORDED,
    )
    add_command(
        tasks,
        "snooze",
        cmd_snooze,
        summary="put a task off to a later date",
        description="Record that a task is put off to --until (YYYY-MM-DD: that day at 18:00, "
        "or YYYY-MM-DDTHH:MM, local time), with an outcome when there was one (e.g. "
        "no_answer); its escalation is cleared.",
        args=(
            TASK,
            arg("--until", required=True, help="YYYY-MM-DD or YYYY-MM-DDTHH:MM (local)"),
            SO_FAR,
        ),
        staff="staff id",
        json_help=RECORDED,
    )
    add_command(
        tasks,
        "reassign",
        cmd_reassign,
        summary="hand a task to an associate (managers) or to the store",
        description="Record that a task is now for --to STAFF (a staff id: managers only) or "
        "for the whole store (--to store: anyone), with an outcome when there was one.",
        args=(TASK, arg("--to", required=True, metavar="STAFF", help="staff id, or store"), SO_FAR),
        staff="staff id",
        json_help=RECORDED,
    )
    add_command(
        tasks,
        "assign",
        cmd_assign,
        summary="assign a member to an associate's client book (managers)",
        description="Record that a member is now in an associate's client book (--to ID), or "
        "in no one's (--to none): an `assign` interaction, a manager's, checked again at the "
        "hub; every terminal of the store receives it.",
        args=(
            arg("--member", required=True, help="member id"),
            arg("--to", required=True, metavar="ID", help="staff id, or none"),
        ),
        staff="manager's staff id",
        json_help=RECORDED,
    )


def parse_due(text: str) -> int:
    """A due time (unix s) from YYYY-MM-DD (that day at 18:00) or YYYY-MM-DDTHH:MM, local."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ClerkError(f"--due: not a date: {text!r}", reason="usage") from None
    if len(text) <= 10:
        when = when.replace(hour=DUE_HOUR)
    return int(when.timestamp())


def _refused(args: argparse.Namespace, exc: ClerkError) -> int:
    if getattr(args, "json", False):
        print_json({"error": str(exc), "reason": exc.reason})
    else:
        print(f"clerk: {exc}", file=sys.stderr)
    return EXIT_INPUT


def cmd_list(args: argparse.Namespace) -> int:
    from clerk import tasks

    with signed_in(args, "dashboard" if args.all else None) as (terminal, session):
        found = tasks.load(
            terminal.cache,
            terminal.outbox,
            now=int(terminal.clock()),
            staff_id=None if args.all else session.staff_id,
            member_id=args.member,
            state="done" if args.done else "open",
        )
    if args.json:
        print_json({"tasks": [t.wire() for t in found]})
        return EXIT_OK
    for t in found:
        due = time.strftime("%Y-%m-%d %H:%M", time.localtime(t.due_at))
        flags = " ".join(
            f
            for f, on in (
                ("ESCALATED", t.escalated),
                ("overdue", t.overdue and not t.escalated),
                ("pending-sync", t.pending),
            )
            if on
        )
        who = t.assignee or "store"
        print(f"{t.id}  {due}  {who:8}  {t.member_name or t.member_id}  {t.title}  {flags}")
    return EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    from clerk import tasks

    due_at = parse_due(args.due)
    with signed_in(args) as (terminal, session):
        assignee = args.assignee or session.staff_id
        try:
            payload = tasks.new_task(
                terminal.cache,
                args.member,
                args.title,
                due_at,
                assignee=None if assignee == "store" else assignee,
                outreach=args.outreach,
            )
            rec = terminal.record(
                "task", member_id=args.member, staff_id=session.staff_id, payload=payload
            )
        except (tasks.TaskError, RecordError) as exc:
            return _refused(args, exc)
    if args.json:
        print_json(rec.wire())
    else:
        print(f"saved task {rec.id} · pending sync")
    return EXIT_OK


def cmd_done(args: argparse.Namespace) -> int:
    from clerk import tasks

    code = _change(args, "done", text=args.text, refused=(tasks.TaskError, RecordError))
    if code == EXIT_OK and not args.json:
        print(f"task {args.task} done ({args.outcome}) · pending sync")
    return code


def _change(
    args: argparse.Namespace,
    action: str,
    *,
    due_at: int | None = None,
    assignee: str | None = None,
    text: str | None = None,
    refused: tuple[type[ClerkError], ...] = (ClerkError,),
) -> int:
    """Record a change to a task as the signed-in staff member (``cmd_done``, ``cmd_snooze``,
    ``cmd_reassign``); what the terminal refuses (``refused``) exits 2 with the reason."""
    from clerk import tasks
    from clerk.staff import allowed

    with signed_in(args) as (terminal, session):
        try:
            member_id, payload = tasks.change(
                terminal.cache,
                terminal.outbox,
                args.task,
                action,
                outcome=args.outcome,
                due_at=due_at,
                assignee=assignee,
                text=text,
                by_manager=allowed(session, "dashboard"),
            )
            rec = terminal.record(
                "task_update", member_id=member_id, staff_id=session.staff_id, payload=payload
            )
        except refused as exc:
            return _refused(args, exc)
    if args.json:
        print_json(rec.wire())
    return EXIT_OK


def cmd_snooze(args: argparse.Namespace) -> int:
    due_at = parse_due(args.until)
    code = _change(args, "snooze", due_at=due_at)
    if code == EXIT_OK and not args.json:
        until = time.strftime("%Y-%m-%d %H:%M", time.localtime(due_at))
        print(f"task {args.task} snoozed to {until} · pending sync")
    return code


def cmd_reassign(args: argparse.Namespace) -> int:
    to = None if args.to == "store" else args.to
    code = _change(args, "reassign", assignee=to)
    if code == EXIT_OK and not args.json:
        print(f"task {args.task} reassigned to {to or 'the store'} · pending sync")
    return code


def cmd_assign(args: argparse.Namespace) -> int:
    from clerk.shared.interactions import Assign
    from clerk.staff import require

    with signed_in(args) as (terminal, session):
        require(session, "dashboard")  # a manager's: the hub refuses anyone else's
        to = None if args.to == "none" else args.to
        try:
            _check_assign(terminal, args.member, to)
            rec = terminal.record(
                "assign",
                member_id=args.member,
                staff_id=session.staff_id,
                payload=Assign.of(to),
            )
        except (TaskError, RecordError) as exc:
            return _refused(args, exc)
    if args.json:
        print_json(rec.wire())
    else:
        print(f"{args.member} assigned to {to or 'no one'} · pending sync")
    return EXIT_OK


def _check_assign(terminal: Terminal, member_id: str, staff_id: str | None) -> None:
    """The member is cached and the associate is active staff here (TaskError)."""
    from clerk import tasks

    found = terminal.cache.execute("SELECT 1 FROM members WHERE id = ?", (member_id,))
    if found.fetchone() is None:
        raise TaskError(f"no member {member_id} on this terminal", reason="unknown_member")
    tasks.check_assignee(terminal.cache, staff_id)
