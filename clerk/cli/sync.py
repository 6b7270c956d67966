"""``clerk sync``: push the outbox and pull the store's changes — one round (``--once``) or
until interrupted. ``--retry-parked`` (a manager, signed in with ``--staff`` and a PIN as every
command that acts for a person: :func:`clerk.cli.common.staff_session`) first puts the records
parked for a person back in the queue."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from clerk import paths
from clerk.cli.common import (
    EXIT_ERROR,
    EXIT_NOT_CAUGHT_UP,
    EXIT_OK,
    add_staff_arguments,
    fail_with,
    open_terminal,
    print_json,
    staff_session,
)
from clerk.errors import ClerkError

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "sync",
        help="push the outbox and pull changes",
        description="Push recorded interactions and pull the store's changes. "
        "With --once: exit 0 only when the outbox is empty and the pull caught "
        "up (3 otherwise); without it, keep syncing until interrupted.",
    )
    p.add_argument("--once", action="store_true", help="one round, then exit")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--retry-parked",
        action="store_true",
        help="first put the records the hub failed on by themselves (parked for a person, "
        "listed by 'clerk doctor') back in the queue — once the hub is fixed; managers only: "
        "--staff and a PIN",
    )
    add_staff_arguments(p, who="manager's staff id (for --retry-parked)")
    p.set_defaults(func=cmd_sync)


def retry_parked(args: argparse.Namespace) -> int:
    """``--retry-parked``: sign the manager in (signed in and out like the app, audited),
    put every parked record back in the queue; returns how many (ClerkError when refused)."""
    from clerk.reports.conflicts import retry_parked as put_back

    if not args.staff:
        raise ClerkError("--retry-parked needs --staff (a manager) and a PIN", reason="usage")
    terminal = open_terminal(online_fetch=False)
    try:
        with staff_session(terminal, args, "conflicts") as session:
            return terminal.write(lambda outbox: put_back(session, outbox))
    finally:
        terminal.close()


def cmd_sync(args: argparse.Namespace) -> int:
    from sync.errors import SyncError
    from sync.local import engine_for
    from sync.scheduler import Scheduler

    retried = None
    if args.retry_parked:
        try:
            retried = retry_parked(args)
        except ClerkError as exc:
            return fail_with(exc)
        if not args.json:
            print(f"put {retried} parked record(s) back in the queue", flush=True)
    elif args.staff or args.pin_stdin:
        return fail_with(
            ClerkError("--staff and --pin-stdin go with --retry-parked", reason="usage")
        )
    engine = engine_for(paths.data_dir())
    try:
        if not args.once:
            import threading

            from clerk import instance

            lock = instance.acquire(paths.data_dir())  # one long-running syncer per terminal
            stop = threading.Event()
            scheduler = Scheduler(
                engine,
                on_report=lambda r: print(_report_line(r), flush=True),
                on_error=lambda e: print(
                    f"clerk: sync failed, will retry: {e}", file=sys.stderr, flush=True
                ),
            )
            try:
                scheduler.run_forever(stop)
            except KeyboardInterrupt:
                stop.set()
            finally:
                lock.release()
            return EXIT_OK
        progress = None if args.json or not sys.stderr.isatty() else _progress_bar()
        try:
            report = engine.sync_once(progress=progress)
        except SyncError as exc:
            if progress is not None:
                print(file=sys.stderr)
            status = engine.status()
            if args.json:
                print_json({"error": str(exc), "reason": exc.reason, "status": status})
            else:
                kept = (
                    "kept here: 'clerk outbox export FILE' writes them for IT"
                    if exc.reason == "device_revoked"
                    else "kept for the next sync"
                )
                print(
                    f"clerk: sync failed: {exc} ({status['pending']} pending, {kept})",
                    file=sys.stderr,
                )
            return EXIT_ERROR
        if progress is not None:
            print(file=sys.stderr)
        if args.json:
            out = dataclasses.asdict(report)
            if retried is not None:
                out["retried_parked"] = retried
            print_json(out)
        else:
            print(_report_line(report))
        return EXIT_OK if report.caught_up else EXIT_NOT_CAUGHT_UP
    finally:
        engine.close()


def _report_line(report: Any) -> str:
    p = report.pushed
    return (
        f"pushed {p.sent} (accepted {p.accepted}, duplicate {p.duplicate}, conflict "
        f"{p.conflict}, rejected {p.rejected}); pulled {report.pulled.changes} changes; "
        f"pending {report.pending}; {'caught up' if report.caught_up else 'not caught up'}"
    )


def _progress_bar() -> Callable[[int, int | None, float | None], None]:
    def show(done: int, remaining: int | None, eta_s: float | None) -> None:
        total = done + (remaining or 0)
        pct = 100.0 * done / total if total else 100.0
        filled = int(pct / 4)
        eta = f" ETA {int(eta_s)} s" if eta_s is not None else ""
        print(
            f"\r[{'#' * filled}{'.' * (25 - filled)}] {pct:5.1f}% {done}/{total}{eta}",
            end="",
            file=sys.stderr,
            flush=True,
        )

    return show
