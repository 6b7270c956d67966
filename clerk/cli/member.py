"""``clerk member link``: link a card, phone or UnionID met at the counter to a member who proved
who they are (their member code, or their full number) — the hub applies it (OneID).

``clerk member add``: sign a new member up at this terminal, offline too (clerk/signup.py) —
the number, name and optional birthday, and the customer's answer to the chain's consent
wording: the command prints the wording and takes the answer only with ``--consent-version``
naming the version shown (a stale or unknown version exits 2). The new member is usable at once
under a provisional id (``P-<uuid7>``); the hub gives the real one at the next sync.

``clerk member search``: find a customer of this store without a code — by name (characters
or pinyin), the last four digits of the phone, or the card number — as a signed-in staff member
(``--staff`` and a PIN, as the app asks). A read: it records nothing and the search itself is not
audited (the app audits opening a result; here ``clerk lookup`` with the card does). At most 20
results, masked as on screen. Text that searches nothing (one letter, three digits …) exits 2;
no match is an empty answer (exit 0)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING

from clerk.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    add_staff_arguments,
    open_terminal,
    print_json,
    staff_session,
)
from clerk.errors import ClerkError, RecordError

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers

MATCHES = {
    "card": "card",
    "phone": "phone ends",
    "name": "name",
    "prefix": "name starts",
    "part": "part of name",
}


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "member",
        help="members of this store: sign a new one up, search by name, phone digits or card",
        description="Members of this store's cache.",
    )
    members = p.add_subparsers(dest="member_command", metavar="SUBCOMMAND", required=True)
    s = members.add_parser(
        "search",
        help="find a customer of this store by name, last four phone digits or card",
        description="Search this store's members by name (characters or pinyin: 林晓, "
        "'lin xiao', linxiao, lxw), the last four digits of the phone, or the card number, "
        "as a signed-in staff member (--staff and their PIN: --pin-stdin, $CLERK_PIN or "
        "asked). At most 20 results, best first, masked (林*雯, *******5678). Text that "
        "searches nothing exits 2; no match prints nothing (exit 0).",
    )
    a = members.add_parser(
        "add",
        help="sign a new member up (offline too): phone, name, consent",
        description="Sign a new member up at this terminal as a signed-in staff member "
        "(--staff and their PIN). Without --consent-version it prints the chain's consent "
        "wording (--lang zh|en) and its version, and signs no one up: show it to the customer, "
        "then run again with --consent-version VERSION and their answers (--marketing, "
        "--browsing; each left out is no). The new member is usable at once under a "
        "provisional id (P-…); the hub gives the real id at the next sync and merges a number "
        "it knows into that member. Prints the provisional id and the sign-up code (SU1:…) the "
        "member app redeems.",
    )
    a.add_argument("--phone", required=True, help="the full mobile number")
    a.add_argument("--name", required=True, help="the customer's name")
    a.add_argument("--birthday", metavar="YYYY-MM-DD", help="optional")
    a.add_argument("--lang", choices=("zh", "en"), default="zh", help="the wording shown")
    a.add_argument("--consent-version", metavar="VERSION", help="the version shown")
    a.add_argument("--marketing", action="store_true", help="agrees to marketing messages")
    a.add_argument("--browsing", action="store_true", help="agrees to use of online browsing")
    add_staff_arguments(a, who="staff id signing up")
    a.add_argument("--json", action="store_true", help="print JSON")
    a.set_defaults(func=cmd_add)
    k = members.add_parser(
        "link",
        help="link a card, phone or UnionID to a member who proved who they are",
        description="Link an identity met at the counter — a card (--card), a phone number "
        "(--phone: sealed to the hub) or a WeChat UnionID (--unionid) — to MEMBER once the "
        "customer proved who they are: --proof-code (their member code as scanned, MC1:…) or "
        "--proof-phone (their full number, which must fit the member's). Recorded for the "
        "hub, which applies it and sends it to every terminal; an identity another member "
        "holds is a conflict for a person. As a signed-in staff member (--staff, PIN).",
    )
    k.add_argument("member", help="the member's id")
    what = k.add_mutually_exclusive_group(required=True)
    what.add_argument("--card", help="a member card number")
    what.add_argument("--phone", help="a phone number")
    what.add_argument("--unionid", help="a WeChat UnionID")
    proof = k.add_mutually_exclusive_group(required=True)
    proof.add_argument("--proof-code", metavar="MC1:…", help="the member code as scanned")
    proof.add_argument("--proof-phone", metavar="N", help="the member's full number")
    add_staff_arguments(k, who="staff id linking")
    k.add_argument("--json", action="store_true", help="print JSON")
    k.set_defaults(func=cmd_link)
    s.add_argument("text", help="a name, pinyin, initials, four digits or a card number")
    add_staff_arguments(s, who="staff id searching")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_search)


def cmd_search(args: argparse.Namespace) -> int:
    from clerk.search_terms import query_kind

    if query_kind(args.text) == "none":
        message = (
            "nothing to search for: type two letters of a name (or one character), the last "
            "four digits of the phone, or the card number"
        )
        if args.json:
            print_json({"error": message, "reason": "usage"})
        else:
            print(f"clerk: {message}", file=sys.stderr)
        return EXIT_INPUT
    terminal = open_terminal(online_fetch=False)
    try:
        with staff_session(terminal, args) as session:
            found = terminal.search(args.text, session.staff_id)
    finally:
        terminal.close()
    if args.json:
        print_json({"results": [dataclasses.asdict(f) for f in found]})
        return EXIT_OK
    if not found:
        print("clerk: no customer of this store matches", file=sys.stderr)
    for f in found:
        name = f"{f.name} ({f.name_en})" if f.name_en else f.name
        print(
            f"{f.member_id}  {name}  {f.tier}  {f.phone_masked or '-'}  "
            f"{f.card_masked or '-'}  [{MATCHES[f.match]}]"
        )
    return EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    terminal = open_terminal(online_fetch=False)
    try:
        consent = terminal.signup_text(args.lang)
        if consent is None:
            raise ClerkError(
                "the chain's consent wording has not reached this terminal yet: run `clerk sync`",
                reason="usage",
            )
        if args.consent_version is None:
            if args.json:
                print_json(
                    {"consent_version": consent.version, "lang": consent.lang, "text": consent.text}
                )
            else:
                print(f"consent wording, version {consent.version} ({consent.lang}):")
                print(consent.text)
                print(f"show it, then run again with --consent-version {consent.version}")
            return EXIT_INPUT
        if args.consent_version != consent.version:
            raise ClerkError(
                f"--consent-version {args.consent_version} is not the wording in force "
                f"({consent.version}): show the current one",
                reason="usage",
            )
        with staff_session(terminal, args) as session:
            try:
                made = terminal.sign_up(
                    phone=args.phone,
                    name=args.name,
                    consent=consent,
                    marketing=args.marketing,
                    browsing=args.browsing,
                    birthday=args.birthday,
                    staff_id=session.staff_id,
                )
            except RecordError as exc:
                raise ClerkError(str(exc), reason="usage") from exc
    finally:
        terminal.close()
    if args.json:
        print_json(
            {
                "member_id": made.id,
                "signup_id": made.signup_id,
                "phone_masked": made.phone_masked,
                "code": made.code,
            }
        )
    else:
        print(f"new member {made.id}  {made.name}  {made.phone_masked} · pending sync")
        print(f"sign-up code for the member app: {made.code}")
    return EXIT_OK


def cmd_link(args: argparse.Namespace) -> int:
    kind, value = next(
        (k, v)
        for k, v in (("card", args.card), ("phone", args.phone), ("unionid", args.unionid))
        if v
    )
    terminal = open_terminal(online_fetch=False)
    try:
        with staff_session(terminal, args) as session:
            try:
                rec = terminal.link(
                    args.member,
                    identity=kind,
                    value=value,
                    proof=args.proof_code or args.proof_phone,
                    staff_id=session.staff_id,
                )
            except RecordError as exc:
                raise ClerkError(str(exc), reason="usage") from exc
    finally:
        terminal.close()
    if args.json:
        print_json({"id": rec.id, "member_id": rec.member_id, "identity": kind})
    else:
        print(f"saved link of a {kind} to {rec.member_id} ({rec.id}) · pending sync")
    return EXIT_OK
