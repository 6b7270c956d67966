"""``clerk audit verify``: check the hash chain of the audit log (:func:`clerk.audit.verify`)
and, when the hub can be reached, compare it with the row the hub acknowledged
(:func:`clerk.audit.compare_with_hub`)."""

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
    "hub_missing": "a row the hub acknowledged is missing here",
    "hub_mismatch": "a row the hub acknowledged was changed here since",
    "acked_ahead": "rows are marked as delivered that the hub never acknowledged",
    "hub_flagged": "the hub flagged a gap or a rewrite in this terminal's audit chain",
}


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "audit",
        help="check the tamper-evident audit log",
        description="The terminal's append-only audit log (sign-ins, customers viewed, "
        "redemptions, exports, settings changes …), hash-chained in outbox.db.",
    )
    asub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = asub.add_parser(
        "verify",
        help="verify the hash chain (exit 0 if intact, 1 if broken)",
        description="Recompute every row's hash and check the chain, the sequence numbers and "
        "the stored head; then, when this terminal is enrolled and the hub answers, check "
        "that the last row the hub acknowledged is here unchanged and that the hub flagged "
        "nothing (a chain rewritten consistently passes the local check, not this one). "
        "Prints the first bad row when an edit, a deletion or a reorder is found and exits 1.",
    )
    v.add_argument("--json", action="store_true", help="print the result as JSON")
    v.add_argument(
        "--local", action="store_true", help="check the local chain only (do not ask the hub)"
    )
    v.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    """``clerk audit verify``: 0 when the chain is intact, 1 when broken or unreadable."""
    from clerk.outbox import open_outbox

    try:
        conn = open_outbox(paths.outbox_path())
    except ClerkError as exc:
        return fail(str(exc))
    hub: dict[str, int] | None = None
    hub_note: str | None = None
    try:
        result = audit.verify(conn)
        if result.ok and not args.local:
            head, hub_note = _hub_head()
            if head is not None:
                hub = {"seq": head.seq, "flags": head.flags}
                result = audit.compare_with_hub(conn, head)
    except sqlite3.DatabaseError as exc:
        return fail(f"audit log unreadable: {exc}")
    finally:
        conn.close()
    if args.json:
        doc: dict[str, object] = {
            "ok": result.ok,
            "first_bad_seq": result.first_bad_seq,
            "checked": result.checked,
            "reason": result.reason,
        }
        if hub is not None or hub_note is not None:
            doc["hub"] = hub
        print(json.dumps(doc))
    elif result.ok:
        line = f"audit log intact: {result.checked} rows checked"
        if hub is not None:
            line += f"; the hub acknowledged up to row {hub['seq']}, unchanged here"
        print(line)
        if hub_note:
            print(f"clerk: {hub_note}", file=sys.stderr)
    if not result.ok:
        why = BROKEN.get(result.reason or "", "broken")
        where = f" at seq {result.first_bad_seq}" if result.first_bad_seq is not None else ""
        counted = (
            f"{result.checked} rows intact locally"
            if (result.reason or "").startswith(("hub_", "acked_"))
            else f"{result.checked} rows verified before it"
        )
        print(f"clerk: audit log broken{where}: {why} ({counted})", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def _hub_head() -> tuple[audit.HubHead | None, str | None]:
    """The hub's acknowledged row for this terminal; (None, why) when it cannot be asked
    (not enrolled: (None, None))."""
    from clerk.errors import NotEnrolledError
    from sync.errors import SyncError
    from sync.local import engine_for

    try:
        engine = engine_for(paths.data_dir())
    except NotEnrolledError:
        return None, None
    except ClerkError as exc:
        return None, f"the hub's copy was not checked: {exc}"
    try:
        head = engine.client.audit_head()
    except SyncError as exc:
        return None, f"the hub was not reached, only the local chain was checked: {exc}"
    finally:
        engine.close()
    return audit.HubHead(head.seq, head.hash, head.flags), None
