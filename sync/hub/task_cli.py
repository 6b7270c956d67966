"""``clerk hub rules list|set|run``: the chain's follow-up task rules (:mod:`sync.hub.tasks`).

:mod:`sync.hub.cli` adds the parser (:func:`add_parser`) and dispatches to :func:`cmd_rules`;
errors are its to print.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from sync.hub.errors import InvalidInputError

Opener = Callable[[argparse.Namespace], Any]


def add_parser(sub: Any, add_db: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``rules`` to the ``clerk hub`` subparsers ``sub``."""
    p = sub.add_parser(
        "rules",
        help="the follow-up task rules: list, set, run",
        description="The chain's rules that make follow-up tasks (inactive, cart_coupon, "
        "birthday, unserved_visit), each only for members who consented to marketing; `run` "
        "makes their tasks now and escalates tasks 24 h overdue (the hub process also runs "
        "them on a schedule: `clerk hub serve --rules-every S`).",
    )
    rules = p.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    s = rules.add_parser("list", help="each rule and its parameters", description="List rules.")
    add_db(s)
    s.add_argument("--json", action="store_true", help="one JSON object per line")
    s = rules.add_parser(
        "set",
        help="enable, disable or tune a rule",
        description="Change a rule: --enable / --disable, --param NAME=N (days, hours, "
        "min_points, due_hours).",
    )
    add_db(s)
    s.add_argument("rule", help="inactive, cart_coupon, birthday or unserved_visit")
    on = s.add_mutually_exclusive_group()
    on.add_argument("--enable", dest="enabled", action="store_const", const=True)
    on.add_argument("--disable", dest="enabled", action="store_const", const=False)
    s.add_argument("--param", action="append", default=[], metavar="NAME=N", help="e.g. days=45")
    s = rules.add_parser(
        "run",
        help="make the rules' tasks now and escalate overdue ones",
        description="Run the enabled rules once (idempotent: one open task per member and "
        "rule) and escalate tasks 24 h overdue; prints what it made.",
    )
    add_db(s)
    s.add_argument("--now", type=int, default=None, help="the clock, unix s (tests, replays)")


def _params(pairs: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not value.strip().isdigit():
            raise InvalidInputError(f"--param {pair!r}: give NAME=N (a whole number)")
        out[name.strip()] = int(value)
    return out


def cmd_rules(args: argparse.Namespace, opener: Opener) -> int:
    from sync.hub import tasks

    store = opener(args)
    try:
        if args.rules_command == "list":
            with store.read() as conn:
                found = tasks.rules(conn)
            for name, (enabled, params) in found.items():
                if args.json:
                    print(json.dumps({"rule": name, "enabled": enabled, "params": params}))
                else:
                    state = "on " if enabled else "off"
                    shown = " ".join(f"{k}={v}" for k, v in sorted(params.items()))
                    print(f"{name:12} {state} {shown}")
        elif args.rules_command == "set":
            try:
                tasks.set_rule(store, args.rule, enabled=args.enabled, params=_params(args.param))
            except ValueError as exc:
                raise InvalidInputError(str(exc)) from None
            print(f"rule {args.rule} saved")
        else:
            made = tasks.run_rules(store, now=args.now)
            print(" ".join(f"{k}={v}" for k, v in made.items()))
    finally:
        store.close()
    return 0
