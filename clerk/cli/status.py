"""``clerk status``: pending, oldest pending age, last push/pull, cursor, last error."""

from __future__ import annotations

import argparse
import dataclasses
import time
from typing import TYPE_CHECKING

from clerk.cli.common import EXIT_OK, open_terminal, print_json

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers

REVOKED = (
    "This terminal was removed from the store — ask IT. Its unsent records are kept: "
    "'clerk outbox export FILE' writes them for IT to import at the hub."
)


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "status",
        help="pending, last push/pull, cursor, last error",
        description="Show the terminal's sync status.",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_status)


def cmd_status(args: argparse.Namespace) -> int:
    terminal = open_terminal(online_fetch=False)
    try:
        st = terminal.status()
    finally:
        terminal.close()
    now = int(time.time())
    data = dataclasses.asdict(st)
    data["oldest_pending_age_s"] = (
        now - st.oldest_pending_at if st.oldest_pending_at is not None else None
    )
    if args.json:
        print_json(data)
    else:
        if st.device_revoked:
            print(REVOKED)
        for key, value in data.items():
            print(f"{key:22} {value}")
    return EXIT_OK
