"""``clerk purge``: apply the retention policy to the cache (never to the outbox)."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from clerk.cli.common import EXIT_OK, open_terminal, print_json

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "purge",
        help="apply the retention policy to the cache",
        description="Delete browse events older than retention_days, orders older than "
        "the 12 months the customer view shows, and members not seen for member_idle_days. "
        "Never touches the outbox.",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_purge)


def cmd_purge(args: argparse.Namespace) -> int:
    from clerk.purge import purge

    terminal = open_terminal(online_fetch=False)
    try:
        counts = purge(
            terminal.cache,
            now=int(time.time()),
            browse_days=int(terminal.settings.get("retention_days")),
            member_idle_days=int(terminal.settings.get("member_idle_days")),
        )
    finally:
        terminal.close()
    print_json(counts) if args.json else print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    return EXIT_OK
