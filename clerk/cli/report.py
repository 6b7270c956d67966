"""``clerk report visits``: sign in as a manager, compute the visits report on this terminal
(:func:`clerk.reports.export.visits_report`), print it. ``clerk report tasks``: the follow-up
figures per associate (:func:`clerk.clientbook.figures`), audited (``export``).
Errors: one line on stderr and exit 1 (storage) or 2 (usage, a refused sign-in, not a
manager)."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING

from clerk import paths
from clerk.cli.common import (
    EXIT_OK,
    PIN_ENV,
    add_staff_arguments,
    fail_with,
    open_terminal,
    print_json,
    read_pin,
    staff_session,
)
from clerk.errors import ClerkError
from clerk.reports.export import FORMATS

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "report",
        help="store reports (managers only)",
        description="Reports computed on this terminal, offline, from its outbox and the "
        "store's visits in the cache. Managers only: sign in with --staff and a PIN "
        "(--pin-stdin, $CLERK_PIN or asked). Every report is written to the audit log.",
    )
    rsub = p.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    v = rsub.add_parser(
        "visits",
        help="visits per day: identified/walk-in, new/returning, coupons, carts converted",
        description="Visits per day for one day (--date, default today) or a range "
        "(--from D --to D, at most 366 days), with a total row. Dates are YYYY-MM-DD in the "
        "store's time zone.",
    )
    v.add_argument("--date", metavar="D", help="one day, YYYY-MM-DD (default: today)")
    v.add_argument("--from", dest="date_from", metavar="D", help="first day of a range")
    v.add_argument("--to", dest="date_to", metavar="D", help="last day of a range (inclusive)")
    v.add_argument(
        "--format", choices=FORMATS, default="table", help="table (default), csv or json"
    )
    v.add_argument("--staff", required=True, metavar="ID", help="manager's staff id")
    v.add_argument(
        "--pin-stdin",
        action="store_true",
        help=f"read the PIN from the first line of standard input (else ${PIN_ENV}, else asked "
        "on the terminal)",
    )
    v.add_argument(
        "--pin",
        metavar="PIN",
        help="the PIN as an argument (visible to every user in ps: prefer --pin-stdin or "
        f"${PIN_ENV})",
    )
    v.add_argument(
        "--tz",
        metavar="ZONE",
        help="IANA time zone of the store, e.g. Asia/Shanghai (default: this system's)",
    )
    v.add_argument(
        "--store", metavar="ID", help="store id (default: the store this terminal is enrolled to)"
    )
    v.set_defaults(func=cmd_visits)

    t = rsub.add_parser(
        "tasks",
        help="follow-ups per associate: clients, open, overdue, escalated, done today",
        description="Per associate of the store: clients assigned (the client book), open "
        "follow-up tasks, overdue, escalated (24 h overdue: the manager's) and done today "
        "(local time), with a row for the store's unassigned tasks. Managers only.",
    )
    t.add_argument("--format", choices=("table", "json"), default="table", help="table or json")
    add_staff_arguments(t, who="manager's staff id")
    t.set_defaults(func=cmd_tasks)


def _parse_date(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        msg = f"{flag} wants a date as YYYY-MM-DD, got {text!r}"
        raise ClerkError(msg, reason="usage") from None


def _zone(name: str | None) -> tzinfo:
    if not name:
        local = datetime.now().astimezone().tzinfo
        assert local is not None
        return local
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ClerkError(f"unknown time zone {name!r}", reason="usage") from None


def _range(args: argparse.Namespace, tz: tzinfo) -> tuple[date, date]:
    if args.date and (args.date_from or args.date_to):
        raise ClerkError("use either --date or --from/--to, not both", reason="usage")
    if bool(args.date_from) != bool(args.date_to):
        raise ClerkError("--from and --to go together", reason="usage")
    if args.date_from:
        return _parse_date(args.date_from, "--from"), _parse_date(args.date_to, "--to")
    if args.date:
        d = _parse_date(args.date, "--date")
        return d, d
    today = datetime.now(tz).date()
    return today, today


def cmd_visits(args: argparse.Namespace) -> int:
    """``clerk report visits``: sign in (manager), compute, print, audit."""
    from clerk.cache import open_cache
    from clerk.outbox import META_STORE_ID, get_meta, open_outbox
    from clerk.reports.export import visits_report
    from clerk.reports.kpis import range_dates
    from clerk.reports.load import REPORT_CACHE_KIB
    from clerk.staff import StaffAuth

    try:
        tz = _zone(args.tz)
        date_from, date_to = _range(args, tz)
        range_dates(date_from, date_to)  # a bad range is refused before the PIN is asked
        pin = read_pin(args)
        outbox = open_outbox(paths.outbox_path())
    except ClerkError as exc:
        return fail_with(exc)
    try:
        cache = open_cache(paths.cache_path())
    except ClerkError as exc:
        outbox.close()
        return fail_with(exc)
    try:
        for conn in (cache, outbox):
            conn.execute(f"PRAGMA cache_size = -{REPORT_CACHE_KIB}")
        store_id = args.store or get_meta(outbox, META_STORE_ID)
        auth = StaffAuth(cache, outbox)
        session = auth.sign_in(str(args.staff), pin)
        try:
            text = visits_report(
                session,
                cache,
                outbox,
                store_id=store_id,
                date_from=date_from,
                date_to=date_to,
                tz=tz,
                fmt=args.format,
            )
        finally:
            auth.sign_out(session, "command")
    except ClerkError as exc:
        return fail_with(exc)
    finally:
        cache.close()
        outbox.close()
    sys.stdout.write(text)
    return EXIT_OK


def cmd_tasks(args: argparse.Namespace) -> int:
    """``clerk report tasks``: sign in (manager), the follow-up figures per associate."""
    import dataclasses

    from clerk import clientbook

    terminal = open_terminal(online_fetch=False)
    try:
        with staff_session(terminal, args, "export") as session:
            now = int(terminal.clock())
            midnight = datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0)
            found = clientbook.figures(
                terminal.cache, terminal.outbox, now=now, since=int(midnight.timestamp())
            )
            terminal.audit("export", session.staff_id, {"report": "tasks", "rows": len(found)})
    finally:
        terminal.close()
    if args.format == "json":
        print_json({"associates": [dataclasses.asdict(f) for f in found]})
        return EXIT_OK
    print(
        f"{'staff':8} {'name':12} {'clients':>7} {'open':>5} {'overdue':>7} "
        f"{'escalated':>9} {'done':>5}"
    )
    for f in found:
        print(
            f"{f.staff_id or 'store':8} {f.name or '':12} {f.clients:>7} {f.open:>5} "
            f"{f.overdue:>7} {f.escalated:>9} {f.done:>5}"
        )
    return EXIT_OK
