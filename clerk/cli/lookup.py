"""``clerk lookup``: identify a member code, card or phone and print the customer view, as a
signed-in staff member (``--staff`` and a PIN, as the app asks). A read: it records no visit; the
view is audited (``view_customer``) as the app's is. A phone that fits several cached members
(the terminal holds only the last four digits and a short bucket) lists them, masked, and exits
2: look the one you mean up by card or member code."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING, Any

from clerk.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    add_staff_arguments,
    fail,
    open_terminal,
    print_json,
    staff_session,
)
from clerk.errors import ClerkError, IdentifyError

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers
    from clerk.terminal import Terminal


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "lookup",
        help="show a member's 360 view for a code, card or phone",
        description="Identify a member code, card number or phone number and print the "
        "customer view, as a signed-in staff member (--staff and their PIN: --pin-stdin, "
        "$CLERK_PIN or asked); the view is audited as in the app. Unknown or invalid input, or "
        "no PIN, exits 2.",
    )
    p.add_argument("text", help="MC1 member code, card number or phone number")
    add_staff_arguments(p, who="staff id looking the customer up")
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
        with staff_session(terminal, args) as session:
            return _lookup(terminal, args, session.staff_id)
    finally:
        terminal.close()


def _lookup(terminal: Terminal, args: argparse.Namespace, staff_id: str) -> int:
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
    candidates = terminal.phone_candidates(identity) if member_id is None else []
    reason = None
    if member_id is None and terminal.fetch_member is not None:
        try:
            # Asked as the signed-in staff member, with what was typed as the proof of
            # presence (the hub serves a member of another store only so, and audits it).
            member_id = terminal.fetch_member(identity, staff_id)
            reason = None if member_id else "unknown_member"
        except ClerkError as exc:
            if len(candidates) > 1:
                reason = "choose"
            else:
                reason = "no_proof" if exc.reason == "no_proof" else "not_cached"
    elif member_id is None:
        reason = "choose" if len(candidates) > 1 else "not_cached"
    terminal.audit(
        "view_customer",
        staff_id,
        {"member_id": member_id} if member_id else {"member_ref": identity.ref},
    )
    if member_id is None:
        msg = {
            "not_cached": "not in this store's cache and the hub is unreachable — will sync",
            "no_proof": "not in this store's cache: a member of another store is looked up "
            "at the hub with the member code, card or full phone number",
            "unknown_member": "no member has this identity",
            "choose": "several cached members have these last digits — look the customer up "
            "by card or member code",
        }[reason or "unknown_member"]
        found = [
            {"member_id": c.member_id, "name": c.name, "phone_masked": c.phone_masked}
            for c in candidates
        ]
        if args.json:
            doc: dict[str, Any] = {"error": msg, "reason": reason, "ref": identity.label}
            if reason == "choose":
                doc["candidates"] = found
            print_json(doc)
        else:
            print(f"clerk: {msg}", file=sys.stderr)
            if reason == "choose":
                for c in found:
                    print(f"  {c['member_id']}  {c['name']}  {c['phone_masked'] or ''}")
        return EXIT_INPUT
    view = terminal.view(member_id)
    if view is None:
        return fail("member vanished from the cache during lookup", EXIT_INPUT)
    if args.json:
        print_json(dataclasses.asdict(view))
    else:
        _print_view(view, args.lang)
    return EXIT_OK


def _print_view(view: Any, lang: str) -> None:
    from clerk.talking_points import describe

    p = view.profile
    print(f"{p.name} ({p.member_id}) · {p.tier} · {p.points} pts · {p.phone_masked or ''}")
    if p.tags:
        print("  tags: " + ", ".join(p.tags))
    for case in view.cases:  # open service cases come first
        print(f"  ! open {case.case_type} #{case.number}: {case.subject}")
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
    if view.orders:
        print("Orders (12 months):")
        for o in view.orders:
            items = ", ".join(line.product.title.pick(lang) for line in o.lines)
            print(f"  [{o.channel} · {o.state}] ¥{o.total_cents / 100:,.2f}  {items}")
