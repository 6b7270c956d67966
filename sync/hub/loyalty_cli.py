"""``clerk hub points …`` (the chain's earn rule) and ``clerk hub recommend …`` (what to offer
with each product).

:mod:`sync.hub.cli` adds these parsers (:func:`add_parsers`) and dispatches to
:func:`cmd_points` and :func:`cmd_recommend`; errors are its to print.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from sync.hub.cli_common import add_action, add_group, arg
from sync.hub.errors import InvalidInputError

Opener = Callable[[argparse.Namespace], Any]


def add_parsers(sub: Any) -> None:
    """Add ``points`` and ``recommend`` to the ``clerk hub`` subparsers ``sub``."""
    points = add_group(
        sub,
        "points",
        summary="the chain's points rule",
        description="A sale earns the amount paid in yuan × points per yuan × the member's "
        "tier multiplier (rounded down) at the hub; the balance reaching a tier's threshold "
        "moves the member up. `rule` shows the rule, or changes it with its options.",
    )
    add_action(
        points,
        "rule",
        summary="show or change the earn rule",
        description="Show or change the rule.",
        args=(
            arg("--per-yuan", type=int, default=None, help="points per yuan at ×1"),
            arg(
                "--tier",
                action="append",
                default=[],
                metavar="NAME=MULT",
                help="a tier's multiplier, e.g. gold=1.5 (repeatable)",
            ),
        ),
        json_help="print the rule as JSON",
    )

    rec = add_group(
        sub,
        "recommend",
        summary="what to offer with each product",
        description="`build` learns, from the orders, assisted sales and browsing of the last "
        "days, which products are bought or viewed with each product (recency-weighted) and "
        "sends the lists to every store's terminals; run it nightly (cron, a systemd timer).",
    )
    add_action(
        rec,
        "build",
        summary="learn and ship the related products",
        description="Build the lists.",
        args=(
            arg("--days", type=int, default=180, help="learn from the last N days"),
            arg("--top", type=int, default=5, help="related products kept per product"),
        ),
    )


def cmd_recommend(args: argparse.Namespace, open_store: Opener) -> int:
    from sync.hub.recommend import build

    if args.recommend_command != "build":
        raise InvalidInputError("give an action: build", reason="usage")
    if not 1 <= args.days <= 3660 or not 1 <= args.top <= 20:
        raise InvalidInputError("--days is 1–3660, --top 1–20", reason="usage")
    store = open_store(args)
    try:
        changed = build(store, days=args.days, top=args.top)
    finally:
        store.close()
    print(f"related products: {changed} product(s) changed, sent to the stores' terminals")
    return 0


def _multiplier(text: str) -> tuple[str, int]:
    name, sep, value = text.partition("=")
    try:
        percent = round(float(value) * 100)
    except ValueError:
        percent = -1
    if not sep or not name or percent < 0:
        raise InvalidInputError(f"--tier {text!r}: give NAME=MULT, e.g. gold=1.5", reason="usage")
    return name, percent


def cmd_points(args: argparse.Namespace, open_store: Opener) -> int:
    from sync.hub.points import load_rule, save_rule

    if args.points_command != "rule":
        raise InvalidInputError("give an action: rule", reason="usage")
    store = open_store(args)
    try:
        if args.per_yuan is not None or args.tier:
            changes = [_multiplier(t) for t in args.tier]
            with store.write() as tx:
                try:
                    rule = load_rule(tx.conn).with_changes(args.per_yuan, changes)
                except ValueError as exc:
                    raise InvalidInputError(str(exc), reason="usage") from exc
                save_rule(tx.conn, rule)
        else:
            with store.read() as conn:
                rule = load_rule(conn)
    finally:
        store.close()
    if args.json:
        print(json.dumps(json.loads(rule.to_json())))
        return 0
    print(f"{rule.per_yuan} point(s) per yuan paid, × the tier's multiplier")
    for t in rule.tiers:
        print(f"{t.name}\tfrom {t.threshold} points\t×{t.percent / 100:g}")
    return 0
