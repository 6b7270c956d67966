"""``clerk hub audit flags``, ``clerk hub device list|revoke|import`` and ``clerk hub admin-token
create|list|revoke``: the enrolled terminals, what their audit chains showed, and HQ's tokens.

:mod:`sync.hub.cli` adds the parsers (:func:`add_parsers`) and dispatches to :func:`cmd_audit`,
:func:`cmd_device` and :func:`cmd_admin_token`; errors are its to print.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from sync.hub.cli_common import EXIT_OK, action_of, actor, add_action, add_group, arg, opened
from sync.hub.errors import InvalidInputError

if TYPE_CHECKING:
    from sync.hub.store import HubStore

IMPORT_BATCH = 500
ONLY_STORE = arg("--store", default=None, help="only this store")
PER_LINE = "one JSON object per line"


def add_parsers(sub: Any) -> None:
    """Add ``audit``, ``device`` and ``admin-token`` to the ``clerk hub`` subparsers ``sub``."""
    audit = add_group(
        sub,
        "audit",
        summary="problems the hub found in terminals' audit logs",
        description="Terminals upload their hash-chained audit logs; the hub checks that each "
        "row chains onto the last one it acknowledged from that terminal. `flags` lists the "
        "gaps (rows kept from the hub), rewrites (acknowledged rows changed) and rows that do "
        "not match their hash.",
    )
    add_action(
        audit,
        "flags",
        summary="list flagged audit-chain problems",
        description="List the problems flagged in terminals' audit chains, oldest first.",
        args=(ONLY_STORE, arg("--device", default=None, help="only this device")),
        json_help=PER_LINE,
    )

    device = add_group(
        sub,
        "device",
        summary="list, revoke or import the records of enrolled devices",
        description="The enrolled terminals: list them, revoke one (its requests are refused "
        "on every hub process within a second), or import the unsent records a revoked "
        "terminal exported (clerk outbox export) as that device.",
    )
    add_action(
        device,
        "list",
        summary="list devices",
        description="List the enrolled devices, revoked ones too.",
        args=(ONLY_STORE,),
        json_help=PER_LINE,
    )
    add_action(
        device,
        "revoke",
        summary="revoke a device (lost, stolen, replaced)",
        description="Revoke a device: every hub process refuses it within a second and it "
        "gets no new access token. Audited.",
        args=(
            arg("id", help="device id (clerk hub device list)"),
            arg("--reason", default=None, help="why (kept with the device and audited)"),
        ),
    )
    add_action(
        device,
        "import",
        summary="import a revoked terminal's exported records",
        description="Ingest the JSON lines of 'clerk outbox export' as the device that recorded "
        "them (same ids and sequence numbers: a record the hub already has is answered as "
        "before, never doubled). Audited.",
        args=(
            arg("file", help="the export (JSON lines); '-' reads stdin"),
            arg("--device", required=True, help="the id of the device that recorded them"),
        ),
    )

    admin = add_group(
        sub,
        "admin-token",
        dest="admin_command",
        summary="create, list or revoke HQ admin tokens",
        description="HQ admin tokens authenticate the HQ API (/v1/admin/…). A new token is "
        "printed once; only its hash is kept.",
    )
    add_action(
        admin,
        "create",
        summary="print a new admin token",
        description="Create an HQ admin token.",
        args=(arg("name", help="who or what holds it, e.g. hq-ops"),),
    )
    add_action(admin, "list", summary="list admin tokens", description="List HQ admin tokens.")
    add_action(
        admin,
        "revoke",
        summary="revoke an admin token",
        description="Revoke an HQ admin token.",
        args=(arg("name", help="the token's name"),),
    )


def cmd_audit(args: argparse.Namespace) -> int:
    if getattr(args, "audit_command", None) != "flags":
        raise InvalidInputError("give an action: flags", reason="usage")
    with opened(args) as store:
        flags = store.audit.flags(store_id=args.store, device_id=args.device)
    for f in flags:
        if args.json:
            print(json.dumps(f, ensure_ascii=False, separators=(",", ":")))
        else:
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(f["at"])))
            seq = "-" if f["seq"] is None else str(f["seq"])
            print(
                f"{when}Z\t{f['store_id']}\t{f['device_id']}\tseq {seq}\t{f['problem']}"
                f"\t{f['detail'] or ''}"
            )
    if not args.json:
        print(f"audit flags: {len(flags)}", file=sys.stderr)
    return EXIT_OK


def cmd_device(args: argparse.Namespace) -> int:
    action = action_of(args, "device_command", "list, revoke or import")
    with opened(args) as store:
        if action == "list":
            for row in store.devices.rows(args.store):
                if args.json:
                    print(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
                    continue
                state = "revoked" if row["revoked_at"] is not None else "active"
                print(f"{row['id']}\t{row['store_id']}\t{state}\t{row['name']}")
        elif action == "revoke":
            store.devices.revoke(args.id, reason=args.reason, actor=actor())
            print(f"device {args.id} revoked: refused by every hub process within a second")
        else:
            counts = _import_records(store, args.file, args.device)
            done = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing"
            print(f"device {args.device}: {done}")
    return EXIT_OK


def _import_records(store: HubStore, path: str, device_id: str) -> dict[str, int]:
    """Ingest an outbox export as ``device_id`` (audited); the answers counted by status.
    Every line is read and checked before anything is ingested."""
    from sync.hub import admin_audit
    from sync.hub.ingest import ingest, parse_items

    device = store.devices.get(device_id)
    records: list[Any] = []
    source = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    try:
        for n, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise InvalidInputError(f"line {n} is not JSON: {exc}", reason="usage") from exc
            if not isinstance(record, dict):
                raise InvalidInputError(f"line {n} is not a record", reason="usage")
            records.append(record)
    finally:
        if source is not sys.stdin:
            source.close()
    counts: dict[str, int] = {}
    for i in range(0, len(records), IMPORT_BATCH):
        try:
            items = parse_items(records[i : i + IMPORT_BATCH])
        except ValueError as exc:
            raise InvalidInputError(f"records {i + 1}…: {exc}", reason="usage") from exc
        for result in ingest(store, device, items):
            counts[result.status] = counts.get(result.status, 0) + 1
    with store.write() as tx:
        admin_audit.record(
            tx,
            actor(),
            "device_import",
            device_id,
            {"file": os.path.basename(path), "records": len(records), "answers": counts},
        )
    return counts


def cmd_admin_token(args: argparse.Namespace) -> int:
    action = action_of(args, "admin_command", "create, list or revoke")
    with opened(args) as store:
        if action == "create":
            print(store.admin_tokens.create(args.name, actor=actor()))
            print("keep it secret: it is shown once, and only its hash is kept", file=sys.stderr)
        elif action == "list":
            for row in store.admin_tokens.rows():
                state = "revoked" if row["revoked_at"] is not None else "active"
                print(f"{row['name']}\t{state}\t{row['created_at']}")
        else:
            store.admin_tokens.revoke(args.name, actor=actor())
            print(f"admin token {args.name} revoked")
    return EXIT_OK
