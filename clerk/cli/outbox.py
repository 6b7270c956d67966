"""``clerk outbox``: the records this terminal has not delivered (``export FILE``, for IT), and
those the hub did not take (``rejected``, ``fix``, ``withdraw``, ``dismiss``).

A terminal that can no longer sync — revoked at the hub ("removed from the store"), or gone for
good — still holds its unsent records in outbox.db. The export writes them as JSON lines,
exactly as a push would send them: the interactions not yet settled (pending, or sent without
an answer), then the audit rows the hub has not acknowledged (kind ``audit``). IT imports the
file at the hub as the device that recorded them (``clerk hub device import FILE --device
ID``): same ids and sequence numbers, so a record the hub already has is answered as before
and nothing is doubled. The export only reads: the outbox stays as it is. The file holds
personal data and is written owner-only (0600).

The records the hub did not take — rejected, or parked after it failed on them by themselves —
are listed by ``clerk outbox rejected`` (``--archived``: those corrected, withdrawn or
dismissed) and are never stuck (clerk/rejected.py, the same rules as the app; ``--staff`` and
a PIN as every command that acts for a person, like ``clerk sync --retry-parked``):
``fix ID --set field=value …`` records the corrected copy (a new record superseding it),
``withdraw ID`` takes it back (the associate's own, or a manager), ``dismiss ID --reason TEXT``
closes it (a manager). Each is audited.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from clerk import paths
from clerk.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    add_staff_arguments,
    fail,
    fail_with,
    open_terminal,
    print_json,
    staff_session,
)
from clerk.errors import ClerkError

if TYPE_CHECKING:
    import sqlite3

    from clerk.cli.common import Subparsers
    from clerk.outbox import Settled


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "outbox",
        help="the records not yet delivered (export, for IT) and those the hub did not take "
        "(rejected, fix, withdraw, dismiss)",
        description="The terminal's outbox: records waiting for the hub.",
    )
    actions = p.add_subparsers(dest="outbox_command", metavar="ACTION")
    e = actions.add_parser(
        "export",
        help="write the undelivered records as JSON lines",
        description="Write every record not yet delivered (interactions, then audit rows) as "
        "JSON lines, exactly as a push would send them, for IT to import at the hub with "
        "'clerk hub device import FILE --device ID'. The outbox is left as it is.",
    )
    e.add_argument("file", help="where to write them ('-' for stdout); owner-only (0600)")
    r = actions.add_parser(
        "rejected",
        help="list the records the hub rejected or that are parked, for a person to fix",
        description="The records the hub did not take — rejected, or parked after it failed on "
        "them by themselves — newest first, with the hub's answer. Each waits for 'fix', "
        "'withdraw' or 'dismiss'.",
    )
    r.add_argument(
        "--archived", action="store_true", help="list those corrected, withdrawn or dismissed"
    )
    r.add_argument("--json", action="store_true", help="one JSON object per record")
    f = actions.add_parser(
        "fix",
        help="correct a rejected or parked record: a new record superseding it is sent",
        description="Record the corrected copy of a rejected or parked record: its payload "
        "with the fields given changed, checked like any record; a new record (new id) "
        "superseding the old one, which becomes 'corrected'. The associate who recorded it, "
        "or a manager (--staff and a PIN). Audited.",
    )
    f.add_argument("id", help="the record's id (clerk outbox rejected)")
    f.add_argument(
        "--set",
        dest="changes",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="a payload field to change (VALUE read as JSON when it is JSON — 12, true, "
        "[…] — else as text; 'FIELD=' takes the field out); repeatable",
    )
    f.add_argument("--json", action="store_true", help="print the new record as JSON")
    add_staff_arguments(f, who="the associate who recorded it, or a manager")
    w = actions.add_parser(
        "withdraw",
        help="take back a rejected or parked record (kept, never sent, never counted)",
        description="Withdraw a rejected or parked record: kept in the outbox (archived), "
        "never sent, never counted. The associate who recorded it, or a manager (--staff and "
        "a PIN). Audited.",
    )
    w.add_argument("id", help="the record's id (clerk outbox rejected)")
    w.add_argument("--reason", help="why (optional)")
    add_staff_arguments(w, who="the associate who recorded it, or a manager")
    d = actions.add_parser(
        "dismiss",
        help="close a rejected or parked record with a reason (managers only)",
        description="Dismiss a rejected or parked record with a reason: kept in the outbox "
        "(archived), never sent, never counted. Managers only (--staff and a PIN). Audited.",
    )
    d.add_argument("id", help="the record's id (clerk outbox rejected)")
    d.add_argument("--reason", required=True, help="why it is dismissed")
    add_staff_arguments(d, who="a manager")
    p.set_defaults(func=cmd_outbox)


def cmd_outbox(args: argparse.Namespace) -> int:
    action = getattr(args, "outbox_command", None)
    if action in ("rejected", "fix", "withdraw", "dismiss"):
        from clerk.outbox import NotOpenError

        try:
            return _FOR_A_PERSON[action](args)
        except NotOpenError as exc:  # unknown, or no longer rejected or parked: bad input
            return fail(str(exc), EXIT_INPUT)
        except ClerkError as exc:
            return fail_with(exc)
    if action != "export":
        return fail(
            "give an action: export FILE, rejected, fix ID, withdraw ID or dismiss ID "
            "(see clerk outbox --help)",
            EXIT_INPUT,
        )
    from clerk import outbox as outbox_mod

    path = paths.data_dir() / "outbox.db"
    if not path.exists():
        return fail(f"no outbox here ({path}): nothing was ever recorded on this terminal")
    conn = outbox_mod.open_outbox(path)
    try:
        device = outbox_mod.get_meta(conn, outbox_mod.META_DEVICE_ID) or "?"
        store = outbox_mod.get_meta(conn, outbox_mod.META_STORE_ID) or "?"
        if args.file == "-":
            counts = _write(sys.stdout, conn)
        else:
            counts = _write_private(Path(args.file), conn)
    except OSError as exc:
        return fail(f"cannot write {args.file}: {exc}")
    finally:
        conn.close()
    print(
        f"outbox export: {counts[0]} records and {counts[1]} audit rows of device {device} "
        f"(store {store}) → {args.file}\n"
        f"at the hub: clerk hub device import {args.file} --device {device}",
        file=sys.stderr,
    )
    return EXIT_OK


def records(conn: sqlite3.Connection) -> Iterator[tuple[bool, dict[str, Any]]]:
    """(is an audit row, the record as pushed) for everything not delivered yet."""
    from clerk import audit
    from clerk import outbox as outbox_mod

    for rec in outbox_mod.unsettled(conn):
        yield False, rec.wire()
    since, _ = audit.acked(conn)  # delivery is by sequence: every row after the hub's mark
    while True:
        page = audit.rows(conn, since_seq=since, limit=1000)
        if not page:
            return
        for row in page:
            yield True, audit.to_interaction(row)
        since = page[-1].seq


def _write(out: TextIO, conn: sqlite3.Connection) -> tuple[int, int]:
    counts = [0, 0]
    for is_audit, record in records(conn):
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        counts[is_audit] += 1
    return counts[0], counts[1]


def _write_private(target: Path, conn: sqlite3.Connection) -> tuple[int, int]:
    """Write to a new owner-only file beside ``target``, then put it in place."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            counts = _write(out, conn)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return counts


