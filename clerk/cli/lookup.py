"""``clerk lookup``: identify a member code, card or phone and print the customer view (a read:
it records no visit)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING, Any

from clerk.cli.common import EXIT_INPUT, EXIT_OK, fail, open_terminal, print_json
from clerk.errors import ClerkError, IdentifyError

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "lookup",
        help="show a member's 360 view for a code, card or phone",
        description="Identify a member code, card number or phone number and "
        "print the customer view. Unknown or invalid input exits 2.",
    )
    p.add_argument("text", help="MC1 member code, card number or phone number")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--lang",
        choices=("zh", "en"),
        default="en",
        help="language of the printed view (--json carries titles in both)",
    )
    p.set_defaults(func=cmd_lookup)


def cmd_lookup(args: argparse.Namespace) -> int:
    terminal = open_terminal()
    try:
        try:
            identity = terminal.identify(args.text)
        except IdentifyError as exc:
            from clerk.identify import MESSAGES

            if args.json:
                print_json({"error": MESSAGES.get(exc.reason, str(exc)), "reason": exc.reason})
            else:
                print(f"clerk: {MESSAGES.get(exc.reason, str(exc))}", file=sys.stderr)
            return EXIT_INPUT
        member_id = terminal.resolve(identity)
        reason = None
        if member_id is None and terminal.fetch_member is not None:
            try:
                # No one is signed in here: the hub serves only this store's members by id.
                member_id = terminal.fetch_member(identity, None)
                reason = None if member_id else "unknown_member"
            except ClerkError as exc:
                reason = "no_proof" if exc.reason == "no_proof" else "not_cached"
        elif member_id is None:
            reason = "not_cached"
        if member_id is None:
            msg = {
                "not_cached": "not in this store's cache and the hub is unreachable — will sync",
                "no_proof": "not in this store's cache: a member of another store is looked up "
                "at the hub by a signed-in staff member (in the app)",
                "unknown_member": "no member has this identity",
            }[reason or "unknown_member"]
            if args.json:
                print_json({"error": msg, "reason": reason, "ref": identity.label})
            else:
                print(f"clerk: {msg}", file=sys.stderr)
            return EXIT_INPUT
        view = terminal.view(member_id)
        if view is None:
            return fail("member vanished from the cache during lookup", EXIT_INPUT)
        if args.json:
            print_json(dataclasses.asdict(view))
        else:
            _print_view(view, args.lang)
        return EXIT_OK
    finally:
        terminal.close()


def _print_view(view: Any, lang: str) -> None:
    from clerk.talking_points import describe

    p = view.profile
    print(f"{p.name} ({p.member_id}) · {p.tier} · {p.points} pts · {p.phone_masked or ''}")
    for tp in view.talking_points:
        print(f"  * {describe(tp).pick(lang)}")
    if view.cart:
        print("Cart:")
        for line in view.cart:
            title = line.product.title.pick(lang)
            print(f"  {title} ×{line.qty}  ¥{line.price_cents / 100:,.2f}")
    if view.coupons:
        print("Coupons:")
        for c in view.coupons:
            print(f"  [{c.status}] {c.title.pick(lang)}")
