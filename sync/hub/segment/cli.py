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

from sync.hub.cli_common import action_of, add_action, add_group, arg

PER_LINE = "one JSON object per line"

Opener = Callable[[argparse.Namespace], Any]


def add_parsers(sub: Any) -> None:
    """Add ``source`` and ``identity`` to the ``clerk hub`` subparsers ``sub``."""
    source = add_group(
        sub,
        "source",
        summary="add, list or revoke the sources that send behaviour events",
        description="Sources send behaviour events through the Segment HTTP Tracking API "
        "(http://<hub>/segment as the library's host, the write key as HTTP Basic user). A new "
        "write key is printed once; only its hash is kept. See docs/ingest.md.",
    )
    add_action(
        source,
        "add",
        summary="add a source and print its write key",
        description="Add an event source.",
        args=(
            arg("name", help="what sends, e.g. shop-app"),
            arg(
                "--provisional",
                action="store_true",
                help="unknown userIds create provisional members (default: their calls are held "
                "until an identify or alias names a member)",
            ),
        ),
    )
    add_action(
        source,
        "list",
        summary="list sources and what each sent",
        description="List sources with their counts per outcome (accepted, duplicate, "
        "rejected, unknown, ignored, held, released, dropped, stale, conflict). --counts "
        "breaks them down per event name; --rejects shows the newest refused calls.",
        args=(
            arg("--counts", action="store_true", help="counts per outcome and event name"),
            arg("--rejects", default=None, metavar="SOURCE", help="newest refused calls"),
        ),
        json_help=PER_LINE,
    )
    add_action(
        source,
        "revoke",
        summary="revoke a source's write key",
        description="Revoke a source (by name or id): its write key is refused from now on.",
        args=(arg("source", help="the source's name or id"),),
    )

    ident = add_group(
        sub,
        "identity",
        summary="identity conflicts (OneID) for a person to settle",
        description="A call whose identities (userId, anonymousId, WeChat UnionID, phone, "
        "card) belong to two members is never merged by guess: it is kept as a conflict. "
        "`conflicts` lists them; `resolve ID --keep M…` settles one: the claimants not kept "
        "are merged into the first kept member, which the contested identities go to.",
    )
    add_action(
        ident,
        "conflicts",
        summary="list open conflicts",
        description="List identity conflicts.",
        args=(arg("--all", action="store_true", help="settled ones too"),),
        json_help=PER_LINE,
    )
    add_action(
        ident,
        "resolve",
        summary="settle a conflict",
        description="Settle an identity conflict: keep the members given (the first gets the "
        "contested identities), merge the other claimants into it. Merges reach terminals as "
        "change rows. Audited.",
        args=(
            arg("id", type=int, help="the conflict's id (clerk hub identity conflicts)"),
            arg("--keep", nargs="+", required=True, metavar="MEMBER", help="members kept"),
        ),
    )


def _when(at: Any) -> str:
    return "-" if at is None else time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(at))) + "Z"


def cmd_source(args: argparse.Namespace, open_store: Opener, actor: str) -> int:
    from sync.hub.segment.sources import Sources

    action = action_of(args, "source_command", "add, list or revoke")
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

    action = action_of(args, "identity_command", "conflicts or resolve")
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