# -- the records left for a person (clerk/rejected.py) -----------------------------------------


def _listed(row: Settled) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "state": row.state,
        "member_id": row.member_id,
        "member_ref": row.member_ref,
        "staff_id": row.staff_id,
        "created_at": row.created_at,
        "hub_answer": row.reason,
        "payload": row.payload,
        "closed_by": row.closed_by,
        "closed_at": row.closed_at,
        "closed_reason": row.closed_reason,
        "superseded_by": row.superseded_by,
    }


def _rejected(args: argparse.Namespace) -> int:
    from clerk import outbox as outbox_mod

    terminal = open_terminal(online_fetch=False)
    try:
        rows = terminal.write(
            lambda conn: (outbox_mod.archived if args.archived else outbox_mod.for_a_person)(
                conn, 1_000
            )
        )
    finally:
        terminal.close()
    for row in rows:
        if args.json:
            print_json(_listed(row))
            continue
        who = row.member_id or row.member_ref or "walk-in"
        line = f"{row.id}  {row.state:<9} {row.kind:<8} {who}  by {row.staff_id or '—'}"
        if row.reason:
            line += f"  hub: {row.reason}"
        if row.closed_by:
            line += f"  closed by {row.closed_by}"
            line += f": {row.closed_reason}" if row.closed_reason else ""
        print(line)
    if not rows and not args.json:
        print("none" if args.archived else "none: nothing waits for a person")
    return EXIT_OK


def _changes(given: list[str]) -> dict[str, Any]:
    """``FIELD=VALUE`` pairs: VALUE as JSON when it is JSON, else as text; None for ``FIELD=``."""
    out: dict[str, Any] = {}
    for pair in given:
        field, sep, value = pair.partition("=")
        if not sep or not field.strip():
            raise ClerkError(f"--set takes FIELD=VALUE, not {pair!r}", reason="usage")
        if value == "":
            out[field.strip()] = None
            continue
        try:
            out[field.strip()] = json.loads(value)
        except ValueError:
            out[field.strip()] = value
    return out


def _fix(args: argparse.Namespace) -> int:
    from clerk import outbox as outbox_mod
    from clerk.errors import RecordError

    changes = _changes(args.changes)
    if not changes:
        raise ClerkError("fix needs at least one --set FIELD=VALUE", reason="usage")
    terminal = open_terminal(online_fetch=False)
    try:
        row = terminal.left_for_a_person(args.id)
        if row is None:
            raise outbox_mod.NotOpenError(f"no record {args.id} in the outbox", reason="usage")
        payload = {k: v for k, v in {**row.payload, **changes}.items() if v is not None}
        with staff_session(terminal, args) as session:
            try:
                rec = terminal.fix_record(args.id, payload, staff_id=None, session=session)
            except RecordError as exc:
                raise ClerkError(str(exc), reason="usage") from exc
    finally:
        terminal.close()
    if args.json:
        print_json({**rec.wire(), "supersedes": rec.supersedes})
    else:
        print(f"fixed {args.id}: saved {rec.kind} {rec.id} · pending sync")
    return EXIT_OK


def _withdraw(args: argparse.Namespace) -> int:
    terminal = open_terminal(online_fetch=False)
    try:
        with staff_session(terminal, args) as session:
            terminal.withdraw_record(args.id, staff_id=None, session=session, reason=args.reason)
    finally:
        terminal.close()
    print(f"withdrew {args.id}: kept, never sent, never counted")
    return EXIT_OK


def _dismiss(args: argparse.Namespace) -> int:
    terminal = open_terminal(online_fetch=False)
    try:
        with staff_session(terminal, args, "conflicts") as session:
            terminal.dismiss_record(args.id, session=session, reason=args.reason)
    finally:
        terminal.close()
    print(f"dismissed {args.id}: kept, never sent, never counted")
    return EXIT_OK


_FOR_A_PERSON = {"rejected": _rejected, "fix": _fix, "withdraw": _withdraw, "dismiss": _dismiss}
