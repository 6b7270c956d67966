"""``clerk hub import KIND FILE``: master data in from a CSV or JSONL file (docs/import.md).

:mod:`sync.hub.cli` adds the parser (:func:`add_parser`) and runs :func:`cmd_import`; errors
that stop the whole file are its to print. Each refused row is one line on stderr
(``row N: reason``) and, with ``--errors FILE``, a row of that report (CSV, or JSONL when the
name ends in .jsonl). A summary line goes to stdout. Exit 0: every row is in; 2: some rows were
refused, the rest are in; 1: none could be imported (or the file could not be read).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Callable
from typing import Any, TextIO

from sync.hub.imports.kinds import KINDS
from sync.hub.imports.reader import FORMATS, guess_format
from sync.hub.imports.run import BATCH_SIZE, Importer, Refusal

Opener = Callable[[argparse.Namespace], Any]


def add_parser(sub: Any, add_db: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``import`` to the ``clerk hub`` subparsers ``sub``."""
    p = sub.add_parser(
        "import",
        help="import members, products, coupons or staff from a CSV or JSONL file",
        description="Import master data from a CSV (UTF-8, header row) or JSONL file, streamed "
        "in batches: idempotent by the source's ids (an unchanged row is a no-op), resumable "
        "after a kill (the same command goes on after the last committed batch). Every refused "
        "row is reported with its number and reason; the good rows go in. Exit 0: all in; "
        "2: some rows refused; 1: none imported. Columns: docs/import.md.",
    )
    add_db(p)
    p.add_argument("kind", choices=tuple(KINDS), help="what the file holds")
    p.add_argument("file", help="the CSV or JSONL file")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="csv or jsonl (default: from the file name; .jsonl/.ndjson are JSONL)",
    )
    p.add_argument(
        "--source",
        default="default",
        help="the system the file comes from: its ids are mapped to ours per source "
        "(default: default)",
    )
    p.add_argument(
        "--errors",
        default=None,
        metavar="FILE",
        help="write the refused rows to FILE (CSV, or JSONL when it ends in .jsonl)",
    )
    p.add_argument(
        "--restart", action="store_true", help="start over instead of resuming an unfinished run"
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=BATCH_SIZE,
        metavar="N",
        help=f"rows per transaction (default {BATCH_SIZE})",
    )


class _Report:
    """Refused rows to stderr and, optionally, to a CSV or JSONL report file."""

    def __init__(self, path: str | None, *, append: bool) -> None:
        self.out: TextIO | None = None
        self.jsonl = bool(path and path.lower().endswith((".jsonl", ".ndjson")))
        self.writer: Any = None
        if path:
            fresh = not append or not os.path.exists(path) or os.path.getsize(path) == 0
            # Open for the whole run (rows are reported as their batches commit); closed by close().
            self.out = open(path, "w" if fresh else "a", encoding="utf-8", newline="")  # noqa: SIM115
            if not self.jsonl:
                self.writer = csv.writer(self.out)
                if fresh:
                    self.writer.writerow(("row", "reason"))

    def __call__(self, refusal: Refusal) -> None:
        print(f"row {refusal.row}: {refusal.reason}", file=sys.stderr)
        if self.out is None:
            return
        if self.jsonl:
            self.out.write(
                json.dumps({"row": refusal.row, "reason": refusal.reason}, ensure_ascii=False)
                + "\n"
            )
        else:
            self.writer.writerow((refusal.row, refusal.reason))

    def close(self) -> None:
        if self.out is not None:
            self.out.close()


def cmd_import(args: argparse.Namespace, open_store: Opener) -> int:
    fmt = args.format or guess_format(args.file)
    if not os.path.isfile(args.file):
        raise OSError(f"no file {args.file}")
    store = open_store(args)
    report = _Report(args.errors, append=not args.restart)
    try:
        importer = Importer(
            store, args.kind, args.source, batch_size=args.batch_size, on_refused=report
        )
        out = importer.run_file(args.file, fmt, restart=args.restart)
    finally:
        report.close()
        store.close()
    if out.ignored_columns:
        print(f"columns ignored: {', '.join(out.ignored_columns)}", file=sys.stderr)
    resumed = f" (resumed after row {out.resumed_after})" if out.resumed_after else ""
    print(
        f"{out.kind} from {out.source}: {out.rows} rows{resumed}: {out.inserted} new, "
        f"{out.updated} updated, {out.unchanged} unchanged, {out.refused} refused"
    )
    return out.exit_code
