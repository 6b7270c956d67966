"""``clerk sync``: push the outbox and pull the store's changes — one round (``--once``) or
until interrupted."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from clerk import paths
from clerk.cli.common import EXIT_ERROR, EXIT_NOT_CAUGHT_UP, EXIT_OK, print_json

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
    p.set_defaults(func=cmd_sync)


def cmd_sync(args: argparse.Namespace) -> int:
    from sync.errors import SyncError
    from sync.local import engine_for
    from sync.scheduler import Scheduler

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
            print_json(dataclasses.asdict(report))
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
