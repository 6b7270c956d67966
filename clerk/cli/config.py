"""``clerk config get|set|list``: the terminal's validated settings."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from clerk import paths
from clerk.cli.common import EXIT_INPUT, EXIT_OK, fail

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "config",
        help="get, set or list settings",
        description="Terminal settings (validated). See `clerk config list`.",
    )
    p.add_argument("action", choices=("get", "set", "list"))
    p.add_argument("name", nargs="?", help="setting name")
    p.add_argument("value", nargs="?", help="new value (set)")
    p.set_defaults(func=cmd_config)


def cmd_config(args: argparse.Namespace) -> int:
    from clerk.settings import Settings

    settings = Settings(paths.settings_path())
    if args.action == "list":
        for name, value, help_text in settings.items():
            print(f"{name:20} {json.dumps(value, ensure_ascii=False):24} {help_text}")
    elif args.action == "get":
        if not args.name:
            return fail("config get needs a setting name", EXIT_INPUT)
        print(settings.get(args.name))
    else:
        if not args.name or args.value is None:
            return fail("config set needs a setting name and a value", EXIT_INPUT)
        value = settings.set(args.name, args.value)
        print(f"{args.name} = {value}")
    return EXIT_OK
