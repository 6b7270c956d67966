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
    add_command,
    add_group,
    arg,
    one_of,
    open_terminal,
    print_json,
    signed_in,
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
    members = add_group(
        sub,
        "member",
        summary="members of this store: sign a new one up, search by name, phone digits or card",
        description="Members of this store's cache.",
    )
    add_command(
        members,
        "search",
        cmd_search,
        summary="find a customer of this store by name, last four phone digits or card",
        description="Search this store's members by name (characters or pinyin: 林晓, "
        "'lin xiao', linxiao, lxw), the last four digits of the phone, or the card number, "
        "as a signed-in staff member (--staff and their PIN: --pin-stdin, $CLERK_PIN or "
        "asked). At most 20 results, best first, masked (林*雯, *******5678). Text that "
        "searches nothing exits 2; no match prints nothing (exit 0).",
        args=(arg("text", help="a name, pinyin, initials, four digits or a card number"),),
        staff="staff id searching",
        json_help="print JSON",
    )
    add_command(
        members,
        "add",
        cmd_add,
        summary="sign a new member up (offline too): phone, name, consent",
        description="Sign a new member up at this terminal as a signed-in staff member "
        "(--staff and their PIN). Without --consent-version it prints the chain's consent "
        "wording (--lang zh|en) and its version, and signs no one up: show it to the customer, "
        "then run again with --consent-version VERSION and their answers (--marketing, "
        "--browsing; each left out is no). The new member is usable at once under a "
        "provisional id (P-…); the hub gives the real id at the next sync and merges a number "
        "it knows into that member. Prints the provisional id and the sign-up code (SU1:…) the "
        "member app redeems.",
        args=(
            arg("--phone", required=True, help="the full mobile number"),
            arg("--name", required=True, help="the customer's name"),
            arg("--birthday", metavar="YYYY-MM-DD", help="optional"),
            arg("--lang", choices=("zh", "en"), default="zh", help="the wording shown"),
            arg("--consent-version", metavar="VERSION", help="the version shown"),
            arg("--marketing", action="store_true", help="agrees to marketing messages"),
            arg("--browsing", action="store_true", help="agrees to use of online browsing"),
        ),
        staff="staff id signing up",
        json_help="print JSON",
    )
    add_command(
        members,
        "link",
        cmd_link,
        summary="link a card, phone or UnionID to a member who proved who they are",
        description="Link an identity met at the counter — a card (--card), a phone number "
        "(--phone: sealed to the hub) or a WeChat UnionID (--unionid) — to MEMBER once the "
        "customer proved who they are: --proof-code (their member code as scanned, MC1:…) or "
        "--proof-phone (their full number, which must fit the member's). Recorded for the "
        "hub, which applies it and sends it to every terminal; an identity another member "
        "holds is a conflict for a person. As a signed-in staff member (--staff, PIN).",
        args=(
            arg("member", help="the member's id"),
            one_of(
                arg("--card", help="a member card number"),
                arg("--phone", help="a phone number"),
                arg("--unionid", help="a WeChat UnionID"),
                required=True,
            ),
            one_of(
                arg("--proof-code", metavar="MC1:…", help="the member code as scanned"),
                arg("--proof-phone", metavar="N", help="the member's full number"),
                required=True,
            ),
        ),
        staff="staff id linking",
        json_help="print JSON",
    )


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
    with signed_in(args) as (terminal, session):
        found = terminal.search(args.text, session.staff_id)
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
    with signed_in(args) as (terminal, session):
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
    if args.json:
        print_json({"id": rec.id, "member_id": rec.member_id, "identity": kind})
    else:
        print(f"saved link of a {kind} to {rec.member_id} ({rec.id}) · pending sync")
    return EXIT_OK
