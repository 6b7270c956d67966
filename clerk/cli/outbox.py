"""``clerk outbox export FILE``: the records this terminal has not delivered, for IT.

A terminal that can no longer sync — revoked at the hub ("removed from the store"), or gone for
good — still holds its unsent records in outbox.db. The export writes them as JSON lines,
exactly as a push would send them: the interactions not yet settled (pending, or sent without
an answer), then the audit rows the hub has not acknowledged (kind ``audit``). IT imports the
file at the hub as the device that recorded them (``clerk hub device import FILE --device
ID``): same ids and sequence numbers, so a record the hub already has is answered as before
and nothing is doubled. The export only reads: the outbox stays as it is. The file holds
personal data and is written owner-only (0600).
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
from clerk.cli.common import EXIT_INPUT, EXIT_OK, fail

if TYPE_CHECKING:
    import sqlite3

    from clerk.cli.common import Subparsers


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "outbox",
        help="export the records not yet delivered to the hub (for IT)",
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
    p.set_defaults(func=cmd_outbox)


def cmd_outbox(args: argparse.Namespace) -> int:
    if getattr(args, "outbox_command", None) != "export":
        return fail("give an action: export FILE (see clerk outbox --help)", EXIT_INPUT)
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
