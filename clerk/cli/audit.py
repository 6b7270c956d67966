"""``clerk audit verify``: check the hash chain of the audit log (:func:`clerk.audit.verify`)."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from typing import TYPE_CHECKING

from clerk import audit, paths
from clerk.cli.common import EXIT_ERROR, EXIT_OK, fail
from clerk.errors import ClerkError

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers

# VerifyResult.reason → what a person reads
BROKEN = {
    "gap": "a row is missing (deleted)",
    "chain": "rows were moved or replaced",
    "edited": "a row was edited",
    "head": "rows were cut off the end",
    "malformed": "a row is malformed",
}


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "audit",
        help="check the tamper-evident audit log",
        description="The terminal's append-only audit log (sign-ins, exports, settings changes, "
        "unmasked phone numbers …), hash-chained in outbox.db.",
    )
    asub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = asub.add_parser(
        "verify",
        help="verify the hash chain (exit 0 if intact, 1 if broken)",
        description="Recompute every row's hash and check the chain, the sequence numbers and "
        "the stored head. Prints the first bad row when an edit, a deletion or a reorder is "
        "found and exits 1.",
    )
    v.add_argument("--json", action="store_true", help="print the result as JSON")
    v.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    """``clerk audit verify``: 0 when the chain is intact, 1 when broken or unreadable."""
    from clerk.outbox import open_outbox

    try:
        conn = open_outbox(paths.outbox_path())
    except ClerkError as exc:
        return fail(str(exc))
    try:
        result = audit.verify(conn)
    except sqlite3.DatabaseError as exc:
        return fail(f"audit log unreadable: {exc}")
    finally:
        conn.close()
    if args.json:
        print(
            json.dumps(
                {
                    "ok": result.ok,
                    "first_bad_seq": result.first_bad_seq,
                    "checked": result.checked,
                    "reason": result.reason,
                }
            )
        )
    elif result.ok:
        print(f"audit log intact: {result.checked} rows checked")
    if not result.ok:
        why = BROKEN.get(result.reason or "", "broken")
        print(
            f"clerk: audit log broken at seq {result.first_bad_seq}: {why} "
            f"({result.checked} rows verified before it)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return EXIT_OK
