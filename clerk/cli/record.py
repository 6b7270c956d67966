"""``clerk record``: record an interaction durably in the outbox (it syncs later), as a signed-in
staff member (``--staff`` and a PIN, as the app asks)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from clerk.cli.common import EXIT_OK, add_staff_arguments, open_terminal, print_json, staff_session
from clerk.errors import ClerkError

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers
    from clerk.terminal import Terminal

RECORD_KINDS = ("visit", "note", "interest", "redeem", "sale", "consent")


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "record",
        help="record an interaction in the outbox",
        description="Record an interaction durably in the outbox (it syncs later), as the "
        "staff member who served: --staff and their PIN (--pin-stdin, $CLERK_PIN or asked), "
        "signed in and audited as in the app. Refused (exit 2) without them.",
    )
    p.add_argument("kind", choices=RECORD_KINDS, help="what happened")
    p.add_argument("--member", required=True, help="member id")
    add_staff_arguments(p, who="staff id who served")
    p.add_argument("--text", default=None, help="note text")
    p.add_argument("--sku", action="append", help="product (interest, sale; repeatable)")
    p.add_argument("--action", choices=("tried_on", "asked_about"), help="interest action")
    p.add_argument("--coupon", help="coupon id (redeem)")
    p.add_argument("--amount", type=float, help="sale amount in yuan")
    p.add_argument("--marketing", choices=("yes", "no"), help="consent to marketing")
    p.add_argument("--browsing", choices=("yes", "no"), help="consent to browsing history use")
    p.add_argument("--json", action="store_true", help="print the recorded interaction")
    p.set_defaults(func=cmd_record)


def _record_payload(args: argparse.Namespace) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    if args.text:
        payload["text"] = args.text
    if args.kind == "interest":
        if not args.sku:
            raise ClerkError("record interest needs --sku", reason="usage")
        payload["sku"] = args.sku
        payload["action"] = args.action or "asked_about"
    elif args.kind == "redeem":
        if not args.coupon:
            raise ClerkError("record redeem needs --coupon", reason="usage")
        payload["coupon_id"] = args.coupon
    elif args.kind == "sale":
        if not args.sku or args.amount is None:
            raise ClerkError("record sale needs --sku (repeatable) and --amount", reason="usage")
        if args.amount <= 0:
            raise ClerkError("record sale needs a positive --amount", reason="usage")
        payload["items"] = [{"sku": s, "qty": 1} for s in args.sku_list]
        payload["amount_cents"] = round(args.amount * 100)
    elif args.kind == "consent":
        if args.marketing is None and args.browsing is None:
            raise ClerkError("record consent needs --marketing and/or --browsing", reason="usage")
        if args.marketing is not None:
            payload["marketing"] = args.marketing == "yes"
        if args.browsing is not None:
            payload["browsing"] = args.browsing == "yes"
    elif args.kind == "note" and not args.text:
        raise ClerkError("record note needs --text", reason="usage")
    return payload


def _priced(terminal: Terminal, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sale lines with the catalogue price of each product (the hub needs it per item)."""
    out = []
    for item in items:
        row = terminal.cache.execute(
            "SELECT price_cents FROM products WHERE sku = ?", (item["sku"],)
        ).fetchone()
        if row is None:
            raise ClerkError(f"unknown product {item['sku']!r}", reason="usage")
        out.append({**item, "price_cents": int(row[0])})
    return out


def cmd_record(args: argparse.Namespace) -> int:
    args.sku_list = args.sku or []
    args.sku = args.sku_list[0] if args.sku_list else None
    payload = _record_payload(args)
    terminal = open_terminal(online_fetch=False)
    try:
        if args.kind == "sale":
            payload["items"] = _priced(terminal, payload["items"])
        with staff_session(terminal, args) as session:
            rec = terminal.record(
                args.kind, member_id=args.member, staff_id=session.staff_id, payload=payload
            )
    finally:
        terminal.close()
    if args.json:
        print_json(rec.wire())
    else:
        print(f"saved {args.kind} {rec.id} · pending sync")
    return EXIT_OK
