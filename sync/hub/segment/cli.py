"""``clerk hub source …`` (the sources that send behaviour events, their write keys and what
they sent) and ``clerk hub identity …`` (identity conflicts for a person to settle).

:mod:`sync.hub.cli` adds these parsers (:func:`add_parsers`) and dispatches to
:data:`COMMANDS`; errors are its to print.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from sync.hub.errors import InvalidInputError

Opener = Callable[[argparse.Namespace], Any]


def add_parsers(sub: Any, add_db: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``source`` and ``identity`` to the ``clerk hub`` subparsers ``sub``."""
    p = sub.add_parser(
        "source",
        help="add, list or revoke the sources that send behaviour events",
        description="Sources send behaviour events through the Segment HTTP Tracking API "
        "(http://<hub>/segment as the library's host, the write key as HTTP Basic user). A new "
        "write key is printed once; only its hash is kept. See docs/ingest.md.",
    )
    source = p.add_subparsers(dest="source_command", metavar="ACTION")
    s = source.add_parser(
        "add", help="add a source and print its write key", description="Add an event source."
    )
    add_db(s)
    s.add_argument("name", help="what sends, e.g. shop-app")
    s.add_argument(
        "--provisional",
        action="store_true",
        help="unknown userIds create provisional members (default: their calls are held "
        "until an identify or alias names a member)",
    )
    s = source.add_parser(
        "list",
        help="list sources and what each sent",
        description="List sources with their counts per outcome (accepted, duplicate, "
        "rejected, unknown, ignored, held, released, dropped, stale, conflict). --counts "
        "breaks them down per event name; --rejects shows the newest refused calls.",
    )
    add_db(s)
    s.add_argument("--counts", action="store_true", help="counts per outcome and event name")
    s.add_argument("--rejects", default=None, metavar="SOURCE", help="newest refused calls")
    s.add_argument("--json", action="store_true", help="one JSON object per line")
    s = source.add_parser(
        "revoke",
        help="revoke a source's write key",
        description="Revoke a source (by name or id): its write key is refused from now on.",
    )
    add_db(s)
    s.add_argument("source", help="the source's name or id")

    p = sub.add_parser(
        "identity",
        help="identity conflicts (OneID) for a person to settle",
        description="A call whose identities (userId, anonymousId, WeChat UnionID, phone, "
        "card) belong to two members is never merged by guess: it is kept as a conflict. "
        "`conflicts` lists them; `resolve ID --keep M…` settles one: the claimants not kept "
        "are merged into the first kept member, which the contested identities go to.",
    )
    ident = p.add_subparsers(dest="identity_command", metavar="ACTION")
    s = ident.add_parser(
        "conflicts", help="list open conflicts", description="List identity conflicts."
    )
    add_db(s)
    s.add_argument("--all", action="store_true", help="settled ones too")
    s.add_argument("--json", action="store_true", help="one JSON object per line")
    s = ident.add_parser(
        "resolve",
        help="settle a conflict",
        description="Settle an identity conflict: keep the members given (the first gets the "
        "contested identities), merge the other claimants into it. Merges reach terminals as "
        "change rows. Audited.",
    )
    add_db(s)
    s.add_argument("id", type=int, help="the conflict's id (clerk hub identity conflicts)")
    s.add_argument("--keep", nargs="+", required=True, metavar="MEMBER", help="members kept")


def _when(at: Any) -> str:
    return "-" if at is None else time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(at))) + "Z"


def cmd_source(args: argparse.Namespace, open_store: Opener, actor: str) -> int:
    from sync.hub.segment.sources import Sources

    action = args.source_command
    if action is None:
        raise InvalidInputError("give an action: add, list or revoke", reason="usage")
    store = open_store(args)
    try:
        sources = Sources(store)
        if action == "add":
            source, key = sources.add(args.name, allow_provisional=args.provisional, actor=actor)
            print(key)
            print(
                f"source {source.name} ({source.id}): keep the write key secret, it is shown "
                "once; send to http://<hub>/segment with it as the HTTP Basic user",
                file=sys.stderr,
            )
        elif action == "revoke":
            print(f"source {sources.revoke(args.source, actor=actor)} revoked")
        elif args.rejects is not None:
            for row in sources.rejects(args.rejects):
                _out(args.json, row, f"{_when(row['at'])}\t{row['reason']}\t{row['message_id']}")
        elif args.counts:
            for row in sources.counts():
                line = f"{row['source']}\t{row['outcome']}\t{row['name']}\t{row['n']}"
                _out(args.json, row, line)
        else:
            for row in sources.rows():
                state = "revoked" if row["revoked_at"] is not None else "active"
                counts = " ".join(f"{k}={v}" for k, v in sorted(row["counts"].items()))
                flags = "\tprovisional" if row["allow_provisional"] else ""
                _out(args.json, row, f"{row['name']}\t{row['id']}\t{state}{flags}\t{counts}")
    finally:
        store.close()
    return 0


def cmd_identity(args: argparse.Namespace, open_store: Opener, actor: str) -> int:
    from sync.hub.segment import identity
    from sync.hub.segment.intake import Intake

    action = args.identity_command
    if action is None:
        raise InvalidInputError("give an action: conflicts or resolve", reason="usage")
    store = open_store(args)
    try:
        if action == "conflicts":
            with store.read() as conn:
                rows = identity.conflicts(conn, include_resolved=args.all)
            for row in rows:
                idents = ",".join(f"{k}:{v[:12]}" for k, v in row["identities"])
                state = "open" if row["resolved_at"] is None else f"kept {row['kept']}"
                members = " ".join(row["members"])
                line = f"{row['id']}\t{_when(row['at'])}\t{members}\t{idents}\t{state}"
                _out(args.json, row, line)
            if not args.json:
                print(f"identity conflicts: {len(rows)}", file=sys.stderr)
        else:
            survivor = Intake(store).settle(args.id, args.keep, actor=actor)
            print(f"conflict {args.id} settled: {survivor} kept")
    finally:
        store.close()
    return 0


def _out(as_json: bool, row: dict[str, Any], line: str) -> None:
    print(json.dumps(row, ensure_ascii=False, separators=(",", ":")) if as_json else line)
