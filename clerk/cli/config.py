"""``clerk config get|set|list``: the terminal's validated settings. Changing one is a manager's
job, as in the app: ``set`` needs ``--staff`` (a manager) and their PIN, and is audited
(``settings_change``); reading them needs neither. Before enrolment there is no staff to sign in
and no device token to protect: IT sets the terminal up without a PIN (audited without a staff
id), as the enrolment screen does."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from clerk import paths
from clerk.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    add_staff_arguments,
    fail,
    open_terminal,
    staff_session,
)
from clerk.errors import ConfigError

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "config",
        help="get, set or list settings",
        description="Terminal settings (validated). See `clerk config list`. Once the terminal "
        "is enrolled, `set` is for managers: --staff and their PIN (--pin-stdin, $CLERK_PIN or "
        "asked); it is audited. hub_url must be https:// (http:// only to a hub on this "
        "machine).",
    )
    p.add_argument("action", choices=("get", "set", "list"))
    p.add_argument("name", nargs="?", help="setting name")
    p.add_argument("value", nargs="?", help="new value (set)")
    add_staff_arguments(p, who="manager's staff id (set)")
    p.set_defaults(func=cmd_config)


def cmd_config(args: argparse.Namespace) -> int:
    from clerk.settings import Settings

    if args.action in ("list", "get"):
        settings = Settings(paths.settings_path())
        if args.action == "list":
            for name, value, help_text in settings.items():
                print(f"{name:20} {json.dumps(value, ensure_ascii=False):24} {help_text}")
        elif not args.name:
            return fail("config get needs a setting name", EXIT_INPUT)
        else:
            print(settings.get(args.name))
        return EXIT_OK
    if not args.name or args.value is None:
        return fail("config set needs a setting name and a value", EXIT_INPUT)
    Settings.spec(args.name)  # an unknown name is refused before the PIN is asked
    terminal = open_terminal(online_fetch=False)
    try:
        if terminal.device_id() is None:  # not enrolled: IT's set-up, no one to sign in
            old = terminal.settings.get(args.name)
            result = terminal.settings.set(args.name, args.value)
            change = {"name": args.name, "old": old, "new": result}
            terminal.audit("settings_change", None, change)
        else:
            with staff_session(terminal, args, "settings") as session:
                result = terminal.change_settings(session, {args.name: args.value})[args.name]
    finally:
        terminal.close()
    if isinstance(result, ConfigError):
        raise result
    print(f"{args.name} = {result}")
    return EXIT_OK
