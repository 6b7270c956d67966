"""``clerk hub staff add|disable|enable|reset-pin|list``: the stores' staff and their PINs.

:mod:`sync.hub.cli` adds the parser (:func:`add_parser`) and dispatches to :func:`cmd_staff`;
errors are its to print.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from sync.hub.cli_common import EXIT_OK, action_of, add_action, add_group, arg, opened

PIN_HELP = (
    "PIN: 6–12 digits for a manager, 4–12 for an associate ('-' reads it from stdin; "
    "default: prompt)"
)
STAFF_ID = arg("id", help="staff id")


def add_parser(sub: Any) -> None:
    """Add ``staff`` to the ``clerk hub`` subparsers ``sub``."""
    staff = add_group(
        sub,
        "staff",
        summary="add, disable or reset the PIN of store staff",
        description="Manage store staff. Changes reach the store's terminals with the next sync.",
    )
    add_action(
        staff,
        "add",
        summary="add (or replace) a staff member",
        description="Add or replace a staff member of a store.",
        args=(
            arg("--id", required=True, help="staff id, e.g. A04"),
            arg("--store", required=True, help="store id"),
            arg("--name", required=True, help="display name"),
            arg(
                "--role",
                choices=("associate", "manager"),
                default="associate",
                help="role (default associate)",
            ),
            arg("--pin", default=None, help=PIN_HELP),
        ),
    )
    add_action(
        staff,
        "disable",
        summary="disable a staff member",
        description="Disable a staff member: terminals refuse their PIN.",
        args=(STAFF_ID,),
    )
    add_action(
        staff,
        "enable",
        summary="enable a disabled staff member",
        description="Enable a staff member again.",
        args=(STAFF_ID,),
    )
    add_action(
        staff,
        "reset-pin",
        summary="set a new PIN",
        description="Set a new PIN for a staff member.",
        args=(
            STAFF_ID,
            arg("--pin", default=None, help=PIN_HELP + "; hashed with today's parameters"),
        ),
    )
    add_action(
        staff,
        "list",
        summary="list staff",
        description="List staff members, and whose PIN is due to be set again (hashed with "
        "older parameters: `reset-pin` hashes it with today's).",
        args=(arg("--store", default=None, help="only this store"),),
    )


def _read_pin(given: str | None) -> str:
    if given == "-":
        return sys.stdin.readline().strip()
    if given is not None:
        return str(given)
    return getpass.getpass("PIN: ")


def cmd_staff(args: argparse.Namespace) -> int:
    from sync.hub.staff import hash_pin

    action = action_of(args, "staff_command", "add, disable, enable, reset-pin or list")
    with opened(args) as store:
        if action == "add":
            pin_hash = hash_pin(_read_pin(args.pin), args.role)
            store.staff.upsert(
                [
                    {
                        "id": args.id,
                        "store_id": args.store,
                        "name": args.name,
                        "role": args.role,
                        "pin_hash": pin_hash,
                        "active": 1,
                    }
                ]
            )
            print(f"staff {args.id} added to {args.store}")
        elif action in ("disable", "enable"):
            store.staff.update(args.id, active=action == "enable")
            print(f"staff {args.id} {action}d")
        elif action == "reset-pin":
            role = store.staff.role(args.id)
            store.staff.update(args.id, pin_hash=hash_pin(_read_pin(args.pin), role))
            print(f"staff {args.id}: PIN reset")
        else:
            for row in store.staff.rows(args.store):
                state = "active" if row["active"] else "disabled"
                pin = {"ok": "", "none": "\tno PIN", "reset": "\tPIN due: reset-pin"}[row["pin"]]
                print(f"{row['id']}\t{row['store_id']}\t{row['role']}\t{state}\t{row['name']}{pin}")
    return EXIT_OK
