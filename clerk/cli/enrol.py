"""``clerk enroll``: enrol this terminal to a store at a hub with a one-time code."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from clerk import paths
from clerk.cli.common import EXIT_OK, fail

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "enroll",
        help="enrol this terminal to a store at a hub",
        description="Enrol this terminal with a one-time enrolment code.",
    )
    p.add_argument(
        "--hub",
        required=True,
        help="hub URL: https://…, or http:// only to a hub on this machine (e.g. "
        "http://127.0.0.1:8765)",
    )
    p.add_argument("--store", required=True, help="store id, e.g. S001")
    p.add_argument("--code", required=True, help="one-time enrolment code from the hub")
    p.add_argument("--name", default="terminal", help="device name reported to the hub")
    p.set_defaults(func=cmd_enroll)


def cmd_enroll(args: argparse.Namespace) -> int:
    from clerk.settings import check_hub_url
    from sync.errors import SyncError
    from sync.local import enroll

    home = paths.data_dir()
    hub = check_hub_url(args.hub)
    try:
        creds = enroll(home, hub, args.store, args.code, device_name=args.name)
    except SyncError as exc:
        return fail(f"enrolment failed: {exc}")
    print(f"enrolled device {creds.device_id} to store {creds.store_id} at {args.hub}")
    return EXIT_OK
