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
    add_staff_arguments,
    open_terminal,
    print_json,
    staff_session,
)
from clerk.errors import ClerkError, RecordError
from clerk.tasks import TaskError

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers
    from clerk.terminal import Terminal

OUTCOMES = ("called", "messaged", "came_in", "no_answer")
DUE_HOUR = 18  # a due date without a time: that day at 18:00, local time


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "task",
        help="follow-up tasks: list, add, done, snooze, reassign",
        description="Follow-up tasks of this store, as a signed-in staff member (--staff and "
        "their PIN: --pin-stdin, $CLERK_PIN or asked).",
    )
    tasks = p.add_subparsers(dest="task_command", metavar="SUBCOMMAND", required=True)
    ls = tasks.add_parser(
        "list",
        help="open tasks: yours and the store's (a manager: --all)",
        description="The open tasks assigned to you or to the store, by due time (--all: "
        "every open task of the store; --done: the done ones instead). Overdue and escalated "
        "(24 h overdue: the manager's) tasks are marked.",
    )
    ls.add_argument("--member", help="only this member's tasks")
    ls.add_argument("--all", action="store_true", help="every associate's tasks")
    ls.add_argument("--done", action="store_true", help="tasks done instead of open ones")
    add_staff_arguments(ls, who="staff id")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=cmd_list)

    add = tasks.add_parser(
        "add",
        help="a follow-up task for a member",
        description="Record a follow-up task for a member (e.g. 'call when size 38 arrives'), "
        "due at --due (YYYY-MM-DD: that day at 18:00, or YYYY-MM-DDTHH:MM, local time), for "
        "--assignee (a staff id; default: you; 'store': the whole store). An outreach task "
        "(the default) needs the member's marketing consent; --no-outreach for one that does "
        "not contact the customer.",
    )
    add.add_argument("--member", required=True, help="member id")
    add.add_argument("--title", required=True, help="what to do")
    add.add_argument("--due", required=True, help="YYYY-MM-DD or YYYY-MM-DDTHH:MM (local)")
    add.add_argument("--assignee", help="staff id, or 'store' (default: you)")
    add.add_argument(
        "--no-outreach",
        dest="outreach",
        action="store_false",
        help="the task does not contact the customer",
    )
    add_staff_arguments(add, who="staff id creating it")
    add.add_argument("--json", action="store_true", help="print the recorded interaction")
    add.set_defaults(func=cmd_add)

    done = tasks.add_parser(
        "done",
        help="mark a task done with its outcome",
        description="Record a task as done with its outcome (called, messaged, came_in, "
        "no_answer). Done at two terminals, the hub keeps the first outcome it received.",
    )
    done.add_argument("task", help="task id (from clerk task list)")
    done.add_argument("--outcome", required=True, choices=OUTCOMES, help="what came of it")
    done.add_argument("--text", help="a remark")
    add_staff_arguments(done, who="staff id who did it")
    done.add_argument("--json", action="store_true", help="print the recorded interaction")
    done.set_defaults(func=cmd_done)

    snooze = tasks.add_parser(
        "snooze",
        help="put a task off to a later date",
        description="Record that a task is put off to --until (YYYY-MM-DD: that day at 18:00, "
        "or YYYY-MM-DDTHH:MM, local time), with an outcome when there was one (e.g. "
        "no_answer); its escalation is cleared.",
    )
    snooze.add_argument("task", help="task id (from clerk task list)")
    snooze.add_argument("--until", required=True, help="YYYY-MM-DD or YYYY-MM-DDTHH:MM (local)")
    snooze.add_argument("--outcome", choices=OUTCOMES, help="what came of it so far")
    add_staff_arguments(snooze, who="staff id")
    snooze.add_argument("--json", action="store_true", help="print the recorded interaction")
    snooze.set_defaults(func=cmd_snooze)

    reassign = tasks.add_parser(
        "reassign",
        help="hand a task to an associate (managers) or to the store",
        description="Record that a task is now for --to STAFF (a staff id: managers only) or "
        "for the whole store (--to store: anyone), with an outcome when there was one.",
    )
    reassign.add_argument("task", help="task id (from clerk task list)")
    reassign.add_argument("--to", required=True, metavar="STAFF", help="staff id, or store")
    reassign.add_argument("--outcome", choices=OUTCOMES, help="what came of it so far")
    add_staff_arguments(reassign, who="staff id")
    reassign.add_argument("--json", action="store_true", help="print the recorded interaction")
    reassign.set_defaults(func=cmd_reassign)

    assign = tasks.add_parser(
        "assign",
        help="assign a member to an associate's client book (managers)",
        description="Record that a member is now in an associate's client book (--to ID), or "
        "in no one's (--to none): an `assign` interaction, a manager's, checked again at the "
        "hub; every terminal of the store receives it.",
    )
    assign.add_argument("--member", required=True, help="member id")
    assign.add_argument("--to", required=True, metavar="ID", help="staff id, or none")
    add_staff_arguments(assign, who="manager's staff id")
    assign.add_argument("--json", action="store_true", help="print the recorded interaction")
    assign.set_defaults(func=cmd_assign)


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

    terminal = open_terminal(online_fetch=False)
    try:
        with staff_session(terminal, args, "dashboard" if args.all else None) as session:
            found = tasks.load(
                terminal.cache,
                terminal.outbox,
                now=int(terminal.clock()),
                staff_id=None if args.all else session.staff_id,
                member_id=args.member,
                state="done" if args.done else "open",
            )
    finally:
        terminal.close()
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
    terminal = open_terminal(online_fetch=False)
    try:
        with staff_session(terminal, args) as session:
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
    finally:
        terminal.close()
    if args.json:
        print_json(rec.wire())
    else:
        print(f"saved task {rec.id} · pending sync")
    return EXIT_OK


def cmd_done(args: argparse.Namespace) -> int:
    from clerk import tasks

    terminal = open_terminal(online_fetch=False)
    try:
        with staff_session(terminal, args) as session:
            try:
                member_id, payload = tasks.change(
                    terminal.cache,
                    terminal.outbox,
                    args.task,
                    "done",
                    outcome=args.outcome,
                    text=args.text,
                )
                rec = terminal.record(
                    "task_update", member_id=member_id, staff_id=session.staff_id, payload=payload
                )
            except (tasks.TaskError, RecordError) as exc:
                return _refused(args, exc)
    finally:
        terminal.close()
    if args.json:
        print_json(rec.wire())
    else:
        print(f"task {args.task} done ({args.outcome}) · pending sync")
    return EXIT_OK


def _change(
    args: argparse.Namespace,
    action: str,
    *,
    due_at: int | None = None,
    assignee: str | None = None,
) -> int:
    """Record a change to a task as the signed-in staff member (``cmd_snooze``,
    ``cmd_reassign``); what the terminal refuses exits 2 with the reason."""
    from clerk import tasks
    from clerk.staff import allowed

    terminal = open_terminal(online_fetch=False)
    try:
        with staff_session(terminal, args) as session:
            try:
                member_id, payload = tasks.change(
                    terminal.cache,
                    terminal.outbox,
                    args.task,
                    action,
                    outcome=args.outcome,
                    due_at=due_at,
                    assignee=assignee,
                    by_manager=allowed(session, "dashboard"),
                )
                rec = terminal.record(
                    "task_update", member_id=member_id, staff_id=session.staff_id, payload=payload
                )
            except ClerkError as exc:
                return _refused(args, exc)
    finally:
        terminal.close()
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

    terminal = open_terminal(online_fetch=False)
    try:
        with staff_session(terminal, args) as session:
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
    finally:
        terminal.close()
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
