"""``clerk record``: record an interaction durably in the outbox (it syncs later).

The kinds are those a person records with a customer (``clerk.shared.interactions``, the
kinds about a member); the payload is built through the vocabulary's types, so what the hub
would refuse for its shape is refused here (exit 2), before anything is saved. Amounts are
read with Decimal into whole fen (``--amount 12.34``); a sale is priced from the catalogue
and closes the member's open online-cart lines of the products it sells, as the app does. It
runs as a signed-in staff member (``--staff`` and a PIN, as the app asks), audited as in the app.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from clerk.cli.common import EXIT_OK, add_staff_arguments, open_terminal, print_json, staff_session
from clerk.errors import ClerkError, RecordError

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers
    from clerk.shared.interactions import Payload
    from clerk.terminal import Terminal


class _RecordKinds:
    """The kinds ``clerk record`` takes, read from the vocabulary when argparse asks for them
    (checking a value, writing the help) — building the command tree does not load it."""

    def _kinds(self) -> list[str]:
        from clerk.shared.interactions import KINDS

        return [kind for kind, spec in KINDS.items() if spec.member and not spec.followup]

    def __contains__(self, value: object) -> bool:
        return value in self._kinds()

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds())


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "record",
        help="record an interaction in the outbox",
        description="Record an interaction durably in the outbox (it syncs later), as the "
        "staff member who served: --staff and their PIN (--pin-stdin, $CLERK_PIN or asked), "
        "signed in and audited as in the app. Refused (exit 2) without them. What the hub "
        "would refuse is refused here (exit 2) and not saved.",
    )
    p.add_argument("kind", metavar="KIND", choices=_RecordKinds(), help="one of: %(choices)s")
    p.add_argument("--member", required=True, help="member id")
    add_staff_arguments(p, who="staff id who served")
    p.add_argument("--text", default=None, help="note text (note), or a remark")
    p.add_argument(
        "--sku",
        action="append",
        help="product (interest: one; sale: one per piece sold, repeatable)",
    )
    p.add_argument("--action", choices=("tried_on", "asked_about"), help="interest action")
    p.add_argument("--coupon", help="coupon id (redeem)")
    p.add_argument("--amount", help="sale amount in yuan, in whole fen (e.g. 12.34)")
    p.add_argument(
        "--points", type=int, help="points redeemed (points_redeem), within the local balance"
    )
    p.add_argument("--marketing", choices=("yes", "no"), help="consent to marketing")
    p.add_argument("--browsing", choices=("yes", "no"), help="consent to browsing history use")
    p.add_argument(
        "--case-type", choices=("repair", "complaint", "other"), help="case_open: the case's type"
    )
    p.add_argument("--subject", help="case_open: what the case is about")
    p.add_argument("--case", help="case_note / case_close: the case's id")
    p.add_argument("--json", action="store_true", help="print the recorded interaction")
    p.set_defaults(func=cmd_record)


def _usage(message: str) -> ClerkError:
    return ClerkError(message, reason="usage")


def _payload(args: argparse.Namespace, terminal: Terminal) -> Payload:
    """The typed payload of ``args.kind`` from the options (ClerkError ``usage`` if they do
    not make one)."""
    from clerk.shared import interactions
    from clerk.shared.money import AmountError, parse_cents

    kind: str = args.kind
    skus: list[str] = args.sku or []
    try:
        if kind == "note":
            if not args.text:
                raise _usage("record note needs --text")
            return interactions.Note.of(args.text)
        if kind == "interest":
            if len(skus) != 1:
                raise _usage("record interest needs one --sku")
            return interactions.Interest.of(skus[0], args.action or "asked_about", args.text)
        if kind == "redeem":
            if not args.coupon:
                raise _usage("record redeem needs --coupon")
            return interactions.Redeem.of(args.coupon)
        if kind == "sale":
            if not skus or args.amount is None:
                raise _usage("record sale needs --sku (repeatable) and --amount")
            try:
                amount = parse_cents(args.amount)
            except AmountError as exc:
                raise _usage(f"--amount: {exc}") from exc
            lines = [(sku, qty, _price(terminal, sku)) for sku, qty in Counter(skus).items()]
            return interactions.Sale.of(
                lines, amount, _open_cart_lines(terminal, args.member, set(skus)), args.text
            )
        if kind == "points_redeem":
            if args.points is None:
                raise _usage("record points_redeem needs --points")
            return interactions.PointsRedeem.of(args.points, args.text)
        if kind == "consent":
            if args.marketing is None and args.browsing is None:
                raise _usage("record consent needs --marketing and/or --browsing")
            return interactions.Consent.of(
                marketing=None if args.marketing is None else args.marketing == "yes",
                browsing=None if args.browsing is None else args.browsing == "yes",
            )
        if kind == "case_open":
            if not args.case_type or not args.subject:
                raise _usage("record case_open needs --case-type and --subject")
            sku = skus[0] if skus else None
            return interactions.CaseOpen.of(args.case_type, args.subject, sku, args.text)
        if kind in interactions.CASE_KINDS:  # a note or the close of a case
            if not args.case:
                raise _usage(f"record {kind} needs --case")
            if kind == "case_note":
                if not args.text:
                    raise _usage("record case_note needs --text")
                return interactions.CaseNote.of(args.case, args.text)
            return interactions.CaseClose.of(args.case, args.text)
        return interactions.validate(kind, {"text": args.text} if args.text else {})
    except interactions.InvalidInteraction as exc:
        raise _usage(str(exc)) from exc


def _price(terminal: Terminal, sku: str) -> int:
    """The catalogue price of a product (the hub takes each line with its price)."""
    row = terminal.cache.execute(
        "SELECT price_cents FROM products WHERE sku = ?", (sku,)
    ).fetchone()
    if row is None:
        raise _usage(f"unknown product {sku!r}")
    return int(row[0])


def _open_cart_lines(terminal: Terminal, member_id: str, skus: set[str]) -> list[str]:
    """The member's open online-cart lines of the products sold (the sale settles them)."""
    rows = terminal.cache.execute(
        "SELECT id, sku FROM cart_items WHERE member_id = ? AND state = 'open' ORDER BY id",
        (member_id,),
    ).fetchall()
    return [str(r[0]) for r in rows if r[1] in skus]


def cmd_record(args: argparse.Namespace) -> int:
    terminal = open_terminal(online_fetch=False)
    try:
        payload = _payload(args, terminal)
        with staff_session(terminal, args) as session:
            try:
                rec = terminal.record(
                    args.kind, member_id=args.member, staff_id=session.staff_id, payload=payload
                )
            except RecordError as exc:
                raise _usage(str(exc)) from exc
    finally:
        terminal.close()
    if args.json:
        print_json(rec.wire())
    else:
        print(f"saved {args.kind} {rec.id} · pending sync")
    return EXIT_OK
