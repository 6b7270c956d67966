"""``clerk member search``: find a customer of this store without a code — by name (characters
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
        help="members of this store: search by name, last four phone digits or card",
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
