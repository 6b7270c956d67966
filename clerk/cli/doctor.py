"""``clerk doctor``: run :func:`clerk.doctor.run_checks` and print what to fix.

The hub check needs HTTP, so it is built here (:func:`hub_check_for`) and handed to the
doctor, which stays pure.
"""

from __future__ import annotations

import argparse
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from clerk import paths
from clerk.cli.common import EXIT_ERROR, EXIT_OK
from clerk.doctor import HubCheck, as_json, format_table, run_checks
from clerk.errors import ClerkError

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers

MakeHubCheck = Callable[[Path], HubCheck | None]


def hub_check_for(home: Path) -> HubCheck | None:
    """An authenticated round trip to the hub this terminal is enrolled at, returning the clock
    offset (None when the terminal is not enrolled — or was revoked — or its outbox cannot be
    read). An expired access token is renewed with the device secret (and not kept: the
    doctor only reads)."""
    import sqlite3

    from clerk import db
    from clerk import outbox as ob

    try:
        conn = db.inspect(home / "outbox.db")
    except (sqlite3.DatabaseError, ClerkError):
        return None
    try:
        url, token = ob.get_meta(conn, ob.META_HUB_URL), ob.get_meta(conn, ob.META_TOKEN)
        device_id = ob.get_meta(conn, ob.META_DEVICE_ID)
        secret = ob.get_meta(conn, ob.META_DEVICE_SECRET) or token
        revoked = ob.get_meta(conn, ob.META_DEVICE_REVOKED_AT)
    finally:
        conn.close()
    if not url or not token or revoked:
        return None

    def check() -> float:
        from sync.client import HubClient

        with HubClient(url, token, device_id=device_id, device_secret=secret) as client:
            client.keys()
            return client.last_clock_offset or 0.0

    return check


def add_parser(sub: Subparsers, *, make_hub_check: MakeHubCheck = hub_check_for) -> None:
    """Add ``clerk doctor``. ``make_hub_check(home)`` builds the hub check (None: skip it)."""
    p = sub.add_parser(
        "doctor",
        help="check this terminal and say what to fix",
        description="Check enrolment, the hub and clock, cache.db and outbox.db, damaged caches "
        "set aside, the sync backlog, records parked for a person, fonts, barcode libraries, "
        "disk and logs. Exits 1 if any check fails.",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=functools.partial(cmd_doctor, make_hub_check=make_hub_check))


def cmd_doctor(args: argparse.Namespace, *, make_hub_check: MakeHubCheck = hub_check_for) -> int:
    """Print the checks (a table, or JSON with ``--json``); exit 1 if any failed."""
    home = paths.data_dir()
    checks = run_checks(home, hub_check=make_hub_check(home))
    if args.json:
        print(json.dumps(as_json(checks), ensure_ascii=False))
    else:
        print(format_table(checks))
    return EXIT_ERROR if any(c.status == "fail" for c in checks) else EXIT_OK
